package org.purposefirewall.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.purposefirewall.monitoring.MetricNames.Prometheus;
import org.purposefirewall.policy.Outcome;
import org.purposefirewall.policy.SetAsideRules.Wait;

/**
 * The firewall's domain metrics as Micrometer meters, with tags (names in {@link MetricNames.Prometheus}), for
 * {@code /metrics}. One per process, shared by every task: its {@link #factory()} opens one recorder per processor,
 * which also records the untagged Kafka Streams sensors ({@link StreamsFirewallMetrics}), so JMX and the
 * {@code KafkaStreams#metrics()} counters stay as they were.
 *
 * <p>Threads: this object and the meters are thread-safe; a recorder is confined to its processor's stream thread
 * (it caches its meters in a plain map).
 *
 * <p>Cardinality is bounded by construction: topics come from the configuration, reasons and rules from enums and
 * the policy's rule names, waits from {@link Wait}. The one producer-controlled tag, {@code source_system}, takes
 * at most {@link #MAX_SOURCE_SYSTEMS} distinct values per process (then {@value Prometheus#OTHER}), and only plain
 * names: anything that could be an identifier or a digest (an {@code @}, a {@code +}, a run of digits or of hex) is
 * {@value Prometheus#OTHER} too.
 */
public final class PrometheusFirewallMetrics {

    /** Distinct {@code source_system} values one process reports before it reports {@value Prometheus#OTHER}. */
    public static final int MAX_SOURCE_SYSTEMS = 100;

    /** A plain name: a letter, then letters, digits, {@code . _ -}; at most 64 characters. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,63}");
    /** A phone number's digits, or a digest's hex, inside a name. */
    private static final Pattern IDENTIFIER_LIKE = Pattern.compile(".*(?:[0-9]{6,}|[0-9a-fA-F]{16,}).*");

    private final MeterRegistry registry;
    private final AtomicLong[] waiting = new AtomicLong[Wait.values().length];
    private final AtomicLong waitingHeap = new AtomicLong();
    private final AtomicLong spilled = new AtomicLong();
    private final Set<String> sourceSystems = ConcurrentHashMap.newKeySet();

    /**
     * Registers the gauges ({@code records_waiting} for every wait, {@code records_waiting_heap_bytes},
     * {@code records_spilled}, {@code registry_available}, {@code ready}).
     *
     * @param health the registry's health as the serdes see it
     * @param ready true while Kafka Streams is RUNNING; read at every scrape, from the scraping thread
     */
    public PrometheusFirewallMetrics(MeterRegistry registry, RegistryHealth health, BooleanSupplier ready) {
        this.registry = registry;
        for (Wait wait : Wait.values()) {
            AtomicLong records = new AtomicLong();
            waiting[wait.ordinal()] = records;
            Gauge.builder(Prometheus.RECORDS_WAITING, records, AtomicLong::get)
                    .description("records in the set-aside buffer now, by what they wait for")
                    .tag(Prometheus.WAIT, tagOf(wait))
                    .register(registry);
        }
        Gauge.builder(Prometheus.RECORDS_WAITING_HEAP, waitingHeap, AtomicLong::get)
                .description("estimated heap the set-aside buffer's records take (see processing.max-held-heap-percent)")
                .register(registry);
        Gauge.builder(Prometheus.RECORDS_SPILLED, spilled, AtomicLong::get)
                .description("waiting records kept in the set-aside store only, past half the heap budget")
                .register(registry);
        Gauge.builder(Prometheus.REGISTRY_AVAILABLE, health, h -> h.isAvailable() ? 1 : 0)
                .description("1 while the schema registry answers, 0 during an outage")
                .strongReference(true)
                .register(registry);
        Gauge.builder(Prometheus.READY, ready, r -> r.getAsBoolean() ? 1 : 0)
                .description("1 while Kafka Streams is RUNNING (stores restored, tasks assigned)")
                .strongReference(true)
                .register(registry);
        // Present from the start, so that rate() and absent() work before the first late side record.
        Counter.builder(Prometheus.LATE_SIDE_RECORDS)
                .description("side records applied after a forward they should have prevented (each recalled)")
                .register(registry);
        Counter.builder(Prometheus.SHADOW_FAILURES)
                .description("shadow-mode decisions (or their writes) that failed; the enforcing outcome stands")
                .register(registry);
    }

