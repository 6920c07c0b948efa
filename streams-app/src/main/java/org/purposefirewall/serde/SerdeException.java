package org.purposefirewall.serde;

/** A record's bytes cannot be read as the expected type. The message never contains record contents. */
public final class SerdeException extends RuntimeException {

    /** What was wrong; the name is the dead-letter reason code. */
    public enum Kind {
        /** Too short, or no magic byte: not written by a schema-registry serializer. */
        NOT_WIRE_FORMAT,
        /** The registry has no schema with the record's id (40403). */
        UNKNOWN_SCHEMA_ID,
        /** The writer's schema cannot be read as the firewall's schema for the topic. */
        INCOMPATIBLE_SCHEMA,
        /** The body is not valid Avro for its writer schema. */
        MALFORMED_AVRO
    }

    private final Kind kind;

    public SerdeException(Kind kind, String message) {
        this(kind, message, null);
    }

    public SerdeException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
