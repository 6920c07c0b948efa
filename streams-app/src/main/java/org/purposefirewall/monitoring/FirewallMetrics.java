package org.purposefirewall.monitoring;

/** Counts where records went. Implementations are confined to one stream task's thread. */
public interface FirewallMetrics extends AutoCloseable {

    void forwarded();

    void quarantined();

    void suppressed();

    void deadLettered();

    /**
     * A honeytoken reached a guarded topic: high severity, alert on any increase. The record was also counted as
     * quarantined.
     */
    void honeytokenHit();

    /** A record of a user without consent was held for late consent (processing.consent-hold-ms). */
    void held();

    /** A forwarded identifier was recalled (one recall record). */
    void recalled();

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
     * A side record (consent, registration) was applied after a data record it concerns had been forwarded for an
     * event time at or after the side record's own (rule {@code late.side-record}): the forward is recalled. Counted
     * once per side record.
     */
    void lateSideRecord();

    /** Unregisters the metrics. */
    @Override
    void close();

    /** Metrics that record nothing, for code paths that are not measured. */
    FirewallMetrics NONE = new FirewallMetrics() {
        @Override
        public void forwarded() {
        }

        @Override
        public void quarantined() {
        }

        @Override
        public void suppressed() {
        }

        @Override
        public void deadLettered() {
        }

        @Override
        public void honeytokenHit() {
        }

        @Override
        public void recalled() {
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
        public void close() {
        }
    };
}
