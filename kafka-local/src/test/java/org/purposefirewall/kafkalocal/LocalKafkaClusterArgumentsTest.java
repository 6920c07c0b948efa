package org.purposefirewall.kafkalocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link LocalKafkaCluster} and its two mains accept and refuse, without starting a node. */
class LocalKafkaClusterArgumentsTest {

    @TempDir
    Path tempDir;

    @Test
    void shouldReplicateThreeTimesWithMinIsrTwoAndNoUncleanElectionByDefault() {
        assertThat(LocalKafkaCluster.DEFAULT_BROKER_PROPERTIES)
                .containsEntry("default.replication.factor", "3")
                .containsEntry("min.insync.replicas", "2")
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("transaction.state.log.replication.factor", "3")
                .containsEntry("transaction.state.log.min.isr", "2")
                .containsEntry("unclean.leader.election.enable", "false");
    }

    @Test
    void shouldCapReplicationByTheNodeCountSoThatASmallerClusterCanCreateItsInternalTopics() {
        assertThat(LocalKafkaCluster.clusterDefaults(1))
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1");
    }

    @Test
    void shouldShareTheNodeSettingsWithTheSingleBrokerAndLetTheClusterDefaultsOverrideThem() {
        Map<String, String> node = KRaftNode.properties(2, 40002, 40003, "1@127.0.0.1:40001,2@127.0.0.1:40003",
                Path.of("/data"), LocalKafkaCluster.DEFAULT_BROKER_PROPERTIES);

        assertThat(node)
                .containsEntry("node.id", "2")
                .containsEntry("controller.quorum.voters", "1@127.0.0.1:40001,2@127.0.0.1:40003")
                .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:40002")
                .containsEntry("group.initial.rebalance.delay.ms", "0")
                .containsEntry("offsets.topic.replication.factor", "3");
    }

    @Test
    void shouldRefuseANonEmptyDirectoryReservedKeysAndNoNodes() throws Exception {
        Files.writeString(tempDir.resolve("something"), "x");

        assertThatThrownBy(() -> LocalKafkaCluster.start(3, tempDir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be empty or absent");
        assertThatThrownBy(() -> LocalKafkaCluster.start(3, null, Map.of("node.id", "7")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[node.id]");
        assertThatThrownBy(() -> LocalKafkaCluster.start(0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }

    @Test
    void shouldParseTheClusterMainArguments() {
        assertThat(LocalKafkaClusterMain.parseArguments())
                .isEqualTo(new LocalKafkaClusterMain.Arguments(3, null));
        assertThat(LocalKafkaClusterMain.parseArguments("--dir", "/tmp/c", "--nodes", "5"))
                .isEqualTo(new LocalKafkaClusterMain.Arguments(5, Path.of("/tmp/c")));
        assertThat(LocalKafkaClusterMain.parseArguments("--help")).isNull();
        assertThatThrownBy(() -> LocalKafkaClusterMain.parseArguments("--nodes", "0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> LocalKafkaClusterMain.parseArguments("--port", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unknown argument --port");
    }

    @Test
    void shouldRequireEveryNodeMainArgument() {
        LocalKafkaNodeMain.Arguments parsed = LocalKafkaNodeMain.parseArguments("--node-id", "2", "--port", "1",
                "--controller-port", "2", "--quorum-voters", "2@127.0.0.1:2", "--log-dir", "/d",
                "--properties", "/p", "--owner-pid", "42");

        assertThat(parsed).isEqualTo(new LocalKafkaNodeMain.Arguments(2, 1, 2, "2@127.0.0.1:2", Path.of("/d"),
                Path.of("/p"), 42));
        assertThatThrownBy(() -> LocalKafkaNodeMain.parseArguments("--node-id", "2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Missing --port");
    }
}
