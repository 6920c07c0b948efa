package org.purposefirewall.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.purposefirewall.app.StreamsSettings;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.serde.AvroSerde;
import org.purposefirewall.serde.FirewallSerdes;
import org.purposefirewall.topology.FirewallTopology;
import org.purposefirewall.topology.Names;
import org.purposefirewall.app.BrokerSideRecordBarrier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Measures what the firewall costs: the firewall topology against a pass-through topology (same serdes, same
 * Kafka Streams settings, no policy and no stores), in one JVM, on one in-process broker, over the same pre-loaded
 * input topics.
 *
 * <p>Each run consumes the inputs from the beginning under a fresh application id, state directory and output
 * topics, and is timed from {@code KafkaStreams.start()} until the application's committed offsets reach the input
 * end offsets; under {@code exactly_once_v2} the outputs commit in the same transactions as those offsets. After each
 * run a {@code read_committed} consumer counts the outputs, which must equal the input contact points.
 *
 * <p>A program, not a test: it asserts nothing about speed. Run it with {@code scripts/benchmark.sh} (or
 * {@code java -Xmx2g -cp ...}); {@code --help} lists the options.
 */
public final class FirewallBenchmark {

    static {
        preferOwnLogbackConfig();
    }

    private static final long POLL_MS = 20;

    private final BenchmarkOptions options;
    private final PrintStream out;

    private FirewallBenchmark(BenchmarkOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(BenchmarkOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(BenchmarkOptions.USAGE);
            return;
        }
        int status;
        try {
            BenchmarkReport report = run(options, System.out);
            status = report.allProcessedExactly() ? 0 : 1;
        } catch (RuntimeException e) {
            System.err.println("benchmark failed: " + e);
            e.printStackTrace(System.err);
            status = 1;
        }
        // The broker and Kafka clients are closed by now; exit in case a library left a non-daemon thread behind.
        System.exit(status);
    }

    /**
     * Runs the whole benchmark: broker, pre-load, warm-up, measured rounds, report. Progress and the final tables go
     * to {@code out}. Everything it creates (broker, topics, state, temporary directories) is gone when it returns.
     *
     * @throws RuntimeException if the configuration is invalid or a run fails or stalls
     */
    public static BenchmarkReport run(BenchmarkOptions options, PrintStream out) {
        return new FirewallBenchmark(options, out).run();
    }

