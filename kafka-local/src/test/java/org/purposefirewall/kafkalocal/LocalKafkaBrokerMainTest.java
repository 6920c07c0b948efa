package org.purposefirewall.kafkalocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LocalKafkaBrokerMainTest {

    @Test
    void shouldUseFixedNonDefaultKafkaPortsAndATemporaryDirectoryWithoutArguments() {
        assertThat(LocalKafkaBrokerMain.parseArguments())
                .isEqualTo(new LocalKafkaBroker.Options(19092, 19093, null, Map.of()));
    }

    @Test
    void shouldAcceptTheFlagsInAnyOrder() {
        LocalKafkaBroker.Options expected = new LocalKafkaBroker.Options(19093, 19094, Path.of("data"), Map.of());

        assertThat(LocalKafkaBrokerMain.parseArguments("--port", "19093", "--controller-port", "19094",
                "--log-dir", "data")).isEqualTo(expected);
        assertThat(LocalKafkaBrokerMain.parseArguments("--log-dir", "data", "--controller-port", "19094",
                "--port", "19093")).isEqualTo(expected);
    }

    @Test
    void shouldAnswerHelpWithNoOptions() {
        assertThat(LocalKafkaBrokerMain.parseArguments("--port", "1", "--help")).isNull();
    }

    @Test
    void shouldNameTheArgumentItCannotUse() {
        assertThatThrownBy(() -> LocalKafkaBrokerMain.parseArguments("--bootstrap", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bootstrap");
        assertThatThrownBy(() -> LocalKafkaBrokerMain.parseArguments("--port"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--port");
        assertThatThrownBy(() -> LocalKafkaBrokerMain.parseArguments("--port", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
        assertThatThrownBy(() -> LocalKafkaBrokerMain.parseArguments("--controller-port", "70000"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
    }
}
