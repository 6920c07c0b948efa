package org.purposefirewall.config.def;

import java.util.Objects;

/**
 * A raw value that {@link ConfigDef#parse} cannot accept. Carries what went wrong and the key, so that a caller can
 * report it under the key's full path and the file it came from. The message never contains a secret: password
 * values are never echoed.
 */
public final class InvalidConfigException extends IllegalArgumentException {

    /** What went wrong. */
    public enum Kind {
        /** The key is not declared. */
        UNKNOWN,
        /** A required key is absent. */
        MISSING,
        /** The value cannot be read as the key's type (a mapping where a number belongs, "abc" for a number). */
        WRONG_TYPE,
        /** The value has the right type but breaks the key's rule (below a minimum, not one of the symbols). */
        INVALID
    }

    private final Kind kind;
    private final String key;
    private final String detail;

    /**
     * @param key the key's name within its section
     * @param detail what is wrong, without the key (for MISSING: empty)
     */
    public InvalidConfigException(Kind kind, String key, String detail) {
        super(message(kind, key, detail));
        this.kind = Objects.requireNonNull(kind);
        this.key = Objects.requireNonNull(key);
        this.detail = Objects.requireNonNull(detail);
    }

    public Kind kind() {
        return kind;
    }

    /** The key's name within its section. */
    public String key() {
        return key;
    }

    /** What is wrong, without the key. */
    public String detail() {
        return detail;
    }

    private static String message(Kind kind, String key, String detail) {
        return switch (kind) {
            case UNKNOWN -> key + " is not a known key (" + detail + ")";
            case MISSING -> key + " is required";
            case WRONG_TYPE, INVALID -> key + ": " + detail;
        };
    }
}
