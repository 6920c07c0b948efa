package org.purposefirewall.registry;

/** Builds the client that the {@code schema-registry:} settings ask for. */
public final class SchemaRegistryClients {

    /** Confluent's key for the registry URL(s), comma-separated. */
    public static final String URL_CONFIG = RegistrySettings.URL;
    /** The URL scheme of the in-memory registry. */
    public static final String MOCK_SCHEME = SchemaRegistryConfig.MOCK_SCHEME + "://";

    private SchemaRegistryClients() {
    }

    /** The in-memory registry of the settings' scope, or an HTTP client with their settings. */
    public static SchemaRegistryClient create(SchemaRegistryConfig settings) {
        return settings.inMemory() ? MockSchemaRegistryClient.forScope(settings.mockScope())
                : new HttpSchemaRegistryClient(settings.http());
    }
}
