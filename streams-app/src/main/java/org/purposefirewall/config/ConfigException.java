package org.purposefirewall.config;

/** A configuration or policy file is missing, unreadable or invalid. The message names the file and the key. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
