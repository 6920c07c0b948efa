package org.purposefirewall.registry;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of the HTTP registry client, resolved from {@link SchemaRegistryConfig} (which declares the keys and
 * checks them): the credentials are the effective ones, whichever key gave them.
 *
 * @param urls one or more base URLs, tried in order (fail-over)
 * @param userInfo {@code user:password} for HTTP basic auth, or null
 * @param trustStore trust store file for TLS, or null for the JVM's default trust
 * @param trustStorePassword its password, or null
 * @param trustStoreType {@code JKS} or {@code PKCS12}
 * @param keyStore key store for mutual TLS, or null
 * @param keyStorePassword its password, or null
 * @param keyStoreType {@code JKS} or {@code PKCS12}
 * @param connectTimeout connection time-out per request
 * @param requestTimeout whole-request time-out
 * @param cacheCapacity bound of each cache (id → schema, schema → id)
 */
public record RegistrySettings(List<URI> urls,
                               String userInfo,
                               Path trustStore,
                               String trustStorePassword,
                               String trustStoreType,
                               Path keyStore,
                               String keyStorePassword,
                               String keyStoreType,
                               Duration connectTimeout,
                               Duration requestTimeout,
                               int cacheCapacity) {

    public static final String URL = "schema.registry.url";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
    public static final String CACHE_CAPACITY = "schema.registry.cache.capacity";

    /** Every key the firewall reads from {@code schema-registry:}; any other key is a configuration error. */
    public static final Set<String> KEYS = Set.copyOf(SchemaRegistryConfig.DEF.names());

    /**
     * Reads the settings of an HTTP(S) registry, under Confluent's key names, by the keys' declarations in
     * {@link SchemaRegistryConfig}.
     *
     * @throws IllegalArgumentException naming the key that is wrong; also for {@code mock://}, which has no HTTP client
     */
    public static RegistrySettings parse(Map<String, String> settings) {
        SchemaRegistryConfig config = SchemaRegistryConfig.parse(settings);
        if (config.inMemory()) {
            throw new IllegalArgumentException(URL + ": '" + config.url() + "' is not an http(s) URL");
        }
        return config.http();
    }

    /** Never shows passwords or user info. */
    @Override
    public String toString() {
        return "RegistrySettings[urls=" + urls.stream().map(RegistrySettings::redact).toList()
                + ", basicAuth=" + (userInfo != null) + ", trustStore=" + trustStore + ", keyStore=" + keyStore
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", cacheCapacity=" + cacheCapacity + "]";
    }

    /** URL text with anything between "//" and "@" replaced, for messages about text that did not parse. */
    static String withoutUserInfo(String text) {
        int scheme = text.indexOf("//");
        int at = text.lastIndexOf('@');
        return scheme >= 0 && at > scheme ? text.substring(0, scheme + 2) + "***@" + text.substring(at + 1) : text;
    }

    /** A URL without its user-info part, safe to log. */
    static String redact(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
