package org.purposefirewall.monitoring;

import org.apache.kafka.streams.StreamsMetrics;
import org.purposefirewall.policy.Outcome;
import org.purposefirewall.policy.SetAsideRules.Wait;

/**
 * Counts where records went. One instance per processor, opened in its {@code init} by a {@link Factory} and closed
 * in its {@code close}; confined to that processor's stream thread.
 *
 * <p>Every argument is a tag value: a topic name, a {@code Reason} or {@code Rejection} name, a policy rule, or a
 * registration's source system (which an implementation must bound, as it is producer-controlled text). Never a
 * key, a user id, an identifier or a digest.
 */
public interface FirewallMetrics extends AutoCloseable {

    /**
     * Opens the metrics of one processor of one task. Called on the task's stream thread, once per processor
     * instance.
     */
    @FunctionalInterface
    interface Factory {
        FirewallMetrics open(StreamsMetrics metrics, String taskId);

        /** Kafka Streams sensors only ({@link StreamsFirewallMetrics}): what the topology uses by default. */
        Factory KAFKA_SENSORS = StreamsFirewallMetrics::new;
    }

    /**
     * A record read from {@code topic} whose identifiers were forwarded (counted once per record, not per
     * identifier), by the decision's reason and rule.
     */
    void forwarded(String topic, String reason, String rule);

    /**
     * A record read from {@code topic} was quarantined.
     *
     * @param sourceSystem the matched registration's source system, or null when none matched (a honeytoken, the
     *     tripwire)
     */
    void quarantined(String topic, String reason, String rule, String sourceSystem);

    /** A record read from {@code topic} was suppressed. */
    void suppressed(String topic, String reason, String rule);

    /** A record read from {@code topic} was dead-lettered, for {@code reason} (a {@code Rejection} name). */
    void deadLettered(String topic, String reason);

    /**
     * A honeytoken reached the guarded topic {@code topic}: high severity, alert on any increase. The record was
     * also counted as quarantined.
     */
    void honeytokenHit(String topic);

    /** A record of a user without consent was held for late consent (processing.consent-hold-ms). */
    void held();

    /** A forwarded identifier was recalled (one recall record), for {@code reason} (a {@code RecallReason} name). */
    void recalled(String reason);

    /** A record was set aside until the schema registry answers (see {@code Names.SET_ASIDE_STORE}). */
    void parked();

    /**
     * A record was read off its user's home partition (its producer's partitioner is not Kafka's default) and sent
     * home through the firewall's internal side-records topic.
     */
    void rehomed();

    /** A data record waited for side records committed before it was read (the side-record barrier). */
    void settling();

    /**
     * The processor's set-aside buffer now holds {@code records} records waiting for {@code wait}. Reported after
     * every change, and once when the buffer is restored; a closed processor's records no longer count.
     */
    default void waiting(Wait wait, int records) {
    }

    /**
     * The processor's set-aside buffer's records now take an estimated {@code heapBytes} of heap, and {@code spilled}
     * of them are kept in its store only (past half of {@code processing.max-held-heap-percent}). Reported after
     * every change, and once when the buffer is restored; a closed processor's records no longer count.
     */
    default void waitingHeap(long heapBytes, int spilled) {
    }

    /**
     * A side record (consent, registration) was applied after a data record it concerns had been forwarded for an
     * event time at or after the side record's own (rule {@code late.side-record}): the forward is recalled. Counted
     * once per side record.
     */
    void lateSideRecord();

    /**
     * Shadow mode: the candidate policy decided a record otherwise than the enforcing one (another outcome, or the
     * same outcome by another rule). Counted once per record, beside the enforcing outcome's own count.
     *
     * @param shadowRule the rule that decided under the candidate policy
     */
    void shadowDisagreement(Outcome enforcing, Outcome shadow, String shadowRule);

    /** Shadow mode: the candidate policy's decision of a record, or writing it, failed. The enforcing one stands. */
    void shadowFailure();

    /** Unregisters the metrics. */
    @Override
    void close();

    /** Metrics that record nothing, for code paths that are not measured. */
    FirewallMetrics NONE = new FirewallMetrics() {
        @Override
        public void forwarded(String topic, String reason, String rule) {
        }

        @Override
        public void quarantined(String topic, String reason, String rule, String sourceSystem) {
        }

        @Override
        public void suppressed(String topic, String reason, String rule) {
        }

        @Override
        public void deadLettered(String topic, String reason) {
        }

        @Override
        public void honeytokenHit(String topic) {
        }

        @Override
        public void recalled(String reason) {
        }

        @Override
        public void held() {
        }

        @Override
        public void parked() {
        }

        @Override
        public void rehomed() {
        }

        @Override
        public void settling() {
        }

        @Override
        public void lateSideRecord() {
        }

        @Override
        public void shadowDisagreement(Outcome enforcing, Outcome shadow, String shadowRule) {
        }

        @Override
        public void shadowFailure() {
        }

        @Override
        public void close() {
        }
    };
}
