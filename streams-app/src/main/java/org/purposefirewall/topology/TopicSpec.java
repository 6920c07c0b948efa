package org.purposefirewall.topology;

import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A topic with the serializers used to write it or the deserializers used to read it. Immutable.
 *
 * @param name topic name
 * @param key key (de)serializer
 * @param value value (de)serializer
 * @param <K> (de)serializer of keys
 * @param <V> (de)serializer of values
 */
public record TopicSpec<K, V>(String name, K key, V value) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    public static <K, V> TopicSpec<Deserializer<K>, Deserializer<V>> input(String name, Deserializer<K> key,
                                                                            Deserializer<V> value) {
        return new TopicSpec<>(name, key, value);
    }

    public static <K, V> TopicSpec<Serializer<K>, Serializer<V>> output(String name, Serializer<K> key,
                                                                         Serializer<V> value) {
        return new TopicSpec<>(name, key, value);
    }
}
