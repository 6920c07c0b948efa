package org.purposefirewall.config.def;

import java.util.Map;

/** The typed values {@link ConfigDef#parse} read, by key: defaults filled in, every rule checked. Immutable. */
public final class ConfigValues {

    private final Map<ConfigDef.Key<?>, Object> values;

    ConfigValues(Map<ConfigDef.Key<?>, Object> values) {
        this.values = java.util.Collections.unmodifiableMap(values);
    }

    /**
     * The value of {@code key}: as given, or its default; null if absent without a default.
     *
     * @throws IllegalArgumentException if {@code key} is not of the definition these values were read with
     */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigDef.Key<T> key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException(key.qualifiedName() + " is not a key of this definition");
        }
        return (T) values.get(key);
    }

    /** Never shows the value of a secret. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        values.forEach((k, v) -> out.append(out.length() > 1 ? ", " : "").append(k.name()).append('=')
                .append(k.type().secret() && v != null ? "***" : String.valueOf(v)));
        return out.append('}').toString();
    }
}
