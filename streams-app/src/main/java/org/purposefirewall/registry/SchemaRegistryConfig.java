package org.purposefirewall.registry;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.purposefirewall.config.def.ConfigDef;
import org.purposefirewall.config.def.ConfigDef.Default;
import org.purposefirewall.config.def.ConfigDef.Key;
import org.purposefirewall.config.def.ConfigDef.Type;
import org.purposefirewall.config.def.ConfigDef.Validator;
import org.purposefirewall.config.def.ConfigValues;
import org.purposefirewall.config.def.InvalidConfigException;

/**
 * The {@code schema-registry:} section: which registry the serdes use and how, under the key names of Confluent's
 * serdes (users keep the keys they already have). Every key is declared once below ({@link #DEF}). Either the
 * in-memory registry ({@code mock://SCOPE}) or one or more HTTP(S) registries; the HTTP settings are kept (and
 * checked) whichever it is, so that a command-line URL can turn the one into the other.
 *
 * @param urls the registry URLs, tried in order (fail-over), without trailing slash; or exactly one
 *     {@code mock://SCOPE}
 * @param autoRegister whether the firewall registers its output schemas (false: they must be registered already)
 * @param useLatestVersion whether outputs are written under the subject's latest version
 * @param credentialsSource where HTTP basic-auth credentials come from; null for none
 * @param userInfo {@code user:password} given by {@code basic.auth.user.info}, or null
 * @param trustStore trust store for HTTPS, or null for the JVM's default trust
 * @param trustStorePassword its password, or null
 * @param trustStoreType its type
 * @param keyStore key store for mutual TLS, or null
 * @param keyStorePassword its password, or null
 * @param keyStoreType its type
 * @param connectTimeout connection time-out per request
 * @param readTimeout whole-request time-out
 * @param cacheCapacity bound of each cache of the HTTP client
 */
