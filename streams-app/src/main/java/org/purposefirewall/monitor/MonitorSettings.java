package org.purposefirewall.monitor;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.ReaderClientProperties;

/**
 * What the quarantine monitor reads and how much it keeps.
 *
 * @param bootstrapServers the Kafka cluster
 * @param quarantineTopic the firewall's quarantine topic ({@code topics.quarantine})
 * @param deadLetterTopic the firewall's dead-letter topic ({@code topics.dead-letter})
 * @param lookback how far back (by record timestamp, the input's event time) the monitor reads on start; at least
 *     one minute
 * @param latestRecords how many of the latest quarantined and of the latest dead-lettered records it keeps (1 to
 *     1,000)
 * @param clientProperties further consumer properties (security settings); only a reader's share is kept
 *     ({@link ReaderClientProperties}: consumer keys, none of the group ones)
 */
public record MonitorSettings(String bootstrapServers, String quarantineTopic, String deadLetterTopic,
                              Duration lookback, int latestRecords, Map<String, Object> clientProperties) {

    /** The default lookback: the last 24 hours. */
    public static final Duration DEFAULT_LOOKBACK = Duration.ofHours(24);
    /** The default number of latest records kept per topic. */
    public static final int DEFAULT_LATEST_RECORDS = 50;

    public MonitorSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(quarantineTopic, "quarantineTopic");
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        lookback = lookback == null ? DEFAULT_LOOKBACK : lookback;
        if (lookback.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("lookback: " + lookback + " is shorter than one minute");
        }
        if (latestRecords < 1 || latestRecords > 1_000) {
            throw new IllegalArgumentException("latestRecords: " + latestRecords + " is not within 1 to 1000");
        }
        clientProperties = Map.copyOf(clientProperties == null ? Map.of()
                : ReaderClientProperties.of(clientProperties));
    }

    /**
     * The firewall's own cluster, topics and client settings ({@code streams:} pass-through, so the same security
     * settings), with the default lookback and number of latest records.
     */
    public static MonitorSettings of(FirewallConfig config) {
        return new MonitorSettings(config.bootstrapServers(), config.topics().quarantine(),
                config.topics().deadLetter(), DEFAULT_LOOKBACK, DEFAULT_LATEST_RECORDS, Map.copyOf(config.streams()));
    }

    public MonitorSettings withLookback(Duration other) {
        return new MonitorSettings(bootstrapServers, quarantineTopic, deadLetterTopic, other, latestRecords,
                clientProperties);
    }
}
