package org.purposefirewall.kafkalocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LocalKafkaBrokerOptionsTest {

    @Test
    void shouldDefaultToEphemeralPortsATemporaryLogDirAndNoExtraProperties() {
        LocalKafkaBroker.Options options = LocalKafkaBroker.Options.defaults();

        assertThat(options.port()).isZero();
        assertThat(options.controllerPort()).isZero();
        assertThat(options.logDir()).isNull();
        assertThat(options.brokerProperties()).isEmpty();
    }

    @Test
    void shouldDeriveNewOptionsWithoutChangingTheOriginal() {
        LocalKafkaBroker.Options original = LocalKafkaBroker.Options.defaults();

        LocalKafkaBroker.Options derived = original.withPort(19092)
                .withControllerPort(19093)
                .withLogDir(Path.of("/tmp/x"))
                .withBrokerProperty("log.retention.ms", "1000")
                .withBrokerProperties(Map.of("num.partitions", "3"));

        assertThat(derived).isEqualTo(new LocalKafkaBroker.Options(19092, 19093, Path.of("/tmp/x"),
                Map.of("log.retention.ms", "1000", "num.partitions", "3")));
        assertThat(original).isEqualTo(LocalKafkaBroker.Options.defaults());
    }

    @Test
    void shouldCopyTheBrokerPropertiesSoLaterChangesToTheCallersMapDoNotLeakIn() {
        Map<String, String> properties = new HashMap<>(Map.of("num.partitions", "3"));
        LocalKafkaBroker.Options options = new LocalKafkaBroker.Options(0, 0, null, properties);

        properties.put("num.partitions", "7");

        assertThat(options.brokerProperties()).containsExactly(Map.entry("num.partitions", "3"));
        assertThatThrownBy(() -> options.brokerProperties().put("a", "b"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldRejectPropertiesThatThePortsAndLogDirDetermine() {
        assertThatThrownBy(() -> LocalKafkaBroker.Options.defaults()
                .withBrokerProperties(Map.of("listeners", "PLAINTEXT://0.0.0.0:9092", "log.dirs", "/x", "a", "b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[listeners, log.dirs]");
    }

    @Test
    void shouldRejectPortsOutOfRangeOrEqual() {
        assertThatThrownBy(() -> LocalKafkaBroker.Options.defaults().withPort(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> LocalKafkaBroker.Options.defaults().withControllerPort(65_536))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("controllerPort");
        assertThatThrownBy(() -> new LocalKafkaBroker.Options(19092, 19092, null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ");
    }

    @Test
    void shouldRejectNullPropertyValuesWithAMessage() {
        Map<String, String> properties = new HashMap<>();
        properties.put("num.partitions", null);

        assertThatThrownBy(() -> new LocalKafkaBroker.Options(0, 0, null, properties))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("num.partitions");
    }

    @Test
    void shouldConfigureASingleNodeBrokerOnLoopbackWithReplicationFactorOneEverywhere() {
        Map<String, String> properties =
                LocalKafkaBroker.brokerProperties(19092, 19093, Path.of("/data"), Map.of());

        assertThat(properties)
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("controller.quorum.voters", "1@127.0.0.1:19093")
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093")
                .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:19092")
                .containsEntry("log.dirs", "/data")
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("share.coordinator.state.topic.replication.factor", "1")
                .containsEntry("share.coordinator.state.topic.min.isr", "1")
                .containsEntry("group.initial.rebalance.delay.ms", "0")
                .containsEntry("auto.create.topics.enable", "false")
                .containsEntry("num.partitions", "1");
    }

    @Test
    void shouldLetExtraPropertiesOverrideTheDefaults() {
        Map<String, String> properties = LocalKafkaBroker.brokerProperties(19092, 19093, Path.of("/data"),
                Map.of("auto.create.topics.enable", "true"));

        assertThat(properties).containsEntry("auto.create.topics.enable", "true");
    }
}
