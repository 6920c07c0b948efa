package org.purposefirewall.registry;

/**
 * A schema registry answered with an error, or could not be asked.
 *
 * <p>{@link #errorCode()} is the registry's own code (40401, 40403, 409, 42201, ...), or -1 when there was no
 * answer. Messages name subjects and ids, never record contents.
 */
public class SchemaRegistryException extends RuntimeException {

    private final int errorCode;

    public SchemaRegistryException(int errorCode, String message) {
        this(errorCode, message, null);
    }

    public SchemaRegistryException(int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    public int errorCode() {
        return errorCode;
    }
}
