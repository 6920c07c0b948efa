package org.purposefirewall.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessingTest {

    @Test
    void theDefaultsAreTheDeclaredOnes() {
        Processing defaults = Processing.defaults();

        assertThat(defaults.guarantee()).isEqualTo(Guarantee.EXACTLY_ONCE_V2);
        assertThat(defaults.guarantee().kafkaValue()).isEqualTo("exactly_once_v2");
        assertThat(defaults.settle()).isEqualTo(Processing.SETTLE.defaultValue()).isEqualTo(Duration.ofMillis(200));
        assertThat(defaults.numStreamThreads()).isEqualTo(1);
        assertThat(defaults.maxHeldRecords()).isEqualTo(100_000);
        assertThat(defaults.stateDir()).isAbsolute()
                .isEqualTo(java.nio.file.Path.of(System.getProperty("user.home"), ".purpose-firewall", "state"));
        assertThat(defaults.stateDir().startsWith(System.getProperty("java.io.tmpdir")))
                .as("outside the OS temporary directory, which Kafka Streams warns about").isFalse();
    }

    @Test
    void settingsBuiltInCodeObeyTheFilesRules() {
        assertThatThrownBy(() -> Processing.builder().settle(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("settle-ms: -1 is below the minimum 0");
        assertThatThrownBy(() -> Processing.builder().maxEventTimeSkew(Duration.ofHours(1)).build())
                .hasMessageStartingWith("max-event-time-skew-ms: 3600000 must stay below");
        assertThatThrownBy(() -> Processing.builder().registryOutageMaxBlock(Duration.ofMinutes(5)).build())
                .hasMessageStartingWith("registry-outage-max-block-ms: 300000 must stay below max.poll.interval.ms");
        assertThatThrownBy(() -> Processing.builder().numStreamThreads(0).build())
                .hasMessage("num-stream-threads: 0 is below the minimum 1");
        assertThatThrownBy(() -> Processing.builder().consentHold(null).build())
                .hasMessage("consent-hold-ms: a value is required");
    }

    @Test
    void aBuilderChangesOnlyWhatItIsTold() {
        Processing p = Processing.defaults().toBuilder().guarantee(Guarantee.AT_LEAST_ONCE)
                .consentHold(Duration.ofSeconds(30)).build();

        assertThat(p.exactlyOnce()).isFalse();
        assertThat(p.consentHold()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.toBuilder().guarantee(Guarantee.EXACTLY_ONCE_V2).consentHold(Duration.ZERO).build())
                .isEqualTo(Processing.defaults());
    }
}