public record SchemaRegistryConfig(List<URI> urls,
                                   boolean autoRegister,
                                   boolean useLatestVersion,
                                   CredentialsSource credentialsSource,
                                   String userInfo,
                                   Path trustStore,
                                   String trustStorePassword,
                                   StoreType trustStoreType,
                                   Path keyStore,
                                   String keyStorePassword,
                                   StoreType keyStoreType,
                                   Duration connectTimeout,
                                   Duration readTimeout,
                                   int cacheCapacity) {

    /** The URL scheme of the in-memory registry. */
    public static final String MOCK_SCHEME = "mock";

    /** Where basic-auth credentials come from ({@code basic.auth.credentials.source}). */
    public enum CredentialsSource {
        /** {@code basic.auth.user.info}. */
        USER_INFO,
        /** The user-info part of the (first) URL: {@code https://user:password@host}. */
        URL
    }

    /** A key or trust store type. */
    public enum StoreType { JKS, PKCS12 }

    /** The keys of {@code schema-registry:}. */
    public static final ConfigDef DEF = new ConfigDef("schema-registry");

    /** A URL list: comma-separated text or a sequence; the text of a URL is never echoed (it can hold a password). */
    private static final Type<List<URI>> URL_LIST = new Type<>("a list of URLs", raw -> {
        List<URI> urls = new ArrayList<>();
        for (String part : Type.LIST.reader().apply(raw)) {
            String trimmed = part == null ? "" : part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                urls.add(URI.create(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed));
            } catch (IllegalArgumentException e) {
                // Neither the text nor the parser's message may be repeated: they can hold user:password@.
                throw new IllegalArgumentException("'" + RegistrySettings.withoutUserInfo(trimmed) + "' is not a URL");
            }
        }
        return List.copyOf(urls);
    }, false);

    public static final Key<List<URI>> URL = DEF.define(RegistrySettings.URL, URL_LIST, Default.required(),
            SchemaRegistryConfig::checkUrls,
            "One URL, or several comma-separated: tried in order, starting from the last that answered. "
                    + "`mock://SCOPE` selects the in-memory registry.");
    public static final Key<Boolean> AUTO_REGISTER = DEF.define(RegistrySettings.AUTO_REGISTER, Type.BOOLEAN,
            Default.of(true), "Register the output schemas at startup; false: they must be registered already.");
    public static final Key<Boolean> USE_LATEST_VERSION = DEF.define(RegistrySettings.USE_LATEST_VERSION,
            Type.BOOLEAN, Default.of(false),
            "Write under the subject's latest version, which must be exactly the firewall's schema.");
    public static final Key<CredentialsSource> CREDENTIALS_SOURCE = DEF.define(RegistrySettings.CREDENTIALS_SOURCE,
            Type.oneOf(CredentialsSource.class, Enum::name), Default.none(),
            "`USER_INFO` (with `basic.auth.user.info`) or `URL` (`http://user:password@host`).");
    public static final Key<String> USER_INFO = DEF.define(RegistrySettings.USER_INFO, Type.PASSWORD,
            Default.none(), "`user:password`. Never logged.");
    public static final Key<Path> TRUSTSTORE_LOCATION = DEF.define(RegistrySettings.TRUSTSTORE_LOCATION, Type.PATH,
            new Default<>(null, false, "none (the JVM's default trust)"), SchemaRegistryConfig::readable,
            "Trust store for HTTPS.");
    public static final Key<String> TRUSTSTORE_PASSWORD = DEF.define(RegistrySettings.TRUSTSTORE_PASSWORD,
            Type.PASSWORD, Default.none(), "The trust store's password.");
    public static final Key<StoreType> TRUSTSTORE_TYPE = DEF.define(RegistrySettings.TRUSTSTORE_TYPE,
            Type.oneOf(StoreType.class, Enum::name), Default.of(StoreType.JKS), "`JKS` or `PKCS12`.");
    public static final Key<Path> KEYSTORE_LOCATION = DEF.define(RegistrySettings.KEYSTORE_LOCATION, Type.PATH,
            Default.none(), SchemaRegistryConfig::readable, "Key store for mutual TLS.");
    public static final Key<String> KEYSTORE_PASSWORD = DEF.define(RegistrySettings.KEYSTORE_PASSWORD,
            Type.PASSWORD, Default.none(), "The key store's password.");
    public static final Key<StoreType> KEYSTORE_TYPE = DEF.define(RegistrySettings.KEYSTORE_TYPE,
            Type.oneOf(StoreType.class, Enum::name), Default.of(StoreType.JKS), "`JKS` or `PKCS12`.");
    public static final Key<Duration> CONNECT_TIMEOUT = DEF.define(RegistrySettings.CONNECT_TIMEOUT_MS,
            Type.DURATION_MS, Default.of(Duration.ofSeconds(10)), Validator.positiveInt(),
            "Connection time-out per request.");
    public static final Key<Duration> READ_TIMEOUT = DEF.define(RegistrySettings.READ_TIMEOUT_MS,
            Type.DURATION_MS, Default.of(Duration.ofSeconds(30)), Validator.positiveInt(), "Whole-request time-out.");
    public static final Key<Integer> CACHE_CAPACITY = DEF.define(RegistrySettings.CACHE_CAPACITY, Type.INT,
            Default.of(1_000), Validator.positiveInt(),
            "Bound of each cache (id → schema, subject and schema → id); least recently used out.");

    /**
     * Checks every key against its rule, and, for HTTP registries, the rules between keys (credentials).
     *
     * @throws IllegalArgumentException naming the key that is wrong, never repeating a secret
     */
    public SchemaRegistryConfig {
        urls = URL.require(urls == null ? null : List.copyOf(urls));
        Objects.requireNonNull(trustStoreType, RegistrySettings.TRUSTSTORE_TYPE);
        Objects.requireNonNull(keyStoreType, RegistrySettings.KEYSTORE_TYPE);
        CONNECT_TIMEOUT.require(connectTimeout);
        READ_TIMEOUT.require(readTimeout);
        CACHE_CAPACITY.validate(cacheCapacity);
        TRUSTSTORE_LOCATION.validate(trustStore);
        KEYSTORE_LOCATION.validate(keyStore);
        if (!isMock(urls.get(0))) {
            basicAuth(urls, credentialsSource, userInfo);
        }
    }

    /** Reads Confluent-style settings (key → value), with the defaults for absent keys. */
    public static SchemaRegistryConfig parse(Map<String, ?> settings) {
        return from(DEF.parse(settings));
    }

    /** The settings read from the section. */
    public static SchemaRegistryConfig from(ConfigValues v) {
        return new SchemaRegistryConfig(v.get(URL), v.get(AUTO_REGISTER), v.get(USE_LATEST_VERSION),
                v.get(CREDENTIALS_SOURCE), v.get(USER_INFO), v.get(TRUSTSTORE_LOCATION), v.get(TRUSTSTORE_PASSWORD),
                v.get(TRUSTSTORE_TYPE), v.get(KEYSTORE_LOCATION), v.get(KEYSTORE_PASSWORD), v.get(KEYSTORE_TYPE),
                v.get(CONNECT_TIMEOUT), v.get(READ_TIMEOUT), v.get(CACHE_CAPACITY));
    }

    /** The in-memory registry of {@code scope}, every other key at its default. */
    public static SchemaRegistryConfig inMemory(String scope) {
        return parse(Map.of(RegistrySettings.URL, MOCK_SCHEME + "://" + scope));
    }

    /**
     * A copy with other URLs (the command line's {@code --schema-registry-url}), checked like the file's.
     *
     * @throws IllegalArgumentException naming {@code schema.registry.url} if they are not valid here
     */
    public SchemaRegistryConfig withUrl(String urlText) {
        List<URI> other;
        try {
            other = URL_LIST.reader().apply(urlText);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(InvalidConfigException.Kind.INVALID, URL.name(), e.getMessage());
        }
        return new SchemaRegistryConfig(other, autoRegister, useLatestVersion, credentialsSource, userInfo,
                trustStore, trustStorePassword, trustStoreType, keyStore, keyStorePassword, keyStoreType,
                connectTimeout, readTimeout, cacheCapacity);
    }

    /** Whether this is the in-memory registry. */
    public boolean inMemory() {
        return isMock(urls.get(0));
    }

    /**
     * The scope of the in-memory registry.
     *
     * @throws IllegalStateException if this is an HTTP registry
     */
    public String mockScope() {
        if (!inMemory()) {
            throw new IllegalStateException("not the in-memory registry");
        }
        return urls.get(0).toString().substring(MOCK_SCHEME.length() + 3);
    }

    /** The URL(s) as configured, comma-separated, without user info: safe to log. */
    public String url() {
        return inMemory() ? urls.get(0).toString()
                : String.join(",", urls.stream().map(RegistrySettings::redact).toList());
    }

    /**
     * The settings of the HTTP client.
     *
     * @throws IllegalStateException if this is the in-memory registry
     */
    public RegistrySettings http() {
        if (inMemory()) {
            throw new IllegalStateException("the in-memory registry has no HTTP settings");
        }
        return new RegistrySettings(urls, basicAuth(urls, credentialsSource, userInfo), trustStore,
                trustStorePassword, trustStoreType.name(), keyStore, keyStorePassword, keyStoreType.name(),
                connectTimeout, readTimeout, cacheCapacity);
    }

    /** Never shows passwords or user info. */
    @Override
    public String toString() {
        return "SchemaRegistryConfig[url=" + url() + ", autoRegister=" + autoRegister + ", useLatestVersion="
                + useLatestVersion + ", basicAuth=" + (credentialsSource != null) + ", trustStore=" + trustStore
                + ", keyStore=" + keyStore + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
                + ", cacheCapacity=" + cacheCapacity + "]";
    }

    private static boolean isMock(URI uri) {
        return MOCK_SCHEME.equalsIgnoreCase(uri.getScheme());
    }

    private static void checkUrls(List<URI> urls) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("a URL is required");
        }
        for (URI uri : urls) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals(MOCK_SCHEME)) {
                String scope = uri.toString().substring(MOCK_SCHEME.length() + 3);
                if (urls.size() > 1 || scope.isEmpty() || !uri.toString().startsWith(MOCK_SCHEME + "://")) {
                    throw new IllegalArgumentException("mock://SCOPE names exactly one scope, alone");
                }
            } else if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException("'" + RegistrySettings.withoutUserInfo(uri.toString())
                        + "' is not an http(s) URL (or mock://SCOPE)");
            }
        }
    }

    private static void readable(Path path) {
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(path + " is not a readable file");
        }
    }

    /** The effective basic-auth user info, or null; checks the rules between the credential keys. */
    private static String basicAuth(List<URI> urls, CredentialsSource source, String userInfo) {
        if (source == null) {
            if (userInfo != null) {
                throw new IllegalArgumentException(RegistrySettings.USER_INFO + " is set but "
                        + RegistrySettings.CREDENTIALS_SOURCE + " is not; set it to USER_INFO");
            }
            return null;
        }
        return switch (source) {
            case USER_INFO -> {
                if (userInfo == null || !userInfo.contains(":")) {
                    throw new IllegalArgumentException(RegistrySettings.USER_INFO + " must be user:password when "
                            + RegistrySettings.CREDENTIALS_SOURCE + " is USER_INFO");
                }
                yield userInfo;
            }
            case URL -> {
                String fromUrl = urls.get(0).getUserInfo();
                if (fromUrl == null || !fromUrl.contains(":")) {
                    throw new IllegalArgumentException(RegistrySettings.URL + " must carry user:password@ when "
                            + RegistrySettings.CREDENTIALS_SOURCE + " is URL");
                }
                yield fromUrl;
            }
        };
    }
}
