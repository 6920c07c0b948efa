package org.purposefirewall.app;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.purposefirewall.topology.SideRecordBarrier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The side-record barrier, from what the brokers say. Every {@code pollMs} it reads, in this order: the end offsets
 * of every side-input partition (read_committed), the application's committed offsets, and the high watermarks of
 * the internal side-records topic. Then:
 * <ol>
 *   <li>once the intake's committed offsets reach a side snapshot taken at time T, every side record committed
 *       before T has been re-homed, and (exactly-once: offsets and outputs commit together) its copy has been
 *       appended to the internal topic in a committed transaction, below the high watermarks read right after (the
 *       transaction's marker may not have reached that partition yet, so its last stable offset may still be
 *       lower);</li>
 *   <li>once the deciding task of home partition p has committed past that high watermark of p, it has
 *       applied all of them: {@code settledThrough(p)} becomes T.</li>
 * </ol>
 * Offsets, not timing, decide it, so it holds however loaded the machine is and whatever partitioner wrote a side
 * record. Kafka Streams commits the consumer's position when only transaction markers remain, so a caught-up
 * partition reaches its end offset. Thread-safe: one daemon thread polls; stream threads only read.
 */
public final class BrokerSideRecordBarrier implements SideRecordBarrier, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerSideRecordBarrier.class);
    private static final int MAX_PENDING = 1_000;
    private static final long REQUEST_TIMEOUT_MS = 10_000;
    private static final long LAG_WARNING_MS = 10_000;
    private static final long LAG_WARNING_INTERVAL_MS = 30_000;

    private final Offsets brokers;
    private final List<TopicPartition> side;
    private final List<TopicPartition> home;
    private final long pollMs;
    private final LongSupplier clock;
    /** This instance's stream threads' activity ({@link ThreadActivity}), told with the lag warning. */
    private final Supplier<String> threads;
    /** Where the deciding tasks of home partitions are on this instance ({@link TaskPlaces}), told with it. */
    private final Function<List<Integer>, String> tasks;
    private final AtomicLongArray settled;
    private final Deque<Snapshot> unrouted = new ArrayDeque<>();
    private final Deque<Snapshot> unapplied = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** Kafka Streams creates the internal topic once it runs; until then nothing can be settled. */
    private boolean homeExists;
    private long lastWarning;
    /** When polling began: lag is counted from here until a partition first settles. */
    private volatile long startedAt;
    private long lastFailureLog;
    /** The committed offsets of the last round, for {@link #holdUp()}; read by this thread only. */
    private Map<TopicPartition, Long> lastCommitted = Map.of();

    private record Snapshot(long time, Map<TopicPartition, Long> offsets) {
    }

    /**
     * A transaction the brokers hold open: its transactional id (Kafka Streams': application id, process id and
     * thread index, so it names the instance and thread), when it began (-1 if the coordinator did not say), its
     * timeout, and the partitions of the topic asked about that it has written to.
     */
    record OpenTransaction(String transactionalId, long startedAtMs, long timeoutMs, List<Integer> partitions) {
    }

    /** What the barrier reads from the brokers; {@link #admin(Admin, String)} is the real one. */
    interface Offsets extends AutoCloseable {
        /** End offsets, read_committed (the last stable offset). */
        Map<TopicPartition, Long> ends(List<TopicPartition> partitions) throws Exception;

        /** High watermarks: every record appended, committed or not. */
        Map<TopicPartition, Long> highWatermarks(List<TopicPartition> partitions) throws Exception;

        /** Log start offsets. */
        Map<TopicPartition, Long> starts(List<TopicPartition> partitions) throws Exception;

        /** The group's committed offsets; partitions without one are absent. */
        Map<TopicPartition, Long> committed() throws Exception;

        /** True if the topic exists (asking for the offsets of one that does not makes the admin client log errors). */
        boolean exists(String topic) throws Exception;

        /**
         * The transactions open now that have written to {@code topic}, for the lag warning: a deciding task can
         * read its re-homed side records only up to the first record of the oldest transaction still open on its
         * partition, whoever's it is (a dead instance's stays open until its restart fences it or it times out).
         */
        List<OpenTransaction> openTransactions(String topic) throws Exception;

        @Override
        void close();
    }

    static Offsets admin(Admin admin, String groupId) {
        return new Offsets() {
            @Override
            public Map<TopicPartition, Long> ends(List<TopicPartition> partitions) throws Exception {
                return list(partitions, OffsetSpec.latest(), IsolationLevel.READ_COMMITTED);
            }

            @Override
            public Map<TopicPartition, Long> highWatermarks(List<TopicPartition> partitions) throws Exception {
                return list(partitions, OffsetSpec.latest(), IsolationLevel.READ_UNCOMMITTED);
            }

            @Override
            public Map<TopicPartition, Long> starts(List<TopicPartition> partitions) throws Exception {
                return list(partitions, OffsetSpec.earliest(), IsolationLevel.READ_COMMITTED);
            }

            private Map<TopicPartition, Long> list(List<TopicPartition> partitions, OffsetSpec spec,
                                                   IsolationLevel isolation) throws Exception {
                Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
                partitions.forEach(tp -> specs.put(tp, spec));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin
                        .listOffsets(specs, new ListOffsetsOptions(isolation))
                        .all().get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                Map<TopicPartition, Long> offsets = new HashMap<>();
                result.forEach((tp, info) -> offsets.put(tp, info.offset()));
                return offsets;
            }

            @Override
            public Map<TopicPartition, Long> committed() throws Exception {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                        .partitionsToOffsetAndMetadata().get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                Map<TopicPartition, Long> committed = new HashMap<>();
                offsets.forEach((tp, om) -> {
                    if (om != null) {
                        committed.put(tp, om.offset());
                    }
                });
                return committed;
            }

            @Override
            public boolean exists(String topic) throws Exception {
                return admin.listTopics().names().get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS).contains(topic);
            }

            @Override
            public List<OpenTransaction> openTransactions(String topic) throws Exception {
                List<String> ids = new ArrayList<>();
                admin.listTransactions(new ListTransactionsOptions().filterStates(Set.of(TransactionState.ONGOING)))
                        .all().get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                        .forEach(listing -> ids.add(listing.transactionalId()));
                if (ids.isEmpty()) {
                    return List.of();
                }
                List<OpenTransaction> open = new ArrayList<>();
                admin.describeTransactions(ids).all().get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                        .forEach((id, d) -> {
                            List<Integer> on = d.topicPartitions().stream().filter(tp -> tp.topic().equals(topic))
                                    .map(TopicPartition::partition).sorted().toList();
                            if (d.state() == TransactionState.ONGOING && !on.isEmpty()) {
                                open.add(new OpenTransaction(id, d.transactionStartTimeMs().orElse(-1L),
                                        d.transactionTimeoutMs(), on));
                            }
                        });
                return open;
            }

            @Override
            public void close() {
                admin.close(Duration.ofSeconds(5));
            }
        };
    }

    /**
     * @param admin closed with the barrier
     * @param groupId the application id (the group whose committed offsets are read)
     * @param sideTopics the side inputs (consent, registrations)
     * @param homeTopic the internal side-records topic, full name
     * @param partitions the common partition count
     */
    public BrokerSideRecordBarrier(Admin admin, String groupId, List<String> sideTopics, String homeTopic,
                                   int partitions, Duration poll) {
        this(admin, groupId, sideTopics, homeTopic, partitions, poll, () -> "none", behind -> "none");
    }

    /**
     * @param threads where this instance's stream threads spend their time ({@link ThreadActivity#describe}), read
     *        on the barrier's thread when it warns
     * @param tasks where the deciding tasks of the given home partitions are on this instance
     *        ({@link TaskPlaces#describe}), read on the barrier's thread when it warns
     */
    public BrokerSideRecordBarrier(Admin admin, String groupId, List<String> sideTopics, String homeTopic,
                                   int partitions, Duration poll, Supplier<String> threads,
                                   Function<List<Integer>, String> tasks) {
        this(admin(admin, groupId), sideTopics, homeTopic, partitions, poll, System::currentTimeMillis, threads,
                tasks);
    }

    BrokerSideRecordBarrier(Offsets brokers, List<String> sideTopics, String homeTopic, int partitions,
                            Duration poll, LongSupplier clock, Supplier<String> threads) {
        this(brokers, sideTopics, homeTopic, partitions, poll, clock, threads, behind -> "none");
    }

    BrokerSideRecordBarrier(Offsets brokers, List<String> sideTopics, String homeTopic, int partitions,
                            Duration poll, LongSupplier clock, Supplier<String> threads,
                            Function<List<Integer>, String> tasks) {
        this.brokers = brokers;
        this.threads = threads;
        this.tasks = tasks;
        this.pollMs = poll.toMillis();
        this.clock = clock;
        List<TopicPartition> s = new ArrayList<>();
        for (String topic : sideTopics) {
            for (int p = 0; p < partitions; p++) {
                s.add(new TopicPartition(topic, p));
            }
        }
        this.side = List.copyOf(s);
        List<TopicPartition> h = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            h.add(new TopicPartition(homeTopic, p));
        }
        this.home = List.copyOf(h);
        this.settled = new AtomicLongArray(partitions);
        this.thread = new Thread(this::run, "purpose-firewall-side-barrier");
        this.thread.setDaemon(true);
    }

    public void start() {
        startedAt = clock.getAsLong();
        thread.start();
    }

    @Override
    public long now() {
        return clock.getAsLong();
    }

    @Override
    public long settledThrough(int partition) {
        return partition >= 0 && partition < settled.length() ? settled.get(partition) : 0L;
    }

    /**
     * How far behind the wall clock the least settled partition is, in ms; a partition that has not settled yet
     * counts from when polling began.
     */
    public long lagMs() {
        long least = Long.MAX_VALUE;
        for (int p = 0; p < settled.length(); p++) {
            least = Math.min(least, Math.max(settled.get(p), startedAt));
        }
        return least == Long.MAX_VALUE ? 0 : Math.max(0, clock.getAsLong() - least);
    }

    private void run() {
        while (running) {
            long started = clock.getAsLong();
            try {
                pollOnce();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // Fail closed: nothing advances, data records wait. Said at most every 30 s.
                if (started - lastFailureLog >= LAG_WARNING_INTERVAL_MS) {
                    lastFailureLog = started;
                    LOG.atWarn().addKeyValue("errorClass", e.getClass().getName())
                            .log("side-record barrier cannot read offsets from the brokers; data records wait");
                }
            }
            warnIfBehind();
            long sleep = pollMs - (clock.getAsLong() - started);
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One round: see the class comment. Package-private for tests. */
    void pollOnce() throws Exception {
        if (!homeExists) {
            homeExists = brokers.exists(home.get(0).topic());
            if (!homeExists) {
                return;
            }
        }
        long time = clock.getAsLong();
        Map<TopicPartition, Long> sideEnds = brokers.ends(side);
        Map<TopicPartition, Long> committed = new HashMap<>(brokers.committed());
        // The high watermark, not the last stable offset: a transaction's commit markers reach its partitions in
        // no set order, so the intake's offsets can read as committed while its copies' partition still shows the
        // transaction open, below the last stable offset. Every copy is below the high watermark.
        Map<TopicPartition, Long> homeEnds = brokers.highWatermarks(home);
        coverEmptied(sideEnds, committed);
        lastCommitted = committed;
        unrouted.addLast(new Snapshot(time, sideEnds));
        if (unrouted.size() > MAX_PENDING) {
            // Dropping the oldest only delays: a later snapshot's offsets are at least as high.
            unrouted.pollFirst();
        }
        Snapshot routed = null;
        while (!unrouted.isEmpty() && reached(committed, unrouted.peekFirst().offsets())) {
            routed = unrouted.pollFirst();
        }
        if (routed != null) {
            unapplied.addLast(new Snapshot(routed.time(), homeEnds));
            if (unapplied.size() > MAX_PENDING) {
                unapplied.pollFirst();
            }
        }
        for (int p = 0; p < home.size(); p++) {
            TopicPartition tp = home.get(p);
            long through = -1;
            for (Snapshot s : unapplied) {
                if (committedOf(committed, tp) < s.offsets().get(tp)) {
                    break;
                }
                through = s.time();
            }
            if (through > settled.get(p)) {
                settled.set(p, through);
            }
        }
        while (!unapplied.isEmpty() && reached(committed, unapplied.peekFirst().offsets())) {
            unapplied.pollFirst();
        }
    }

    /**
     * A side partition whose every record is gone (retention) has nothing to re-home: count it as reached although
     * no offset was ever committed for it.
     */
    private void coverEmptied(Map<TopicPartition, Long> sideEnds, Map<TopicPartition, Long> committed)
            throws Exception {
        List<TopicPartition> unknown = new ArrayList<>();
        for (TopicPartition tp : side) {
            if (!committed.containsKey(tp) && sideEnds.get(tp) > 0) {
                unknown.add(tp);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> starts = brokers.starts(unknown);
        for (TopicPartition tp : unknown) {
            if (starts.get(tp) >= sideEnds.get(tp)) {
                committed.put(tp, sideEnds.get(tp));
            }
        }
    }

    private static boolean reached(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> offsets) {
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            if (committedOf(committed, e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static long committedOf(Map<TopicPartition, Long> committed, TopicPartition tp) {
        Long offset = committed.get(tp);
        return offset == null ? 0L : offset;
    }

    /** The threads' activity, or why it is unknown: a failure to read metrics must not stop the barrier. */
    private String threadActivity() {
        try {
            return threads.get();
        } catch (RuntimeException e) {
            return "unknown (" + e.getClass().getSimpleName() + ")";
        }
    }

    /** Where the tasks of these partitions are, or why it is unknown: as {@link #threadActivity()}. */
    private String taskPlaces(List<Integer> behind) {
        try {
            return tasks.apply(List.copyOf(behind));
        } catch (RuntimeException e) {
            return "unknown (" + e.getClass().getSimpleName() + ")";
        }
    }

    /** Warns, at most every 30 s, while a partition has not settled for 10 s. Package-private for tests. */
    void warnIfBehind() {
        long now = clock.getAsLong();
        long lag = lagMs();
        if (lag >= LAG_WARNING_MS && now - lastWarning >= LAG_WARNING_INTERVAL_MS) {
            lastWarning = now;
            List<Integer> behind = new ArrayList<>();
            for (int p = 0; p < settled.length(); p++) {
                if (now - Math.max(settled.get(p), startedAt) >= LAG_WARNING_MS) {
                    behind.add(p);
                }
            }
            LOG.atWarn().addKeyValue("lagMs", lag).addKeyValue("partitions", behind).addKeyValue("heldBy", holdUp())
                    .addKeyValue("openTransactions", openTransactions(now))
                    .addKeyValue("tasks", taskPlaces(behind))
                    .addKeyValue("threads", threadActivity())
                    .log("side records are applied late: data records of these home partitions wait for them");
        }
    }

    /** At most this many open transactions are told, the oldest first. */
    private static final int TOLD_TRANSACTIONS = 3;

    /**
     * The oldest transactions open on the side-records topic, {@code <transactional id> 34.2 s (timeout 10 s) on
     * [3, 5]; ...}, {@code none}, or why they could not be read (the principal may lack Describe on transactional
     * ids): a failure must not stop the barrier. Package-private for tests.
     */
    String openTransactions(long now) {
        List<OpenTransaction> open;
        try {
            open = new ArrayList<>(brokers.openTransactions(home.get(0).topic()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        } catch (Exception e) {
            return "unknown (" + e.getClass().getSimpleName() + ")";
        }
        if (open.isEmpty()) {
            return "none";
        }
        open.sort(java.util.Comparator.comparingLong(t -> t.startedAtMs() < 0 ? Long.MAX_VALUE : t.startedAtMs()));
        StringBuilder s = new StringBuilder();
        for (OpenTransaction t : open.subList(0, Math.min(TOLD_TRANSACTIONS, open.size()))) {
            s.append(s.isEmpty() ? "" : "; ").append(t.transactionalId()).append(' ')
                    .append(t.startedAtMs() < 0 ? "?" : String.format(Locale.ROOT, "%.1f",
                            Math.max(0, now - t.startedAtMs()) / 1000.0))
                    .append(" s (timeout ").append(t.timeoutMs() / 1000).append(" s) on ").append(t.partitions());
        }
        if (open.size() > TOLD_TRANSACTIONS) {
            s.append("; ").append(open.size() - TOLD_TRANSACTIONS).append(" more");
        }
        return s.toString();
    }

    /**
     * Which step holds the barrier, as coordinates and offset gaps (never a record): {@code intake} with the side
     * partitions whose committed offset is below the oldest unrouted snapshot (their intake task is down, moving or
     * behind), or {@code apply} with the home partitions whose deciding task has not committed up to the re-homed
     * copies (down, restoring or behind); {@code none} once nothing is pending, {@code brokers} before the first
     * answer. Package-private for tests.
     */
    String holdUp() {
        Snapshot unroutedHead = unrouted.peekFirst();
        Snapshot unappliedHead = unapplied.peekFirst();
        if (unappliedHead != null) {
            String gaps = gaps(unappliedHead.offsets(), lastCommitted);
            if (!gaps.isEmpty()) {
                return "apply " + gaps;
            }
        }
        if (unroutedHead != null) {
            String gaps = gaps(unroutedHead.offsets(), lastCommitted);
            if (!gaps.isEmpty()) {
                return "intake " + gaps;
            }
        }
        return lastCommitted.isEmpty() && unroutedHead == null ? "brokers" : "none";
    }

    /** {@code topic-partition committed<target} for each partition below its target, in partition order. */
    private static String gaps(Map<TopicPartition, Long> targets, Map<TopicPartition, Long> committed) {
        StringBuilder s = new StringBuilder();
        targets.entrySet().stream()
                .sorted(java.util.Comparator.comparing((Map.Entry<TopicPartition, Long> e) -> e.getKey().topic())
                        .thenComparingInt(e -> e.getKey().partition()))
                .filter(e -> committedOf(committed, e.getKey()) < e.getValue())
                .forEach(e -> s.append(s.isEmpty() ? "" : ", ").append(e.getKey()).append(' ')
                        .append(committedOf(committed, e.getKey())).append('<').append(e.getValue()));
        return s.toString();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        brokers.close();
    }
}
