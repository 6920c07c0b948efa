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

    /**
     * Shadow mode: data records on which the candidate policy ({@code shadow-policy-file}) gave another outcome or
     * another deciding rule than the enforcing one. The enforcing outcome is unchanged.
     */
    public static final String SHADOW_DISAGREEMENTS = "shadow-disagreements";
    /** Shadow mode: records whose shadow decision or its write failed; the enforcing outcome is unchanged. */
    public static final String SHADOW_FAILURES = "shadow-failures";

    /**
     * The metrics {@code /metrics} exports in Prometheus' text format, as Micrometer names them (dots; the Prometheus
     * registry writes them with underscores and a {@code _total} suffix on counters): the exported name is in each
     * constant's doc. Alert rules are written against the exported names: never rename one.
     */
    public static final class Prometheus {

        /** {@code purpose_firewall_decisions_total{outcome,reason,rule,topic}}: one per input record decided. */
        public static final String DECISIONS = "purpose.firewall.decisions";
        /** {@code purpose_firewall_quarantines_total{reason,source_system,topic}}. */
        public static final String QUARANTINES = "purpose.firewall.quarantines";
        /** {@code purpose_firewall_dead_letters_total{reason,topic}}. */
        public static final String DEAD_LETTERS = "purpose.firewall.dead.letters";
        /** {@code purpose_firewall_recalls_total{reason}}: recall records. */
        public static final String RECALLS = "purpose.firewall.recalls";
        /** {@code purpose_firewall_honeytoken_hits_total{topic}}: alert on any increase. */
        public static final String HONEYTOKEN_HITS = "purpose.firewall.honeytoken.hits";
        /** {@code purpose_firewall_records_waiting{wait}} (gauge): records in the set-aside buffer now. */
        public static final String RECORDS_WAITING = "purpose.firewall.records.waiting";
        /**
         * {@code purpose_firewall_records_waiting_heap_bytes} (gauge): the estimated heap the set-aside buffer's
         * records take, against the budget {@code processing.max-held-heap-percent}.
         */
        public static final String RECORDS_WAITING_HEAP = "purpose.firewall.records.waiting.heap.bytes";
        /**
         * {@code purpose_firewall_records_spilled} (gauge): waiting records kept in the set-aside store only, read
         * back when they leave (past half the heap budget).
         */
        public static final String RECORDS_SPILLED = "purpose.firewall.records.spilled";
        /** {@code purpose_firewall_late_side_records_total}. */
        public static final String LATE_SIDE_RECORDS = "purpose.firewall.late.side.records";
        /**
         * {@code purpose_firewall_shadow_disagreements_total{enforcing,shadow,rule}}: records the shadow policy
         * decided otherwise; {@code enforcing} and {@code shadow} are outcomes, {@code rule} the shadow's rule.
         */
        public static final String SHADOW_DISAGREEMENTS = "purpose.firewall.shadow.disagreements";
        /** {@code purpose_firewall_shadow_failures_total}: shadow decisions (or their writes) that failed. */
        public static final String SHADOW_FAILURES = "purpose.firewall.shadow.failures";
        /** {@code purpose_firewall_registry_available} (gauge, 0 or 1). */
        public static final String REGISTRY_AVAILABLE = "purpose.firewall.registry.available";
        /** {@code purpose_firewall_ready} (gauge, 0 or 1): Kafka Streams is RUNNING, as {@code /health/ready}. */
        public static final String READY = "purpose.firewall.ready";

        public static final String OUTCOME = "outcome";
        public static final String REASON = "reason";
        public static final String RULE = "rule";
        public static final String TOPIC = "topic";
        public static final String SOURCE_SYSTEM = "source_system";
        public static final String WAIT = "wait";
        /** The enforcing policy's outcome ({@link #FORWARDED}, {@link #QUARANTINED}, {@link #SUPPRESSED}). */
        public static final String ENFORCING = "enforcing";
        /** The shadow policy's outcome ({@link #FORWARDED}, {@link #QUARANTINED}, {@link #SUPPRESSED}). */
        public static final String SHADOW = "shadow";

        /** {@value #OUTCOME} values. */
        public static final String FORWARDED = "forwarded";
        public static final String QUARANTINED = "quarantined";
        public static final String SUPPRESSED = "suppressed";
        public static final String DEAD_LETTERED = "dead_lettered";
        /** The {@value #RULE} of a dead letter: rejections have a reason, not a policy rule. */
        public static final String REJECTION_RULE = "rejection";
        /** A tag whose value is absent (no rule, no matched registration). */
        public static final String NONE = "none";
        /** The {@value #SOURCE_SYSTEM} past the cap of distinct values, or one that is not a plain name. */
        public static final String OTHER = "other";

        private Prometheus() {
        }
    }

    private MetricNames() {
    }

    public static String total(String operation) {
        return operation + "-total";
    }

    public static String rate(String operation) {
        return operation + "-rate";
    }
}
