package org.purposefirewall.monitoring;

/**
 * Every metric the firewall adds, in one place. Each route has a {@code -total} (cumulative count) and a
 * {@code -rate} (per second) metric in group {@value #GROUP}, tagged with the Kafka Streams {@code thread-id}, and
 * {@value #ENTITY_TAG} = the task id.
 */
public final class MetricNames {

    /** Scope passed to Kafka Streams; it prefixes the group as {@code stream-<scope>-metrics}. */
    public static final String SCOPE = "purpose-firewall";
    /** The metric group, as Kafka Streams names it. */
    public static final String GROUP = "stream-" + SCOPE + "-metrics";
    /** Tag holding the task id. */
    public static final String ENTITY_TAG = SCOPE + "-id";

    public static final String FORWARDED = "records-forwarded";
    public static final String QUARANTINED = "records-quarantined";
    public static final String SUPPRESSED = "records-suppressed";
    public static final String DEAD_LETTERED = "records-dead-lettered";
    /** Records that carried a honeytoken (also counted in records-quarantined): alert on any non-zero rate. */
    public static final String HONEYTOKEN_HITS = "honeytoken-hits";
    /** Records held for late consent; each is decided later, exactly once. */
    public static final String HELD = "records-held";
    /** Recall records: forwarded identifiers the ad side must delete (consent revoked, registered for security). */
    public static final String RECALLED = "identifiers-recalled";
    /** Records set aside while the schema registry did not answer; each is decided later, exactly once. */
    public static final String PARKED = "records-parked";

    /**
     * Records read off their user's home partition and re-homed (a producer uses a partitioner other than Kafka's
     * default murmur2); normal for librdkafka-based clients, never a gap: each is decided once, at home.
     */
    public static final String REHOMED = "records-rehomed";
    /** Data records that waited for side records committed before they were read (the side-record barrier). */
    public static final String SETTLING = "records-awaiting-side-records";

    /**
     * Side records applied too late: after a data record of their user had been forwarded for an event time at or
     * after their own (each such forward is recalled). Zero while side records reach the brokers before, or within
     * {@code processing.settle-ms} after, the data records they concern are read.
     */
    public static final String LATE_SIDE_RECORDS = "late-side-records";

    private MetricNames() {
    }

    public static String total(String operation) {
        return operation + "-total";
    }

    public static String rate(String operation) {
        return operation + "-rate";
    }
}
