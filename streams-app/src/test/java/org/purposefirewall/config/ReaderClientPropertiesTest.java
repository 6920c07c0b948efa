package org.purposefirewall.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

class ReaderClientPropertiesTest {

    private static final Map<String, String> PASS_THROUGH = Map.of(
            "group.protocol", "streams",
            "group.instance.id", "firewall-a",
            "session.timeout.ms", "6000",
            "heartbeat.interval.ms", "1500",
            "security.protocol", "SSL",
            "ssl.truststore.location", "/etc/kafka/truststore.jks",
            "fetch.max.bytes", "1048576",
            "num.standby.replicas", "1",
            "producer.linger.ms", "5");

    @Test
    void aReaderKeepsTheConsumerKeysButNotTheGroupMembershipOnes() {
        // Given a pass-through with group-membership, security, other consumer and non-consumer keys
        // When the reader's share is taken
        Map<String, Object> reader = ReaderClientProperties.of(PASS_THROUGH);

        // Then security and other consumer keys stay, and group membership and non-consumer keys go
        assertThat(reader).containsOnly(
                Map.entry("security.protocol", "SSL"),
                Map.entry("ssl.truststore.location", "/etc/kafka/truststore.jks"),
                Map.entry("fetch.max.bytes", "1048576"));
        assertThat(ReaderClientProperties.GROUP_KEYS).allSatisfy(key ->
                assertThat(ConsumerConfig.configNames()).as("a consumer key").contains(key));
    }

    @Test
    void theQuarantineMonitorsSettingsKeepOnlyAReadersShare() {
        // Given the monitor's settings built from a pass-through with group, security and non-consumer keys
        // When they are made (the record's constructor, whoever calls it)
        org.purposefirewall.monitor.MonitorSettings settings = new org.purposefirewall.monitor.MonitorSettings(
                "127.0.0.1:9", "q", "dl", null, 10, new HashMap<>(PASS_THROUGH));

        // Then the monitor's consumer gets what any reader gets
        assertThat(settings.clientProperties()).isEqualTo(ReaderClientProperties.of(PASS_THROUGH));
        assertThat(settings.clientProperties()).doesNotContainKeys("group.protocol", "group.instance.id",
                "session.timeout.ms").containsKey("security.protocol");
    }

    @Test
    void theStreamsProtocolInThePassThroughLeavesAReaderAConsumerKafkaAccepts() {
        // Given the streams rebalance protocol, which a plain consumer refuses as a group.protocol
        Map<String, String> streams = Map.of("group.protocol", "streams", "fetch.max.bytes", "1048576");

        // When a reader consumer is built from its share (as the quarantine monitor and the commands build theirs)
        Map<String, Object> props = new HashMap<>(ReaderClientProperties.of(streams));
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");

        // Then Kafka accepts it, where the unfiltered pass-through is refused
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            assertThat(consumer.assignment()).isEmpty();
        }
        Map<String, Object> unfiltered = new HashMap<>(streams);
        unfiltered.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        assertThatThrownBy(() -> new KafkaConsumer<>(unfiltered, new ByteArrayDeserializer(),
                new ByteArrayDeserializer()).close())
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("group.protocol");
    }
}
