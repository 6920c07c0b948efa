package org.purposefirewall.config;

import org.apache.kafka.streams.StreamsConfig;

/** The processing guarantee, written in the configuration as Kafka's own value of {@code processing.guarantee}. */
public enum Guarantee {

    /** Every input record ends in exactly one output, also across failures (Kafka transactions). The default. */
    EXACTLY_ONCE_V2(StreamsConfig.EXACTLY_ONCE_V2),
    /** Faster; after a failure an output may be written twice. */
    AT_LEAST_ONCE(StreamsConfig.AT_LEAST_ONCE);

    private final String kafkaValue;

    Guarantee(String kafkaValue) {
        this.kafkaValue = kafkaValue;
    }

    /** Kafka Streams' value of {@code processing.guarantee}; also how the configuration file writes it. */
    public String kafkaValue() {
        return kafkaValue;
    }

    /** The Kafka value, so that logs and reports show what the configuration file says. */
    @Override
    public String toString() {
        return kafkaValue;
    }
}
