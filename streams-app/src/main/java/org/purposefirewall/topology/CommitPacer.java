package org.purposefirewall.topology;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * How often each stream thread commits: every {@code processing.commit-interval-ms} while the brokers acknowledge
 * commits quickly, and every two commit rounds while they do not, up to {@code commit-interval-max-ms}.
 *
 * <p>Why: under exactly-once a commit is a round trip to the brokers (flush, offsets, transaction markers), and Kafka
 * Streams commits every {@code commit.interval.ms} after the previous commit ended, whatever the commit took. In the
 * failure campaign, while the cluster was loaded (kills, restores, three brokers on two cores), a commit round took
 * 130 to 400 ms and the deciding thread spent half to three quarters of its time committing at the shipped 50 ms.
 * A fixed longer interval (200 ms) halved the recoveries but doubled every decision's latency on an idle cluster,
 * where a commit takes a few milliseconds.
 *
 * <p>The rule ({@link #interval}): twice the thread's recent commit round, between the floor and the ceiling, so a
 * thread working off a backlog spends about half its time or less committing, and an idle cluster keeps the floor.
 * A round is measured on the thread itself, from Kafka Streams' own counters ({@code commit-total} and
 * {@code poll-total} of {@code stream-thread-metrics}): the time from the last callback before a commit to the first
 * after it, when no poll came between (a poll may wait for records, which is not the commit's time), or when a poll
 * came between but the gap is still shorter than the estimate (it can only be longer than the round), smoothed
 * ({@link #SMOOTHING}). Without those counters (the test driver) the interval stays at the floor.
 *
 * <p>The mechanism: Kafka's own {@code commit.interval.ms} is set to the ceiling, and a task asks Kafka Streams to
 * commit ({@link ProcessorContext#commit()}: honoured at the end of the thread's current loop, for every task of the
 * thread with something to commit) once it has processed a record or run a punctuation (the wrapped processor's
 * punctuations are paced work too: the firewall decides most records in its checks of waiting records, and their
 * time is the thread's work, not the commit's), the thread last asked at least the interval ago,
 * and the commit it asked for then has been seen, so a slow commit is never followed by another at once (a request
 * that is never honoured, its task having moved away in a rebalance, is ended by Kafka's own commit at the ceiling,
 * which the counters see too). A task with
 * records processed since its thread last asked, and no more records, checks every {@code commit-interval-ms}
 * ({@link WaitTimer}: scheduled only while it has such records, so an idle task adds no commits).
 */
public final class CommitPacer {

    /** The interval is this many commit rounds: a backlogged thread commits about half its time or less. */
    static final int ROUNDS = 2;
    /** The weight of the latest round in the smoothed one: about the last five rounds count. */
    static final double SMOOTHING = 0.3;
    /** Kafka Streams' own thread metrics group (tag {@code thread-id}). */
    public static final String THREAD_METRICS = "stream-thread-metrics";
    /** The interval in force, per stream thread (tag {@code thread-id}), for operators and the barrier's warning. */
    public static final String PACING_METRICS = "purpose-firewall-commit-pacing";
    public static final String INTERVAL_METRIC = "commit-interval-ms";

    private final long floorMs;
    private final long ceilingMs;
    private final LongSupplier clockMs;
    private final ThreadLocal<ThreadPace> threads = ThreadLocal.withInitial(ThreadPace::new);

    private CommitPacer(Duration floor, Duration ceiling, LongSupplier clockMs) {
        if (floor.isNegative() || floor.isZero() || ceiling.compareTo(floor) < 0) {
            throw new IllegalArgumentException("commit intervals must satisfy 0 < floor <= ceiling, got " + floor
                    + " and " + ceiling);
        }
        this.floorMs = floor.toMillis();
        this.ceilingMs = ceiling.toMillis();
        this.clockMs = clockMs;
    }

    /** Intervals from {@code floor} ({@code commit-interval-ms}) to {@code ceiling} ({@code commit-interval-max-ms}). */
    static CommitPacer between(Duration floor, Duration ceiling) {
        return new CommitPacer(floor, ceiling, System::currentTimeMillis);
    }

    static CommitPacer between(Duration floor, Duration ceiling, LongSupplier clockMs) {
        return new CommitPacer(floor, ceiling, clockMs);
    }

    /**
     * The interval for a thread whose commit round took {@code roundMs} lately: {@link #ROUNDS} rounds, between the
     * floor and the ceiling; the floor while the round is unknown (NaN, infinite or not positive).
     */
    static long interval(double roundMs, long floorMs, long ceilingMs) {
        if (Double.isNaN(roundMs) || Double.isInfinite(roundMs) || roundMs <= 0) {
            return floorMs;
        }
        double wanted = Math.ceil(roundMs * ROUNDS);
        return (long) Math.max(floorMs, Math.min(ceilingMs, wanted));
    }

    /** {@code inner}, each instance paced: the processors that records enter a task through are wrapped. */
    <KIn, VIn, KOut, VOut> ProcessorSupplier<KIn, VIn, KOut, VOut> around(
            ProcessorSupplier<KIn, VIn, KOut, VOut> inner) {
        return () -> new Paced<>(inner.get(), this);
    }

    /** What the thread this is called on knows, brought up to date with the commits it made since. */
    private ThreadPace pace(ProcessorContext<?, ?> context, long now) {
        ThreadPace pace = threads.get();
        pace.observe(context, now, floorMs, ceilingMs);
        return pace;
    }

    /** Per stream thread; touched only by that thread. */
    private static final class ThreadPace {
        private long lastRequestMs = Long.MIN_VALUE / 2;
        private boolean requestSeen = true;
        private long intervalMs = -1;
        private long lastCallbackEndMs = Long.MIN_VALUE;
        private double roundMs = Double.NaN;
        private boolean looked;
        private Metric commits;
        private Metric polls;
        private double commitsSeen = Double.NaN;
        private double pollsSeen = Double.NaN;
        private Sensor interval;

        /** At the start of a callback: a commit since the last one ends the request and may give a round. */
        void observe(ProcessorContext<?, ?> context, long now, long floorMs, long ceilingMs) {
            if (!looked) {
                looked = true;
                intervalMs = floorMs;
                String thread = Thread.currentThread().getName();
                find(context.metrics().metrics(), thread);
                interval = context.metrics().addSensor(PACING_METRICS + "-" + thread, Sensor.RecordingLevel.INFO);
                interval.add(new MetricName(INTERVAL_METRIC, PACING_METRICS,
                        "The commit interval this stream thread keeps now (CommitPacer)",
                        Map.of("thread-id", thread)), new Value());
                interval.record(intervalMs, now);
            }
            if (commits == null || polls == null) {
                // Nothing to see commits by: a request counts as seen at once (requested), the interval is the floor.
                return;
            }
            double committed = value(commits);
            double polled = value(polls);
            if (!Double.isNaN(commitsSeen) && committed != commitsSeen) {
                requestSeen = true;
                if (lastCallbackEndMs != Long.MIN_VALUE) {
                    // Without a poll between, the gap is the round. With one, the gap is at most the round plus a
                    // wait for records: a gap shorter than the estimate still shows the round is shorter (so a
                    // slow first commit does not keep a steady trickle of records at a long interval).
                    double gap = Math.max(0, now - lastCallbackEndMs);
                    if (polled == pollsSeen || gap < roundMs) {
                        roundMs = Double.isNaN(roundMs) ? gap : roundMs + SMOOTHING * (gap - roundMs);
                        intervalMs = CommitPacer.interval(roundMs, floorMs, ceilingMs);
                        interval.record(intervalMs, now);
                    }
                }
            }
            commitsSeen = committed;
            pollsSeen = polled;
        }

        boolean due(long now, long lastWorkMs) {
            return requestSeen && lastWorkMs > lastRequestMs && now - lastRequestMs >= intervalMs;
        }

        void requested(long now) {
            lastRequestMs = now;
            requestSeen = commits == null || polls == null;
        }

        private void find(Map<MetricName, ? extends Metric> metrics, String thread) {
            metrics.forEach((name, metric) -> {
                if (THREAD_METRICS.equals(name.group()) && thread.equals(name.tags().get("thread-id"))) {
                    if ("commit-total".equals(name.name())) {
                        commits = metric;
                    } else if ("poll-total".equals(name.name())) {
                        polls = metric;
                    }
                }
            });
        }

        private static double value(Metric metric) {
            return metric.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
        }
    }

    /** One processor, paced: its task asks for a commit when the thread's interval has passed. */
    static final class Paced<KIn, VIn, KOut, VOut> implements Processor<KIn, VIn, KOut, VOut> {

        private final Processor<KIn, VIn, KOut, VOut> inner;
        private final CommitPacer pacer;
        private ProcessorContext<KOut, VOut> context;
        private WaitTimer pending;
        private long lastWorkMs = Long.MIN_VALUE;

        Paced(Processor<KIn, VIn, KOut, VOut> inner, CommitPacer pacer) {
            this.inner = inner;
            this.pacer = pacer;
        }

        @Override
        public void init(ProcessorContext<KOut, VOut> context) {
            this.context = context;
            this.pending = new WaitTimer(context, Duration.ofMillis(pacer.floorMs), this::uncommitted, () -> {
                long now = pacer.clockMs.getAsLong();
                maybeCommit(pacer.pace(context, now), now);
            });
            inner.init(new PacedContext(context));
        }

        @Override
        public void process(Record<KIn, VIn> record) {
            work(() -> inner.process(record));
        }

        /**
         * A punctuation of the inner processor is work as a record is: the firewall decides most records in its
         * checks of waiting records, so their decisions need a commit, and their time is the thread's own work,
         * not part of the commit round that follows.
         */
        private void punctuate(Punctuator punctuator, long timestamp) {
            work(() -> punctuator.punctuate(timestamp));
        }

        /**
         * One callback's work: the thread's commits are observed once, at its start (none can happen during it), and
         * a commit is asked for at its end if due.
         */
        private void work(Runnable callback) {
            ThreadPace pace = pacer.pace(context, pacer.clockMs.getAsLong());
            callback.run();
            lastWorkMs = pacer.clockMs.getAsLong();
            maybeCommit(pace, lastWorkMs);
            pending.update();
        }

        /** True while this task has processed a record since its thread last asked for a commit. */
        private boolean uncommitted() {
            return lastWorkMs > pacer.threads.get().lastRequestMs;
        }

        /** Asks for a commit if one is due {@code now}, the time this callback's work ended. */
        private void maybeCommit(ThreadPace pace, long now) {
            if (pace.due(now, lastWorkMs)) {
                context.commit();
                // What the thread processes until it commits, at the end of its current loop, is committed with
                // it, so only later work counts as uncommitted (a record in the same millisecond is taken as
                // before: if it is not, Kafka's own commit.interval.ms, the ceiling, commits it).
                pace.requested(now);
            }
            pace.lastCallbackEndMs = now;
        }

        @Override
        public void close() {
            inner.close();
        }

        /** The task's context as the inner processor sees it: the same, but its punctuations are paced work. */
        private final class PacedContext implements ProcessorContext<KOut, VOut> {

            private final ProcessorContext<KOut, VOut> delegate;

            PacedContext(ProcessorContext<KOut, VOut> delegate) {
                this.delegate = delegate;
            }

            @Override
            public Cancellable schedule(Duration interval, PunctuationType type, Punctuator callback) {
                return delegate.schedule(interval, type, timestamp -> punctuate(callback, timestamp));
            }

            @Override
            public Cancellable schedule(Instant startTime, Duration interval, PunctuationType type,
                                        Punctuator callback) {
                return delegate.schedule(startTime, interval, type, timestamp -> punctuate(callback, timestamp));
            }

            @Override
            public <K extends KOut, V extends VOut> void forward(Record<K, V> record) {
                delegate.forward(record);
            }

            @Override
            public <K extends KOut, V extends VOut> void forward(Record<K, V> record, String childName) {
                delegate.forward(record, childName);
            }

            @Override
            public String applicationId() {
                return delegate.applicationId();
            }

            @Override
            public TaskId taskId() {
                return delegate.taskId();
            }

            @Override
            public Optional<RecordMetadata> recordMetadata() {
                return delegate.recordMetadata();
            }

            @Override
            public Serde<?> keySerde() {
                return delegate.keySerde();
            }

            @Override
            public Serde<?> valueSerde() {
                return delegate.valueSerde();
            }

            @Override
            public File stateDir() {
                return delegate.stateDir();
            }

            @Override
            public StreamsMetrics metrics() {
                return delegate.metrics();
            }

            @Override
            public <S extends StateStore> S getStateStore(String name) {
                return delegate.getStateStore(name);
            }

            @Override
            public void commit() {
                delegate.commit();
            }

            @Override
            public Map<String, Object> appConfigs() {
                return delegate.appConfigs();
            }

            @Override
            public Map<String, Object> appConfigsWithPrefix(String prefix) {
                return delegate.appConfigsWithPrefix(prefix);
            }

            @Override
            public long currentSystemTimeMs() {
                return delegate.currentSystemTimeMs();
            }

            @Override
            public long currentStreamTimeMs() {
                return delegate.currentStreamTimeMs();
            }
        }
    }
}
