package org.purposefirewall.topology;

import java.nio.charset.StandardCharsets;
import org.purposefirewall.serde.Decoded;

/**
 * One input record in hand, with its coordinates: what every part of a processor is handed, so no part keeps the
 * "current record" in a field.
 *
 * @param at where it was read
 * @param key the record key (the user id), or null
 * @param value the value as decoded, or null for a tombstone
 * @param timestamp the time the topology processes it at (its event time; see {@link EventTimeExtractor})
 * @param <V> the decoded type
 */
record InputRecord<V>(Coordinates at, String key, Decoded<V> value, long timestamp) {

    /** The value's bytes as read, or null for a tombstone. */
    byte[] raw() {
        return value == null ? null : value.raw();
    }

    /** The bytes of key and value, which {@link Limits#MAX_COPIED_BYTES} bounds. */
    long size() {
        return Limits.size(key, raw());
    }

    /** The record, whole, to set aside or carry home. */
    ParkedRecord envelope() {
        return new ParkedRecord(at.topic(), at.partition(), at.offset(), timestamp,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), raw());
    }

    /** The record {@code envelope} holds, with its value decoded as {@code value}. */
    static <V> InputRecord<V> of(ParkedRecord envelope, Decoded<V> value) {
        return new InputRecord<>(new Coordinates(envelope.topic(), envelope.partition(), envelope.offset()),
                envelope.keyString(), value, envelope.timestamp());
    }
}
