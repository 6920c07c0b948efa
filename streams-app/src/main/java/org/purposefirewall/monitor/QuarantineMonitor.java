package org.purposefirewall.monitor;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.purposefirewall.http.HttpEndpoint;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.serde.FirewallSerdes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quarantine monitor: its own Kafka consumer (read_committed, no consumer group, nothing committed) on the
 * quarantine and dead-letter topics, the redacted counts and latest records it keeps ({@link MonitorState}), and
 * the {@code /monitor} page and API over them ({@link #routes()}).
 *
 * <p><b>Rebuild.</b> It keeps nothing on disk. On {@link #start()} it seeks every partition of both topics to the
 * first offset whose timestamp (the input's event time, as the firewall writes it) is within
 * {@link MonitorSettings#lookback()} ({@code offsetsForTimes}), or to the end where there is none, and reads on from
 * there; so after a restart it shows the same window again. {@code caughtUp} in the summary turns true once it has
 * read to the end offsets it found at start. Partitions added later are picked up within 30 s.
 *
 * <p><b>Threads.</b> One daemon thread ({@code purpose-firewall-monitor}) owns the consumer; HTTP worker threads
 * only read snapshots. {@code start} once, {@code close} once (it waits for the thread up to 10 s). A broker outage
 * is retried by the consumer; a record it cannot decode is counted as unreadable and skipped. Logs carry topics,
 * partitions and counts, never a record's content.
 */
public final class QuarantineMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QuarantineMonitor.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final long ASSIGNMENT_REFRESH_MS = 30_000;

    private final MonitorSettings settings;
    private final FirewallSerdes serdes;
    private final Redaction redaction;
    private final Clock clock;
    private final MonitorState state;
    private final MonitorHttp http;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean caughtUp;
    private volatile long lastPollAt;
    private volatile String problem = "";
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    /**
     * @param settings what to read and how much to keep ({@link MonitorSettings#of} for the firewall's own)
     * @param serdes decodes the quarantine and dead-letter records (the firewall's, so the same registry)
     * @param normalizer normalizes a quarantined identifier for its digest prefix (the firewall's
     *     {@code identity:} options)
     * @param clock the wall clock of the rates, the chart and the lookback
     */
    public QuarantineMonitor(MonitorSettings settings, FirewallSerdes serdes, IdentifierNormalizer.Configured normalizer,
                             Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.serdes = Objects.requireNonNull(serdes, "serdes");
        this.redaction = new Redaction(Objects.requireNonNull(normalizer, "normalizer"));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.state = new MonitorState(clock, settings.latestRecords(), clock.millis() - settings.lookback().toMillis());
        this.http = new MonitorHttp(this);
    }

    /** The page at {@code /monitor} and the API below {@code /monitor/api/}, for {@link HttpEndpoint#start}. */
    public List<HttpEndpoint.Route> routes() {
        return http.routes();
    }

    /** Starts the consumer thread; returns at once (the rebuild runs on that thread). */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the quarantine monitor is started once");
        }
        consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "purpose-firewall-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    MonitorState.Summary summary() {
        return state.summary();
    }

    MonitorState.Latest latest() {
        return state.latest();
    }

    MonitorSettings settings() {
        return settings;
    }

    /** True once the rebuild has read to the end offsets found at start. */
    boolean caughtUp() {
        return caughtUp;
    }

    long lastPollAt() {
        return lastPollAt;
    }

    /** The consumer's last problem (an exception's class), empty while it reads. */
    String problem() {
        return problem;
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>(settings.clientProperties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "purpose-firewall-monitor");
        return props;
    }

    private void run() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        Set<TopicPartition> assigned = new HashSet<>();
        Map<TopicPartition, Long> rebuildEnd = new HashMap<>();
        long nextRefresh = 0;
        long read = 0;
        try {
            while (!closed.get()) {
                try {
                    if (clock.millis() >= nextRefresh) {
                        assign(c, assigned, rebuildEnd);
                        nextRefresh = clock.millis() + ASSIGNMENT_REFRESH_MS;
                    }
                    if (assigned.isEmpty()) {
                        Thread.sleep(POLL.toMillis());
                        nextRefresh = Math.min(nextRefresh, clock.millis() + 2_000);
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> record : c.poll(POLL)) {
                        apply(record);
                        read++;
                    }
                    lastPollAt = clock.millis();
                    problem = "";
                    if (!caughtUp && reachedEnd(c, rebuildEnd)) {
                        caughtUp = true;
                        LOG.atInfo().addKeyValue("records", read).addKeyValue("lookbackMs",
                                settings.lookback().toMillis()).log("quarantine monitor rebuilt");
                    }
                } catch (WakeupException e) {
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (RuntimeException e) {
                    if (closed.get()) {
                        break;
                    }
                    problem = e.getClass().getSimpleName();
                    LOG.atWarn().addKeyValue("error", e.getClass().getName())
                            .log("quarantine monitor cannot read its topics; retrying");
                    sleepQuietly(2_000);
                }
            }
        } finally {
            c.close(Duration.ofSeconds(5));
        }
    }

    private void assign(KafkaConsumer<byte[], byte[]> c, Set<TopicPartition> assigned,
                        Map<TopicPartition, Long> rebuildEnd) {
        List<TopicPartition> found = new ArrayList<>();
        for (String topic : List.of(settings.quarantineTopic(), settings.deadLetterTopic())) {
            List<PartitionInfo> partitions = c.partitionsFor(topic, Duration.ofSeconds(10));
            if (partitions != null) {
                partitions.forEach(p -> found.add(new TopicPartition(p.topic(), p.partition())));
            }
        }
        List<TopicPartition> added = found.stream().filter(tp -> !assigned.contains(tp)).toList();
        if (added.isEmpty()) {
            return;
        }
        assigned.addAll(added);
        c.assign(assigned);
        long from = clock.millis() - settings.lookback().toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        added.forEach(tp -> query.put(tp, from));
        Map<TopicPartition, OffsetAndTimestamp> offsets = c.offsetsForTimes(query, Duration.ofSeconds(10));
        Map<TopicPartition, Long> ends = c.endOffsets(added, Duration.ofSeconds(10));
        for (TopicPartition tp : added) {
            OffsetAndTimestamp at = offsets.get(tp);
            long start = at == null ? ends.get(tp) : at.offset();
            c.seek(tp, start);
            if (!caughtUp) {
                rebuildEnd.put(tp, ends.get(tp));
            }
        }
        LOG.atInfo().addKeyValue("partitions", added.size()).addKeyValue("lookbackMs",
                settings.lookback().toMillis()).log("quarantine monitor reading from the lookback");
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> rebuildEnd) {
        if (rebuildEnd.isEmpty()) {
            return false;
        }
        for (Map.Entry<TopicPartition, Long> e : rebuildEnd.entrySet()) {
            // Transaction markers occupy offsets too: the position passes the end offset found at start.
            if (c.position(e.getKey(), Duration.ofSeconds(5)) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            state.addUnreadable();
            return;
        }
        try {
            if (record.topic().equals(settings.quarantineTopic())) {
                state.add(redaction.quarantine(serdes.quarantine().decode(record.value())));
            } else {
                state.add(redaction.deadLetter(serdes.deadLetter().decode(record.value())));
            }
        } catch (RuntimeException e) {
            state.addUnreadable();
            LOG.atWarn().addKeyValue("topic", record.topic()).addKeyValue("partition", record.partition())
                    .addKeyValue("offset", record.offset()).addKeyValue("error", e.getClass().getSimpleName())
                    .log("quarantine monitor skipped a record it cannot read");
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