    /**
     * Registers, at zero, the counters an alert watches before their first event: honeytoken hits for every data
     * topic, recalls for every reason. A counter that does not exist yet is no series for {@code increase()}, so its
     * first hit would not fire.
     */
    public void preRegister(java.util.Collection<String> dataTopics) {
        for (String topic : dataTopics) {
            Counter.builder(Prometheus.HONEYTOKEN_HITS).tag(Prometheus.TOPIC, orNone(topic)).register(registry);
        }
        for (org.purposefirewall.schema.RecallReason reason : org.purposefirewall.schema.RecallReason.values()) {
            Counter.builder(Prometheus.RECALLS).tag(Prometheus.REASON, reason.name()).register(registry);
        }
    }

    /** Opens, per processor, a recorder for these meters and the task's Kafka Streams sensors. */
    public FirewallMetrics.Factory factory() {
        return (streamsMetrics, taskId) -> recorder(new StreamsFirewallMetrics(streamsMetrics, taskId));
    }

    /** A recorder for these meters that also records into {@code sensors}. */
    FirewallMetrics recorder(FirewallMetrics sensors) {
        return new Recorder(sensors);
    }

    /** The estimated heap of the records in the set-aside buffers of this process's open processors now. */
    long waitingHeap() {
        return waitingHeap.get();
    }

    /** Records spilled by the set-aside buffers of this process's open processors now. */
    long spilled() {
        return spilled.get();
    }

    /** Records in the set-aside buffers of this process's open processors now. */
    long waiting(Wait wait) {
        return waiting[wait.ordinal()].get();
    }

    /** The {@code source_system} tag of {@code sourceSystem}: itself, {@value Prometheus#NONE} or {@value Prometheus#OTHER}. */
    String sourceSystemTag(String sourceSystem) {
        if (sourceSystem == null || sourceSystem.isBlank()) {
            return Prometheus.NONE;
        }
        if (!PLAIN_NAME.matcher(sourceSystem).matches() || IDENTIFIER_LIKE.matcher(sourceSystem).matches()) {
            return Prometheus.OTHER;
        }
        if (sourceSystems.contains(sourceSystem)) {
            return sourceSystem;
        }
        synchronized (sourceSystems) {
            if (sourceSystems.size() < MAX_SOURCE_SYSTEMS) {
                sourceSystems.add(sourceSystem);
                return sourceSystem;
            }
        }
        return Prometheus.OTHER;
    }

    static String tagOf(Wait wait) {
        return switch (wait) {
            case SCHEMA -> "schema";
            case SIDE_RECORDS -> "side_records";
            case CONSENT -> "consent";
        };
    }

    /** The {@value Prometheus#OUTCOME}-style tag of an outcome, as {@code purpose_firewall_decisions_total} has it. */
    static String tagOf(Outcome outcome) {
        return switch (outcome) {
            case FORWARD -> Prometheus.FORWARDED;
            case QUARANTINE -> Prometheus.QUARANTINED;
            case SUPPRESS -> Prometheus.SUPPRESSED;
        };
    }

    private static String orNone(String value) {
        return value == null || value.isEmpty() ? Prometheus.NONE : value;
    }

    /** One processor's recorder: confined to its stream thread. */
    private final class Recorder implements FirewallMetrics {

        private final FirewallMetrics sensors;
        private final Map<String, Counter> counters = new HashMap<>();
        private final int[] reported = new int[Wait.values().length];
        private long reportedHeap;
        private int reportedSpilled;

        Recorder(FirewallMetrics sensors) {
            this.sensors = sensors;
        }

