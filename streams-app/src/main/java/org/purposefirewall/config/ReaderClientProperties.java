package org.purposefirewall.config;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The consumer settings of a reader beside the Kafka Streams application (the quarantine monitor, the audit, explain
 * and exposure-report commands): every consumer key of the {@code streams:} pass-through, security settings above
 * all, so that a reader reaches the cluster as the service does, but none of the group-membership keys. Those
 * configure the application's own group; a reader assigns its partitions itself and joins no group, and some of them
 * would be wrong for it ({@code group.protocol: streams} is not a protocol a plain consumer accepts).
 */
public final class ReaderClientProperties {

    /** Keys that belong to the application's group membership, not to a reader. */
    static final Set<String> GROUP_KEYS = Set.of(
            ConsumerConfig.GROUP_ID_CONFIG,
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
            ConsumerConfig.GROUP_PROTOCOL_CONFIG,
            ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG,
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);

    private ReaderClientProperties() {
    }

    /** The consumer keys of {@code streams} (the pass-through), without the group-membership keys. */
    public static Map<String, Object> of(Map<String, ?> streams) {
        Map<String, Object> reader = new TreeMap<>();
        streams.forEach((key, value) -> {
            if (ConsumerConfig.configNames().contains(key) && !GROUP_KEYS.contains(key)) {
                reader.put(key, value);
            }
        });
        return reader;
    }
}
