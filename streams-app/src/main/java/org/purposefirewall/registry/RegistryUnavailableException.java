package org.purposefirewall.registry;

/**
 * The registry could not be asked (connection refused, time-out, 5xx). Never a property of the record being read:
 * callers retry rather than dead-letter.
 */
public class RegistryUnavailableException extends SchemaRegistryException {

    public RegistryUnavailableException(String message, Throwable cause) {
        super(-1, message, cause);
    }
}
