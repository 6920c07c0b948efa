package org.purposefirewall.kafkalocal;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** The property-map validation shared by {@link LocalKafkaBroker.Options} and {@link LocalSchemaRegistry.Options}. */
final class ReservedProperties {

    private ReservedProperties() {
    }

    /**
     * Checks {@code properties} and returns an immutable copy.
     *
     * @param name            the component's name in the messages, e.g. {@code brokerProperties}
     * @param properties      the extra properties to check
     * @param rejectEmptyKeys whether an empty key is refused like a null one
     * @param nullRule        what the message says may not be held, e.g. {@code null keys or values}
     * @param reservedKeys    the keys the caller determines itself
     * @param instead         what the message points to instead, e.g. {@code port and storage}
     * @throws NullPointerException     if {@code properties} is null
     * @throws IllegalArgumentException if {@code properties} holds a null (or refused empty) key, a null value or a
     *                                  reserved key
     */
    static Map<String, String> validated(String name, Map<String, String> properties, boolean rejectEmptyKeys,
                                         String nullRule, Set<String> reservedKeys, String instead) {
        Objects.requireNonNull(properties, name);
        Set<String> reserved = new TreeSet<>();
        properties.forEach((key, value) -> {
            if (key == null || rejectEmptyKeys && key.isEmpty() || value == null) {
                throw new IllegalArgumentException(name + " may not hold " + nullRule + ": " + key + "=" + value);
            }
            if (reservedKeys.contains(key)) {
                reserved.add(key);
            }
        });
        if (!reserved.isEmpty()) {
            throw new IllegalArgumentException(name + " may not set " + reserved + "; use " + instead + " instead");
        }
        return Map.copyOf(properties);
    }
}
