package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.GroupInstanceId;
import org.purposefirewall.config.Processing;

class StreamsSettingsTest {

    private static final FirewallConfig SHIPPED = new ConfigLoader().load(Path.of("..", "config", "application.yaml"));

    @Test
    void theDefaultsGiveAStaticMemberIdButNeitherTransactionalStoresNorStandbys() {
        // Given the shipped configuration (restart keys at their defaults)
        // When its Kafka Streams properties are built
        Properties props = StreamsSettings.of(SHIPPED);

        // Then the main consumer gets the derived static member id (Kafka Streams adds the thread suffix)
        String expected = GroupInstanceId.DERIVED.resolve(SHIPPED.processing().stateDir(),
                GroupInstanceId.localHostName()).orElseThrow();
        assertThat(props.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)).isEqualTo(expected);
        assertThat(props.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(0);
        // Kafka's interval is the ceiling (1 s); the topology's CommitPacer asks for commits from 50 ms on.
        assertThat(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(1000L);
        // and transactional stores are off, so RocksDB keeps Kafka's own options
        assertThat(props.get(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG)).isEqualTo(false)
                .isEqualTo(Processing.TRANSACTIONAL_STATE_STORES.defaultValue());
        assertThat(props).doesNotContainKeys(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                org.purposefirewall.topology.SmallMemtables.WRITE_BUFFER_BYTES_CONFIG);
        // and the internal side-records topic, the one source without an extractor of its own, is read first
        assertThat(props.get(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG))
                .isEqualTo(org.purposefirewall.topology.SideRecordsFirst.class);
        // and Kafka accepts them
        StreamsConfig config = new StreamsConfig(props);
        assertThat(config.defaultTimestampExtractor())
                .isInstanceOf(org.purposefirewall.topology.SideRecordsFirst.class);
        assertThat(config.getMainConsumerConfigs("g", "c", 0).get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
                .isEqualTo(expected + "-0");
    }

    @Test
    void transactionalStoresGetSmallMemtables() {
        FirewallConfig config = SHIPPED.withProcessing(SHIPPED.processing().toBuilder()
                .transactionalStateStores(true).build());

        Properties props = StreamsSettings.of(config);

        assertThat(props.get(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG)).isEqualTo(true);
        // every RocksDB store gets 1 MiB memtables, which bound what a kill -9 leaves to restore
        assertThat(props.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
                .isEqualTo(org.purposefirewall.topology.SmallMemtables.class);
        assertThat(props.get(org.purposefirewall.topology.SmallMemtables.WRITE_BUFFER_BYTES_CONFIG))
                .isEqualTo(1024L * 1024L);
        assertThat(new StreamsConfig(props).getBoolean(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG)).isTrue();
    }

    @Test
    void withoutTransactionalStoresTheWriteBufferKeyIsIgnored() {
        FirewallConfig config = SHIPPED.withProcessing(SHIPPED.processing().toBuilder()
                .transactionalStateStores(false).storeWriteBufferBytes(65_536).build());

        Properties props = StreamsSettings.of(config);

        assertThat(props.get(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG)).isEqualTo(false);
        assertThat(props).doesNotContainKeys(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                org.purposefirewall.topology.SmallMemtables.WRITE_BUFFER_BYTES_CONFIG);
    }

    @Test
    void noStaticMemberIdLeavesGroupInstanceIdUnset() {
        FirewallConfig config = SHIPPED.withProcessing(SHIPPED.processing().toBuilder()
                .groupInstanceId(GroupInstanceId.NONE).numStandbyReplicas(1).transactionalStateStores(false).build());

        Properties props = StreamsSettings.of(config);

        assertThat(props).doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        assertThat(props.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
        assertThat(props.get(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG)).isEqualTo(false);
        assertThat(new StreamsConfig(props).getMainConsumerConfigs("g", "c", 0))
                .doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    }

    @Test
    void anExplicitIdIsPassedAsGiven() {
        Properties props = StreamsSettings.of(SHIPPED, Optional.of("firewall-7"));

        assertThat(props.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)).isEqualTo("firewall-7");
    }

    @Test
    void validatePrintsTheRestartSettings() {
        var shown = EffectiveConfig.of(SHIPPED);

        assertThat(shown.get("processing.group-instance-id")).endsWith("(derived from the host name and state-dir)");
        assertThat(shown.get("processing.num-standby-replicas")).isEqualTo("0");
        assertThat(shown.get("processing.transactional-state-stores")).isEqualTo("false");
        assertThat(shown.get("processing.store-write-buffer-bytes")).isEqualTo("1048576");
        assertThat(EffectiveConfig.of(SHIPPED.withProcessing(SHIPPED.processing().toBuilder()
                .groupInstanceId(GroupInstanceId.NONE).build())).get("processing.group-instance-id"))
                .isEqualTo("none (dynamic membership)");
    }
}