    private BenchmarkReport run() {
        Path configFile = options.resolveConfig();
        FirewallConfig loaded = new ConfigLoader().load(configFile);
        if (options.shadowPolicy() != null) {
            if (!Files.isRegularFile(options.shadowPolicy())) {
                throw new IllegalArgumentException("--shadow-policy " + options.shadowPolicy() + ": no such file");
            }
            loaded = new ConfigLoader().withShadowPolicy(loaded, options.shadowPolicy());
        }
        Path tempRoot;
        try {
            tempRoot = Files.createTempDirectory("purpose-firewall-bench-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary directory", e);
        }
        // On Ctrl-C: stop the broker (which deletes its own temporary log directory) and delete the state.
        AtomicReference<LocalKafkaBroker> running = new AtomicReference<>();
        Thread cleanup = new Thread(() -> {
            LocalKafkaBroker broker = running.get();
            if (broker != null) {
                try {
                    broker.close();
                } catch (RuntimeException e) {
                    System.err.println("could not stop the broker: " + e);
                }
            }
            deleteQuietly(tempRoot);
        }, "benchmark-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        double loadAtStart = loadAverage();
        if (options.mode() == BenchmarkOptions.Mode.REALISTIC) {
            out.printf("Purpose Firewall benchmark, realistic mode: config %s, %,d users' consent and %,d security "
                            + "registrations preloaded, %,d contact points timed (after %,d warm-up ones) with %d side "
                            + "records per 100, %d partitions%n", configFile, options.preloadUsers(),
                    options.preloadRegistrations(), options.contactPoints(), options.warmupContactPoints(),
                    options.sidePercent(), options.partitions());
            if (loaded.shadow() != null) {
                out.printf("Shadow mode: %s (version %s, sha256 %s) decided beside policy %s%n",
                        loaded.shadow().file(), loaded.shadow().policy().version(),
                        loaded.shadow().policy().contentHash(), loaded.policy().version());
            }
        } else {
            out.printf("Purpose Firewall benchmark: config %s, %,d users, %d partitions, %,d warm-up users, %d "
                            + "round(s)%n", configFile, options.users(), options.partitions(), options.warmupUsers(),
                    options.rounds());
        }
        long brokerStart = System.nanoTime();
        try (LocalKafkaBroker broker = LocalKafkaBroker.start();
             BenchmarkKafka kafka = new BenchmarkKafka(broker)) {
            running.set(broker);
            out.printf("Broker %s up in %.1f s (Kafka %s)%n", broker.bootstrapServers(),
                    seconds(System.nanoTime() - brokerStart), kafkaVersion());
            FirewallConfig base = loaded.withBootstrapServers(broker.bootstrapServers());
            FirewallSerdes serdes = FirewallSerdes.fromSettings(base.schemaRegistry());
            if (options.mode() == BenchmarkOptions.Mode.REALISTIC) {
                BenchmarkReport report = new RealisticBenchmark(options, out, kafka, base, serdes, tempRoot)
                        .run(loadAtStart);
                printReport(report);
                return report;
            }
            Session session = new Session(base, serdes, kafka, tempRoot);

            List<RunResult> warmups = new ArrayList<>();
            if (options.warmupUsers() > 0) {
                BenchmarkKafka.InputSet warm = session.load("bench.warmup", options.warmupUsers());
                warmups.add(session.measure("warmup", 0, RunResult.Kind.FIREWALL, warm));
                warmups.add(session.measure("warmup", 0, RunResult.Kind.PASS_THROUGH, warm));
                kafka.deleteTopics(warm.firewallInputs(), null);
            }
            BenchmarkKafka.InputSet input = session.load("bench.in", options.users());
            List<RunResult> measured = new ArrayList<>();
            for (int round = 1; round <= options.rounds(); round++) {
                // Alternate the order so that drift (page cache, log growth, JIT) does not favour one topology.
                List<RunResult.Kind> order = round % 2 == 1
                        ? List.of(RunResult.Kind.FIREWALL, RunResult.Kind.PASS_THROUGH)
                        : List.of(RunResult.Kind.PASS_THROUGH, RunResult.Kind.FIREWALL);
                for (RunResult.Kind kind : order) {
                    measured.add(session.measure("r" + round, round, kind, input));
                }
            }
            kafka.deleteTopics(input.firewallInputs(), null);

            BenchmarkReport report = new BenchmarkReport(environment(base, input, loadAtStart, loadAverage()),
                    warmups, measured);
            printReport(report);
            return report;
        } finally {
            deleteQuietly(tempRoot);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs anyway.
            }
        }
    }

    void printReport(BenchmarkReport report) {
        out.println();
        out.println("## All runs");
        out.println();
        out.print(report.detailTable());
        out.println();
        List<Double> ratios = report.ratios();
        for (int i = 0; i < ratios.size(); i++) {
            out.printf("Round %d: firewall / pass-through throughput = %.3f%n", i + 1, ratios.get(i));
        }
        out.printf("Median firewall / pass-through throughput = %.3f (the firewall takes %.2fx the time)%n",
                report.medianRatio(), 1 / report.medianRatio());
        if (!report.allProcessedExactly()) {
            out.println("WARNING: a run's committed output count differs from its input count; see the table.");
        }
        out.println();
        out.println("## Summary (for the README)");
        out.println();
        out.print(report.markdown());
    }

    /** State shared by the runs of one benchmark. */
    private final class Session {
        private final FirewallConfig base;
        private final FirewallSerdes serdes;
        private final BenchmarkKafka kafka;
        private final Path tempRoot;

        Session(FirewallConfig base, FirewallSerdes serdes, BenchmarkKafka kafka, Path tempRoot) {
            this.base = base;
            this.serdes = serdes;
            this.kafka = kafka;
            this.tempRoot = tempRoot;
        }

        BenchmarkKafka.InputSet load(String prefix, int users) {
            long started = System.nanoTime();
            // Recent timestamps: the broker's default retention must not delete the inputs mid-benchmark.
            long startMs = System.currentTimeMillis() - users * 10L - 60_000L;
            BenchmarkKafka.InputSet set = kafka.preload(prefix, users, options.partitions(), serdes, startMs);
            out.printf("Loaded %s.*: %,d users -> %,d contact points, %,d consent, %,d registrations in %.1f s%n",
                    prefix, users, set.contactPoints(), set.consent(), set.registrations(),
                    seconds(System.nanoTime() - started));
            return set;
        }

