package org.purposefirewall.registry;

import java.util.Map;

/** Builds the client that Confluent-style serde settings ask for. */
public final class SchemaRegistryClients {

    /** Confluent's key for the registry URL(s), comma-separated. */
    public static final String URL_CONFIG = "schema.registry.url";
    /** The URL scheme of the in-memory registry. */
    public static final String MOCK_SCHEME = "mock://";

    private SchemaRegistryClients() {
    }

    /**
     * A client for {@code schema.registry.url} in {@code settings}.
     *
     * @throws IllegalArgumentException if the URL is missing or its scheme is not supported; the message names the key
     */
    public static SchemaRegistryClient create(Map<String, ?> settings) {
        Object url = settings.get(URL_CONFIG);
        if (url == null || url.toString().isBlank()) {
            throw new IllegalArgumentException(URL_CONFIG + " is required");
        }
        String text = url.toString().strip();
        if (text.startsWith(MOCK_SCHEME)) {
            String scope = text.substring(MOCK_SCHEME.length());
            if (scope.isEmpty() || scope.contains(",")) {
                throw new IllegalArgumentException(URL_CONFIG + " mock://SCOPE names exactly one scope");
            }
            return MockSchemaRegistryClient.forScope(scope);
        }
        Map<String, String> strings = new java.util.HashMap<>();
        settings.forEach((k, v) -> strings.put(k, v == null ? null : v.toString()));
        return new HttpSchemaRegistryClient(RegistrySettings.parse(strings));
    }
}
