package org.purposefirewall.registry;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Registry client settings under Confluent's key names, validated. Users keep the keys they already use for
 * Confluent's serdes.
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
    public static final Set<String> KEYS = Set.of(URL, AUTO_REGISTER, USE_LATEST_VERSION, CREDENTIALS_SOURCE,
            USER_INFO, TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE, KEYSTORE_LOCATION,
            KEYSTORE_PASSWORD, KEYSTORE_TYPE, CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS, CACHE_CAPACITY);

    /**
     * Validates HTTP(S) settings.
     *
     * @throws IllegalArgumentException naming the key that is wrong
     */
    public static RegistrySettings parse(Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(key + " is not a schema registry setting this firewall reads "
                        + "(known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        String urlText = settings.get(URL);
        if (urlText == null || urlText.isBlank()) {
            throw new IllegalArgumentException(URL + " is required");
        }
        List<URI> urls = new ArrayList<>();
        for (String part : urlText.split(",")) {
            String trimmed = part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = URI.create(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
            } catch (IllegalArgumentException e) {
                // Neither the text nor the parser's message may be repeated: they can hold user:password@.
                throw new IllegalArgumentException(URL + ": '" + withoutUserInfo(trimmed) + "' is not a URL");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException(URL + ": '" + withoutUserInfo(trimmed)
                        + "' is not an http(s) URL");
            }
            urls.add(uri);
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException(URL + " is required");
        }
        String source = settings.getOrDefault(CREDENTIALS_SOURCE, "").strip().toUpperCase(Locale.ROOT);
        String userInfo = null;
        switch (source) {
            case "" -> {
                if (settings.containsKey(USER_INFO)) {
                    throw new IllegalArgumentException(USER_INFO + " is set but " + CREDENTIALS_SOURCE
                            + " is not; set it to USER_INFO");
                }
            }
            case "USER_INFO" -> {
                userInfo = settings.get(USER_INFO);
                if (userInfo == null || !userInfo.contains(":")) {
                    throw new IllegalArgumentException(USER_INFO + " must be user:password when " + CREDENTIALS_SOURCE
                            + " is USER_INFO");
                }
            }
            case "URL" -> {
                String fromUrl = urls.get(0).getUserInfo();
                if (fromUrl == null || !fromUrl.contains(":")) {
                    throw new IllegalArgumentException(URL + " must carry user:password@ when " + CREDENTIALS_SOURCE
                            + " is URL");
                }
                userInfo = fromUrl;
            }
            default -> throw new IllegalArgumentException(CREDENTIALS_SOURCE + ": '" + source
                    + "' is not USER_INFO or URL");
        }
        return new RegistrySettings(urls, userInfo,
                path(settings, TRUSTSTORE_LOCATION), settings.get(TRUSTSTORE_PASSWORD),
                storeType(settings, TRUSTSTORE_TYPE),
                path(settings, KEYSTORE_LOCATION), settings.get(KEYSTORE_PASSWORD),
                storeType(settings, KEYSTORE_TYPE),
                Duration.ofMillis(positive(settings, CONNECT_TIMEOUT_MS, 10_000)),
                Duration.ofMillis(positive(settings, READ_TIMEOUT_MS, 30_000)),
                (int) positive(settings, CACHE_CAPACITY, 1_000));
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

    private static Path path(Map<String, String> settings, String key) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) {
            return null;
        }
        Path path = Path.of(value);
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(key + ": " + value + " is not a readable file");
        }
        return path;
    }

    private static String storeType(Map<String, String> settings, String key) {
        String type = settings.getOrDefault(key, "JKS").strip().toUpperCase(Locale.ROOT);
        if (!type.equals("JKS") && !type.equals("PKCS12")) {
            throw new IllegalArgumentException(key + ": '" + type + "' is not JKS or PKCS12");
        }
        return type;
    }

    private static long positive(Map<String, String> settings, String key, long fallback) {
        String value = settings.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed <= 0 || parsed > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(key + ": " + value + " must be a positive number");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a number", e);
        }
    }
}