        RunResult measure(String label, int round, RunResult.Kind kind, BenchmarkKafka.InputSet input) {
            String appId = "bench-" + label + "-" + kind.tag() + "-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
            Path stateDir = tempRoot.resolve(appId);
            String prefix = "bench." + label + "." + kind.tag() + ".";
            Topics in = input.topics();
            Topics topics = new Topics(in.contactPoints(), in.consent(), in.registrations(), prefix + "audience",
                    prefix + "quarantine", prefix + "suppressed", prefix + "dead-letter").withRecalls(prefix + "recalls");
            FirewallConfig withId = base.withApplicationId(appId, stateDir);
            FirewallConfig config = new FirewallConfig(appId, withId.bootstrapServers(), withId.schemaRegistry(),
                    topics, withId.processing(), withId.identity(), withId.streams(), withId.policyFile(),
                    withId.policy());

            Map<String, Long> expected = new LinkedHashMap<>();
            List<String> inputs;
            Topology topology;
            BrokerSideRecordBarrier barrier = null;
            if (kind == RunResult.Kind.FIREWALL) {
                expected.put(topics.audience(), input.expected().get(ScenarioTraffic.Expected.FORWARD));
                expected.put(topics.quarantine(), input.expected().get(ScenarioTraffic.Expected.QUARANTINE));
                expected.put(topics.suppressed(), input.expected().get(ScenarioTraffic.Expected.SUPPRESS));
                expected.put(topics.deadLetter(), input.expected().get(ScenarioTraffic.Expected.DEAD_LETTER));
                // The scenario revokes nothing it forwarded: no recalls.
                expected.put(topics.recalls(), 0L);
                inputs = input.firewallInputs();
                // As FirewallApp runs it: side records re-homed, data records decided after the side-record barrier.
                barrier = new BrokerSideRecordBarrier(Admin.create(new StreamsConfig(StreamsSettings.of(config))
                        .getAdminConfigs(appId + "-barrier")), appId,
                        List.of(topics.consent(), topics.registrations()),
                        Names.sideRecordsTopic(appId), options.partitions(),
                        config.processing().sideBarrierPoll());
                barrier.start();
                topology = FirewallTopology.build(config, serdes, options.partitions(), barrier);
                registerOutputs(serdes, topics);
            } else {
                expected.put(topics.audience(), input.contactPoints());
                inputs = List.of(topics.contactPoints());
                topology = PassThroughTopology.build(config, serdes);
                register(serdes.audience(), topics.audience());
            }
            List<String> outputs = List.copyOf(expected.keySet());
            kafka.createTopics(outputs, options.partitions());
            Map<TopicPartition, Long> target = kafka.endOffsets(inputs);
            long inputRecords = target.values().stream().mapToLong(Long::longValue).sum();

            out.printf("[%s] %-12s app %s: consuming %,d records (%,d contact points) ...%n", label,
                    kind.title(), appId, inputRecords, input.contactPoints());
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong runningAt = new AtomicLong(-1);
            KafkaStreams streams = new KafkaStreams(topology, StreamsSettings.of(config));
            streams.setUncaughtExceptionHandler(e -> {
                failure.compareAndSet(null, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.setStateListener((next, previous) -> {
                if (next == KafkaStreams.State.RUNNING) {
                    runningAt.compareAndSet(-1, System.nanoTime());
                }
            });
            ProfileRecorder profile = options.profile() != null && round == 1 && kind == RunResult.Kind.FIREWALL
                    ? ProfileRecorder.start(options.profile(), appId, input.contactPoints()) : null;
            long started;
            long done;
            long cpuBefore = processCpuNanos();
            long jitBefore = jitMillis();
            double streamCpu;
            double processCpu;
            double jit;
            try {
                started = System.nanoTime();
                streams.start();
                // The firewall commits a data record's offset when it starts waiting for the side-record barrier,
                // before it is decided: done is when the inputs are committed and every contact point is decided.
                long contactPoints = input.contactPoints();
                java.util.function.LongSupplier decided = kind == RunResult.Kind.FIREWALL
                        ? () -> decidedTotal(streams) : () -> contactPoints;
                done = awaitCommitted(appId, target, streams, failure, decided, contactPoints);
                if (profile != null) {
                    profile.endRun();
                }
                // Read before close: the threads and their CPU clocks end with it.
                processCpu = seconds(processCpuNanos() - cpuBefore);
                streamCpu = seconds(streamThreadCpuNanos(appId));
                jit = (jitMillis() - jitBefore) / 1e3;
            } finally {
                if (profile != null) {
                    profile.close();
                    out.printf("[%s] %-12s JFR recording written to %s%n", label, kind.title(), profile.file());
                }
                streams.close(Duration.ofSeconds(60));
                streams.cleanUp();
                if (barrier != null) {
                    barrier.close();
                }
            }
            long running = runningAt.get() < 0 ? started : runningAt.get();

            Map<String, Long> counted = kafka.countCommitted(outputs, Duration.ofMinutes(2));
            Map<String, Long> outputsInOrder = new LinkedHashMap<>();
            outputs.forEach(t -> outputsInOrder.put(t, counted.getOrDefault(t, 0L)));
            kafka.deleteTopics(outputs, appId + "-");
            kafka.deleteGroup(appId);
            deleteQuietly(stateDir);

            RunResult result = new RunResult(label, round, kind, input.contactPoints(), inputRecords,
                    seconds(done - started), seconds(done - running), streamCpu, processCpu, jit, outputsInOrder,
                    expected);
            out.printf("[%s] %-12s %,d contact points in %.2f s = %,.0f/s (%.2f s after RUNNING; stream thread "
                            + "CPU %.2f s, JVM CPU %.2f s, JIT %.2f s); outputs %s%s%n",
                    label, kind.title(), result.contactPoints(), result.elapsedSeconds(), result.recordsPerSecond(),
                    result.runningSeconds(), streamCpu, processCpu, jit, shortNames(outputsInOrder),
                    result.processedExactly() ? (result.outcomesAsExpected() ? " ok" : " (outcomes differ from "
                            + shortNames(expected) + ")") : " MISMATCH: expected " + result.contactPoints());
            return result;
        }

        /** Polls the application's committed offsets until they reach {@code target}; returns System.nanoTime(). */
        private static void sleepQuietly(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private long awaitCommitted(String appId, Map<TopicPartition, Long> target, KafkaStreams streams,
                                    AtomicReference<Throwable> failure, java.util.function.LongSupplier decided,
                                    long expectedDecided) {
            long stallNanos = TimeUnit.SECONDS.toNanos(options.stallTimeoutSeconds());
            long lastProgress = System.nanoTime();
            long lastSum = -1;
            while (true) {
                Throwable error = failure.get();
                if (error != null) {
                    throw new IllegalStateException(appId + ": a stream thread failed: " + error, error);
                }
                KafkaStreams.State state = streams.state();
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                        || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN) {
                    throw new IllegalStateException(appId + ": Kafka Streams stopped early in state " + state);
                }
                Map<TopicPartition, Long> committed = kafka.committedOffsets(appId);
                long now = System.nanoTime();
                boolean complete = true;
                long sum = 0;
                for (Map.Entry<TopicPartition, Long> end : target.entrySet()) {
                    long offset = committed.getOrDefault(end.getKey(), 0L);
                    sum += Math.min(offset, end.getValue());
                    if (offset < end.getValue()) {
                        complete = false;
                    }
                }
                long decidedNow = decided.getAsLong();
                sum += decidedNow;
                if (complete && decidedNow >= expectedDecided) {
                    // One more commit interval, so that the last decisions' transaction is committed too.
                    sleepQuietly(250);
                    return System.nanoTime();
                }
                if (sum > lastSum) {
                    lastSum = sum;
                    lastProgress = now;
                } else if (now - lastProgress > stallNanos) {
                    throw new IllegalStateException(appId + ": no committed progress for "
                            + options.stallTimeoutSeconds() + " s; committed " + committed + ", target " + target);
                }
                try {
                    Thread.sleep(POLL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + appId, e);
                }
            }
        }
    }

    /** One of the firewall's sensors ({@code MetricNames}), its {@code -total} summed over tasks. */
    static double sensorTotal(KafkaStreams streams, String operation) {
        double sum = 0;
        for (var e : streams.metrics().entrySet()) {
            if (e.getKey().group().equals(org.purposefirewall.monitoring.MetricNames.GROUP)
                    && e.getKey().name().equals(org.purposefirewall.monitoring.MetricNames.total(operation))) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }

    /** Registers the schemas of the firewall's five outputs under their topics' subjects. */
    static void registerOutputs(FirewallSerdes serdes, Topics topics) {
        register(serdes.audience(), topics.audience());
        register(serdes.quarantine(), topics.quarantine());
        register(serdes.suppressed(), topics.suppressed());
        register(serdes.deadLetter(), topics.deadLetter());
        register(serdes.recall(), topics.recalls());
    }

    /** Records the firewall has routed to one of its four outputs, from its own metrics. */
    static long decidedTotal(KafkaStreams streams) {
        double sum = 0;
        for (var e : streams.metrics().entrySet()) {
            String name = e.getKey().name();
            if (e.getKey().group().equals(org.purposefirewall.monitoring.MetricNames.GROUP)
                    && (name.equals(org.purposefirewall.monitoring.MetricNames.total(
                            org.purposefirewall.monitoring.MetricNames.FORWARDED))
                    || name.equals(org.purposefirewall.monitoring.MetricNames.total(
                            org.purposefirewall.monitoring.MetricNames.QUARANTINED))
                    || name.equals(org.purposefirewall.monitoring.MetricNames.total(
                            org.purposefirewall.monitoring.MetricNames.SUPPRESSED))
                    || name.equals(org.purposefirewall.monitoring.MetricNames.total(
                            org.purposefirewall.monitoring.MetricNames.DEAD_LETTERED)))) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return (long) sum;
    }

    static void register(AvroSerde<?> serde, String topic) {
        // As FirewallApp does before starting: the first output record must not pay for registration.
        serde.schemaIdFor(topic);
    }

    private BenchmarkReport.Environment environment(FirewallConfig config, BenchmarkKafka.InputSet input,
                                                    double loadAtStart, double loadAtEnd) {
        Runtime rt = Runtime.getRuntime();
        String gc = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(" + "));
        String jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        return new BenchmarkReport.Environment(jvm, rt.maxMemory() / (1024 * 1024), gc, rt.availableProcessors(),
                kafkaVersion(), options.partitions(), config.processing().guarantee().kafkaValue(),
                config.processing().commitInterval().toMillis(), config.processing().numStreamThreads(), input.users(),
                input.contactPoints(), input.consent() + input.registrations(), null, loadAtStart, loadAtEnd);
    }

    /** The machine's 1-minute load average, negative where unknown. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** CPU time of this JVM so far, or 0 where the platform does not tell. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    /** Accumulated JIT compilation time, or 0 where the JVM does not tell. */
    static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** CPU time of the live stream threads of {@code appId} (their names start with the client id). */
    static long streamThreadCpuNanos(String appId) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported()) {
            return 0;
        }
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(appId)
                    && info.getThreadName().matches(".*-StreamThread-\\d+")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    static Map<String, Long> shortNames(Map<String, Long> byTopic) {
        Map<String, Long> result = new LinkedHashMap<>();
        byTopic.forEach((topic, n) -> result.put(topic.substring(topic.lastIndexOf('.') + 1), n));
        return result;
    }

    /** The Kafka version of the client jar (the broker runs from the same release). */
    static String kafkaVersion() {
        try (var in = org.apache.kafka.clients.producer.KafkaProducer.class
                .getResourceAsStream("/kafka/kafka-version.properties")) {
            if (in != null) {
                java.util.Properties props = new java.util.Properties();
                props.load(in);
                return props.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static void deleteQuietly(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException | RuntimeException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }

    /**
     * Points logback at this module's {@code logback.xml}. The streams-app jar carries its own (firewall at INFO),
     * and on a {@code lib/*:benchmark.jar} class path it would be found first. Runs before any logger exists; an
     * explicit {@code -Dlogback.configurationFile} wins.
     */
    static void preferOwnLogbackConfig() {
        if (System.getProperty("logback.configurationFile") != null) {
            return;
        }
        try {
            CodeSource source = FirewallBenchmark.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return;
            }
            String home = source.getLocation().toString();
            Enumeration<URL> candidates = FirewallBenchmark.class.getClassLoader().getResources("logback.xml");
            for (URL url : Collections.list(candidates)) {
                if (url.toString().contains(home)) {
                    System.setProperty("logback.configurationFile", url.toString());
                    return;
                }
            }
        } catch (IOException | SecurityException e) {
            // Keep logback's own choice.
        }
    }
}
