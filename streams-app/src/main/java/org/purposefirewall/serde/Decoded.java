package org.purposefirewall.serde;

import java.util.Objects;

/**
 * An input value as read from a topic: either the decoded record or the reason it could not be decoded. Both keep
 * the original bytes so that a record the topology rejects later can still be dead-lettered whole.
 *
 * @param <T> the record type
 */
public sealed interface Decoded<T> permits Decoded.Ok, Decoded.Failed, Decoded.Unavailable {

    /** The bytes as read from the topic. */
    byte[] raw();

    /**
     * A decoded record.
     *
     * @param value the record
     * @param raw the bytes it was decoded from
     */
    record Ok<T>(T value, byte[] raw) implements Decoded<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(raw, "raw");
        }
    }

    /**
     * Bytes that could not be decoded yet because the schema registry did not answer: not the record's fault. The
     * topology parks such a record and decodes it again once the registry answers; it is never dead-lettered for this.
     *
     * @param raw the bytes as read
     */
    record Unavailable<T>(byte[] raw) implements Decoded<T> {
        public Unavailable {
            Objects.requireNonNull(raw, "raw");
        }
    }

    /**
     * Bytes that could not be decoded.
     *
     * @param reason reason code (a {@link SerdeException.Kind} name)
     * @param detail explanation without record contents
     * @param errorClass class of the underlying exception
     * @param raw the bytes as read
     */
    record Failed<T>(String reason, String detail, String errorClass, byte[] raw) implements Decoded<T> {
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(raw, "raw");
        }
    }
}
