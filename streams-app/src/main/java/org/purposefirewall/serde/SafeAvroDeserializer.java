package org.purposefirewall.serde;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads input values without ever failing on bad bytes: a record that cannot be decoded becomes a
 * {@link Decoded.Failed} with its reason, which the topology dead-letters. A {@code null} value (a tombstone) stays
 * {@code null}.
 *
 * <p>Only record faults are caught. A registry that cannot be reached is not the record's fault, so its exception
 * propagates and the record keeps its place in the partition instead of being dead-lettered.
 *
 * @param <T> the record type
 */
public final class SafeAvroDeserializer<T extends SpecificRecord> implements Deserializer<Decoded<T>> {

    private final AvroSerde<T> serde;

    public SafeAvroDeserializer(AvroSerde<T> serde) {
        this.serde = Objects.requireNonNull(serde, "serde");
    }

    @Override
    public Decoded<T> deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return new Decoded.Ok<>(serde.decode(data), data);
        } catch (SerdeException e) {
            return new Decoded.Failed<>(e.kind().name(), e.getMessage(),
                    e.getCause() == null ? e.getClass().getName() : e.getCause().getClass().getName(), data);
        }
    }
}
