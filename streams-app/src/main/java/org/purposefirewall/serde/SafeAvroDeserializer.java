package org.purposefirewall.serde;

import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.purposefirewall.registry.RegistryUnavailableException;

/**
 * Reads input values without ever failing on bad bytes: a record that cannot be decoded becomes a
 * {@link Decoded.Failed} with its reason, which the topology dead-letters. A {@code null} value (a tombstone) stays
 * {@code null}.
 *
 * <p>A registry that cannot be reached is not the record's fault: the call waits and retries under the
 * {@link RegistryRetry} policy, and if the outage outlasts it the record comes back as {@link Decoded.Unavailable},
 * which the topology parks until the registry answers. It is never turned into a dead letter for an outage.
 *
 * @param <T> the record type
 */
public final class SafeAvroDeserializer<T> implements Deserializer<Decoded<T>> {

    private final AvroDecoder<T> serde;
    private final RegistryRetry retry;

    /** A deserializer that fails at once on a registry outage. */
    public SafeAvroDeserializer(AvroDecoder<T> serde) {
        this(serde, RegistryRetry.none());
    }

    public SafeAvroDeserializer(AvroDecoder<T> serde, RegistryRetry retry) {
        this.serde = Objects.requireNonNull(serde, "serde");
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    @Override
    public Decoded<T> deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return new Decoded.Ok<>(serde.isWarm(data) ? serde.decode(data) : retry.call(() -> serde.decode(data)),
                    data);
        } catch (RegistryUnavailableException e) {
            return new Decoded.Unavailable<>(data);
        } catch (SerdeException e) {
            return new Decoded.Failed<>(e.kind().name(), e.getMessage(),
                    e.getCause() == null ? e.getClass().getName() : e.getCause().getClass().getName(), data);
        }
    }
}