        /** The counter {@code name} with {@code tags} (key, value pairs), registered on first use. */
        private Counter counter(String name, String... tags) {
            StringBuilder key = new StringBuilder(name);
            for (int i = 1; i < tags.length; i += 2) {
                key.append('\u0000').append(tags[i]);
            }
            return counters.computeIfAbsent(key.toString(), k -> Counter.builder(name).tags(tags).register(registry));
        }

        private void decision(String outcome, String topic, String reason, String rule) {
            counter(Prometheus.DECISIONS, Prometheus.OUTCOME, outcome, Prometheus.REASON, orNone(reason),
                    Prometheus.RULE, orNone(rule), Prometheus.TOPIC, orNone(topic)).increment();
        }

        @Override
        public void forwarded(String topic, String reason, String rule) {
            sensors.forwarded(topic, reason, rule);
            decision(Prometheus.FORWARDED, topic, reason, rule);
        }

        @Override
        public void quarantined(String topic, String reason, String rule, String sourceSystem) {
            sensors.quarantined(topic, reason, rule, sourceSystem);
            decision(Prometheus.QUARANTINED, topic, reason, rule);
            counter(Prometheus.QUARANTINES, Prometheus.REASON, orNone(reason),
                    Prometheus.SOURCE_SYSTEM, sourceSystemTag(sourceSystem), Prometheus.TOPIC, orNone(topic))
                    .increment();
        }

        @Override
        public void suppressed(String topic, String reason, String rule) {
            sensors.suppressed(topic, reason, rule);
            decision(Prometheus.SUPPRESSED, topic, reason, rule);
        }

        @Override
        public void deadLettered(String topic, String reason) {
            sensors.deadLettered(topic, reason);
            decision(Prometheus.DEAD_LETTERED, topic, reason, Prometheus.REJECTION_RULE);
            counter(Prometheus.DEAD_LETTERS, Prometheus.REASON, orNone(reason), Prometheus.TOPIC, orNone(topic))
                    .increment();
        }

        @Override
        public void honeytokenHit(String topic) {
            sensors.honeytokenHit(topic);
            counter(Prometheus.HONEYTOKEN_HITS, Prometheus.TOPIC, orNone(topic)).increment();
        }

        @Override
        public void recalled(String reason) {
            sensors.recalled(reason);
            counter(Prometheus.RECALLS, Prometheus.REASON, orNone(reason)).increment();
        }

        @Override
        public void lateSideRecord() {
            sensors.lateSideRecord();
            counter(Prometheus.LATE_SIDE_RECORDS).increment();
        }

        @Override
        public void shadowDisagreement(Outcome enforcing, Outcome shadow, String shadowRule) {
            sensors.shadowDisagreement(enforcing, shadow, shadowRule);
            counter(Prometheus.SHADOW_DISAGREEMENTS, Prometheus.ENFORCING, tagOf(enforcing),
                    Prometheus.SHADOW, tagOf(shadow), Prometheus.RULE, orNone(shadowRule)).increment();
        }

        @Override
        public void shadowFailure() {
            sensors.shadowFailure();
            counter(Prometheus.SHADOW_FAILURES).increment();
        }

        @Override
        public void waiting(Wait wait, int records) {
            int i = wait.ordinal();
            waiting[i].addAndGet(records - reported[i]);
            reported[i] = records;
        }

        @Override
        public void waitingHeap(long heapBytes, int spilledRecords) {
            waitingHeap.addAndGet(heapBytes - reportedHeap);
            reportedHeap = heapBytes;
            spilled.addAndGet(spilledRecords - reportedSpilled);
            reportedSpilled = spilledRecords;
        }

        @Override
        public void held() {
            sensors.held();
        }

        @Override
        public void parked() {
            sensors.parked();
        }

        @Override
        public void rehomed() {
            sensors.rehomed();
        }

        @Override
        public void settling() {
            sensors.settling();
        }

        /** Closes the sensors; this processor's waiting records no longer count (its task may move elsewhere). */
        @Override
        public void close() {
            for (Wait wait : Wait.values()) {
                waiting(wait, 0);
            }
            waitingHeap(0L, 0);
            sensors.close();
        }
    }
}
