package org.purposefirewall.serde;

/**
 * Decodes Confluent wire-format bytes into one value type. Implementations are thread-safe.
 *
 * @param <T> the decoded type
 */
public interface AvroDecoder<T> {

    /**
     * Decodes wire-format bytes.
     *
     * @throws SerdeException with the reason when the bytes cannot be read; registry outages propagate as
     *     {@link org.purposefirewall.registry.RegistryUnavailableException}, since they are not the record's fault
     */
    T decode(byte[] framed);

    /** True if decoding {@code framed} needs no registry call. */
    boolean isWarm(byte[] framed);
}
