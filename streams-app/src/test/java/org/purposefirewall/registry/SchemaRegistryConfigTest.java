package org.purposefirewall.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaRegistryConfigTest {

    private static final String SECRET = "s3cret";

    @Test
    void theInMemoryRegistryHasAScopeAndTheDefaults() {
        SchemaRegistryConfig config = SchemaRegistryConfig.inMemory("scope-1");

        assertThat(config.inMemory()).isTrue();
        assertThat(config.mockScope()).isEqualTo("scope-1");
        assertThat(config.url()).isEqualTo("mock://scope-1");
        assertThat(config.autoRegister()).isTrue();
        assertThat(config.useLatestVersion()).isFalse();
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(config::http).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCommandLineUrlTurnsTheInMemoryRegistryIntoAnHttpOneKeepingTheOtherSettings() {
        // Given the shipped shape: mock URL, auto-register off, credentials from user info, a read time-out
        SchemaRegistryConfig file = SchemaRegistryConfig.parse(Map.of(
                RegistrySettings.URL, "mock://shipped",
                RegistrySettings.AUTO_REGISTER, "false",
                RegistrySettings.CREDENTIALS_SOURCE, "USER_INFO",
                RegistrySettings.USER_INFO, "fred:" + SECRET,
                RegistrySettings.READ_TIMEOUT_MS, "1234"));

        // When the URL is overridden
        SchemaRegistryConfig http = file.withUrl("https://registry.example:8081/,https://backup.example");

        // Then it is an HTTP registry with the file's other settings
        assertThat(http.inMemory()).isFalse();
        assertThat(http.autoRegister()).isFalse();
        assertThat(http.http().urls()).containsExactly(URI.create("https://registry.example:8081"),
                URI.create("https://backup.example"));
        assertThat(http.http().userInfo()).isEqualTo("fred:" + SECRET);
        assertThat(http.http().requestTimeout()).isEqualTo(Duration.ofMillis(1234));
        assertThat(http.toString()).doesNotContain(SECRET);
    }

    @Test
    void anOverridingUrlIsCheckedLikeTheFilesAndNeverEchoedWithItsPassword() {
        SchemaRegistryConfig file = SchemaRegistryConfig.inMemory("x");

        assertThatThrownBy(() -> file.withUrl("ftp://fred:" + SECRET + "@registry.example"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.url").hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> file.withUrl("mock://a,mock://b")).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> file.withUrl(" , ")).hasMessageContaining("schema.registry.url");
    }

    @Test
    void credentialsFromTheUrlFollowTheOverridingUrl() {
        SchemaRegistryConfig withUrlCredentials = SchemaRegistryConfig.parse(Map.of(
                RegistrySettings.URL, "https://fred:" + SECRET + "@a.example",
                RegistrySettings.CREDENTIALS_SOURCE, "URL"));

        assertThatThrownBy(() -> withUrlCredentials.withUrl("https://b.example"))
                .hasMessageContaining("must carry user:password@");
        assertThat(withUrlCredentials.withUrl("https://joe:pw@b.example").http().userInfo()).isEqualTo("joe:pw");
    }
}
