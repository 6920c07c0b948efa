package org.purposefirewall.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistrySettingsTest {

    private static final String URL = "http://registry.example:8081";
    private static final String SECRET = "s3cret";

    private static Map<String, String> settings(String... keyValues) {
        Map<String, String> settings = new HashMap<>();
        settings.put(RegistrySettings.URL, URL);
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                settings.remove(keyValues[i]);
            } else {
                settings.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return settings;
    }

    private static IllegalArgumentException rejected(Map<String, String> settings) {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> RegistrySettings.parse(settings));
        assertThat(e).as("parse(%s) should throw IllegalArgumentException", settings).isNotNull();
        return e;
    }

    // --- accepted settings ---------------------------------------------------------------------------------------

    @Test
    void aUrlAloneGetsTheDefaults() {
        RegistrySettings parsed = RegistrySettings.parse(settings());

        assertThat(parsed.urls()).containsExactly(URI.create(URL));
        assertThat(parsed.userInfo()).isNull();
        assertThat(parsed.trustStore()).isNull();
        assertThat(parsed.keyStore()).isNull();
        assertThat(parsed.trustStoreType()).isEqualTo("JKS");
        assertThat(parsed.keyStoreType()).isEqualTo("JKS");
        assertThat(parsed.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(parsed.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(parsed.cacheCapacity()).isEqualTo(1_000);
    }

    @Test
    void severalUrlsAreKeptInOrderTrimmedAndWithoutTrailingSlash() {
        RegistrySettings parsed = RegistrySettings.parse(settings(RegistrySettings.URL,
                " http://a:8081/ , https://b.example/apis/ccompat/v7/,, http://c:1"));

        assertThat(parsed.urls()).containsExactly(URI.create("http://a:8081"),
                URI.create("https://b.example/apis/ccompat/v7"), URI.create("http://c:1"));
    }

    @Test
    void everyKnownKeyIsAccepted(@TempDir Path dir) throws IOException {
        Path trust = Files.writeString(dir.resolve("trust.p12"), "not read by parse");
        Path keys = Files.writeString(dir.resolve("keys.jks"), "not read by parse");

        RegistrySettings parsed = RegistrySettings.parse(settings(
                RegistrySettings.AUTO_REGISTER, "false",
                RegistrySettings.USE_LATEST_VERSION, "true",
                RegistrySettings.CREDENTIALS_SOURCE, "user_info",
                RegistrySettings.USER_INFO, "fred:" + SECRET,
                RegistrySettings.TRUSTSTORE_LOCATION, trust.toString(),
                RegistrySettings.TRUSTSTORE_PASSWORD, "trustpw",
                RegistrySettings.TRUSTSTORE_TYPE, "pkcs12",
                RegistrySettings.KEYSTORE_LOCATION, keys.toString(),
                RegistrySettings.KEYSTORE_PASSWORD, "keypw",
                RegistrySettings.KEYSTORE_TYPE, "JKS",
                RegistrySettings.CONNECT_TIMEOUT_MS, " 1500 ",
                RegistrySettings.READ_TIMEOUT_MS, "2500",
                RegistrySettings.CACHE_CAPACITY, "7"));

        assertThat(parsed.userInfo()).isEqualTo("fred:" + SECRET);
        assertThat(parsed.trustStore()).isEqualTo(trust);
        assertThat(parsed.trustStorePassword()).isEqualTo("trustpw");
        assertThat(parsed.trustStoreType()).isEqualTo("PKCS12");
        assertThat(parsed.keyStore()).isEqualTo(keys);
        assertThat(parsed.keyStorePassword()).isEqualTo("keypw");
        assertThat(parsed.keyStoreType()).isEqualTo("JKS");
        assertThat(parsed.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(parsed.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(parsed.cacheCapacity()).isEqualTo(7);
        assertThat(parsed.toString()).doesNotContain(SECRET).doesNotContain("trustpw").doesNotContain("keypw")
                .contains("basicAuth=true");
    }

    @Test
    void credentialsFromTheUrlAreTakenFromItsUserInfo() {
        RegistrySettings parsed = RegistrySettings.parse(settings(
                RegistrySettings.URL, "https://fred:" + SECRET + "@registry.example",
                RegistrySettings.CREDENTIALS_SOURCE, "URL"));

        assertThat(parsed.userInfo()).isEqualTo("fred:" + SECRET);
    }

    @Test
    void toStringNeverShowsTheUserInfoOrPasswords() {
        RegistrySettings fromUrl = RegistrySettings.parse(settings(
                RegistrySettings.URL, "https://fred:" + SECRET + "@registry.example:8081/apis/ccompat/v7,"
                        + "http://fred:" + SECRET + "@backup.example",
                RegistrySettings.CREDENTIALS_SOURCE, "URL"));
        RegistrySettings fromUserInfo = RegistrySettings.parse(settings(
                RegistrySettings.CREDENTIALS_SOURCE, "USER_INFO",
                RegistrySettings.USER_INFO, "fred:" + SECRET));

        assertThat(fromUrl.toString()).doesNotContain(SECRET).doesNotContain("fred")
                .contains("https://registry.example:8081/apis/ccompat/v7").contains("http://backup.example");
        assertThat(fromUserInfo.toString()).doesNotContain(SECRET).doesNotContain("fred");
    }

    // --- rejected settings: each message names the key --------------------------------------------------------

    @Test
    void anUnknownKeyIsRejectedByName() {
        IllegalArgumentException e = rejected(settings("schema.registry.urls", "http://typo:8081"));

        assertThat(e).hasMessageContaining("schema.registry.urls");
    }

    @Test
    void aMissingUrlIsRejected() {
        assertThat(rejected(settings(RegistrySettings.URL, null))).hasMessageContaining("schema.registry.url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", ",", " , , "})
    void aBlankUrlIsRejected(String url) {
        assertThat(rejected(settings(RegistrySettings.URL, url))).hasMessageContaining("schema.registry.url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://registry.example", "registry.example:8081", "mock://scope", "file:///tmp/x",
                            "http://", "http:///no-host", "http://ok:8081,ftp://bad", "http://bad host:8081"})
    void aUrlThatIsNotHttpOrHttpsIsRejected(String url) {
        assertThat(rejected(settings(RegistrySettings.URL, url))).hasMessageContaining("schema.registry.url");
    }

    @Test
    void userInfoWithoutACredentialsSourceIsRejected() {
        IllegalArgumentException e = rejected(settings(RegistrySettings.USER_INFO, "fred:" + SECRET));

        assertThat(e).hasMessageContaining("basic.auth.user.info").hasMessageContaining("basic.auth.credentials.source");
        assertThat(e.getMessage()).doesNotContain(SECRET);
    }

    @Test
    void userInfoSourceWithoutUserInfoIsRejected() {
        IllegalArgumentException e = rejected(settings(RegistrySettings.CREDENTIALS_SOURCE, "USER_INFO"));

        assertThat(e).hasMessageContaining("basic.auth.user.info");
    }

    @Test
    void userInfoWithoutAColonIsRejectedWithoutEchoingIt() {
        IllegalArgumentException e = rejected(settings(RegistrySettings.CREDENTIALS_SOURCE, "USER_INFO",
                RegistrySettings.USER_INFO, SECRET));

        assertThat(e).hasMessageContaining("basic.auth.user.info");
        assertThat(e.getMessage()).doesNotContain(SECRET);
    }

    @Test
    void urlSourceWithoutCredentialsInTheUrlIsRejected() {
        IllegalArgumentException e = rejected(settings(RegistrySettings.CREDENTIALS_SOURCE, "URL"));

        assertThat(e).hasMessageContaining("schema.registry.url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SASL_INHERIT", "basic", "USER-INFO"})
    void anUnknownCredentialsSourceIsRejected(String source) {
        IllegalArgumentException e = rejected(settings(RegistrySettings.CREDENTIALS_SOURCE, source,
                RegistrySettings.USER_INFO, "fred:" + SECRET));

        assertThat(e).hasMessageContaining("basic.auth.credentials.source");
    }

    @Test
    void anUnreadableTrustStoreIsRejected(@TempDir Path dir) {
        String missing = dir.resolve("missing.jks").toString();

        assertThat(rejected(settings(RegistrySettings.TRUSTSTORE_LOCATION, missing)))
                .hasMessageContaining("schema.registry.ssl.truststore.location");
        assertThat(rejected(settings(RegistrySettings.KEYSTORE_LOCATION, missing)))
                .hasMessageContaining("schema.registry.ssl.keystore.location");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PEM", "jceks", ""})
    void anUnknownStoreTypeIsRejected(String type) {
        assertThat(rejected(settings(RegistrySettings.TRUSTSTORE_TYPE, type)))
                .hasMessageContaining("schema.registry.ssl.truststore.type");
        assertThat(rejected(settings(RegistrySettings.KEYSTORE_TYPE, type)))
                .hasMessageContaining("schema.registry.ssl.keystore.type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "1.5", "10s", "0", "-1", "3000000000"})
    void aTimeoutOrCapacityThatIsNotAPositiveNumberIsRejected(String value) {
        for (String key : List.of(RegistrySettings.CONNECT_TIMEOUT_MS, RegistrySettings.READ_TIMEOUT_MS,
                RegistrySettings.CACHE_CAPACITY)) {
            assertThat(rejected(settings(key, value))).as(key + "=" + value).hasMessageContaining(key);
        }
    }

    @Test
    void theKeySetIsWhatTheFirewallReads() {
        assertThat(RegistrySettings.KEYS).containsExactlyInAnyOrder(
                "schema.registry.url", "auto.register.schemas", "use.latest.version",
                "basic.auth.credentials.source", "basic.auth.user.info",
                "schema.registry.ssl.truststore.location", "schema.registry.ssl.truststore.password",
                "schema.registry.ssl.truststore.type", "schema.registry.ssl.keystore.location",
                "schema.registry.ssl.keystore.password", "schema.registry.ssl.keystore.type",
                "http.connect.timeout.ms", "http.read.timeout.ms", "schema.registry.cache.capacity");
    }

    @Test
    void aRejectedUrlIsNotEchoedWithItsPassword() {
        for (String url : List.of(
                "http://fred:" + SECRET + "@ok.example,ftp://fred:" + SECRET + "@bad.example",
                "http://fred:" + SECRET + "@bad host.example:8081")) {
            IllegalArgumentException e = rejected(settings(RegistrySettings.URL, url,
                    RegistrySettings.CREDENTIALS_SOURCE, "URL"));

            assertThat(e).hasMessageContaining("schema.registry.url");
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
            }
        }
    }
}
