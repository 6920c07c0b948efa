package org.purposefirewall.benchmarks;

import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.purposefirewall.app.BrokerSideRecordBarrier;
import org.purposefirewall.app.StreamsSettings;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.serde.FirewallSerdes;
import org.purposefirewall.topology.FirewallTopology;
import org.purposefirewall.topology.Names;

/**
 * The realistic mode of {@link FirewallBenchmark}: state first, then contact points with side traffic.
 *
 * <ol>
 *   <li>Preload: every population user's consent and the security registrations ({@link RealisticTraffic}) are
 *       produced to the input topics.</li>
 *   <li>The firewall starts and applies them: it is ready when its side-record barrier (the firewall's own measure,
 *       from its committed offsets) has settled every home partition past a time after the preload was produced,
 *       i.e. every preloaded record has been re-homed and written to the stores. Then it decides the warm-up contact
 *       points (JIT), and is paused ({@link KafkaStreams#pause()}).</li>
 *   <li>The pass-through (also reading the consent and registration topics, decoding every record and keeping
 *       nothing) starts, reads everything to the end, and is paused.</li>
 *   <li>The timed contact points are produced while both are paused: a backlog, so that the rate measured is the
 *       topology's, not the producer's.</li>
 *   <li>Timed, firewall: resumed; while it runs, side records (consent changes, new registrations) are produced
 *       live, paced by its decided count ({@code sidePercent} per 100 contact points, over the first 95% of them),
 *       each with the event time of the contact points being decided, as live side traffic would have. Done when
 *       its committed offsets reach the end of all three inputs and every contact point is decided.</li>
 *   <li>Timed, pass-through: resumed over the same contact points and the same side records (it keeps no state, so
 *       when a side record arrives does not change what it costs). Done when its committed offsets reach the ends.</li>
 * </ol>
 * Same serdes and Kafka Streams settings (exactly-once) for both; both are running and warm when their clock starts.
 */
final class RealisticBenchmark {

    private static final long POLL_MS = 20;
    /** Side records are spread over this share of the timed contact points, so that all are read before the end. */
    private static final double SIDE_SPREAD = 0.95;

    private final BenchmarkOptions options;
    private final PrintStream out;
    private final BenchmarkKafka kafka;
    private final FirewallConfig base;
    private final FirewallSerdes serdes;
    private final Path tempRoot;

    RealisticBenchmark(BenchmarkOptions options, PrintStream out, BenchmarkKafka kafka, FirewallConfig base,
                       FirewallSerdes serdes, Path tempRoot) {
        this.options = options;
        this.out = out;
        this.kafka = kafka;
        this.base = base;
        this.serdes = serdes;
        this.tempRoot = tempRoot;
    }

    /** One running topology: its streams, and what it must write. */
    private final class Instance {
        final RunResult.Kind kind;
        final String appId;
        final Topics topics;
        final KafkaStreams streams;
        final BrokerSideRecordBarrier barrier;
        final Path stateDir;
        final List<String> outputs;
        /** Shadow mode's topic (firewall with a shadow policy only), or null: not one of the counted outputs. */
        final String shadowTopic;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Instance(RunResult.Kind kind, Topics inputs) {
            this.kind = kind;
            this.appId = "bench-realistic-" + kind.tag() + "-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
            this.stateDir = tempRoot.resolve(appId);
            String prefix = "bench.realistic." + kind.tag() + ".";
            this.topics = new Topics(inputs.contactPoints(), inputs.consent(), inputs.registrations(),
                    prefix + "audience", prefix + "quarantine", prefix + "suppressed", prefix + "dead-letter")
                    .withRecalls(prefix + "recalls").withShadowDecisions(prefix + "shadow-decisions");
            FirewallConfig withId = base.withApplicationId(appId, stateDir);
            FirewallConfig config = new FirewallConfig(appId, withId.bootstrapServers(), withId.schemaRegistry(),
                    topics, withId.processing(), withId.identity(), withId.streams(), withId.policyFile(),
                    withId.policy()).withShadow(kind == RunResult.Kind.FIREWALL ? base.shadow() : null);
            shadowTopic = config.shadow() == null ? null : topics.shadowDecisions();
            Topology topology;
            if (kind == RunResult.Kind.FIREWALL) {
                barrier = new BrokerSideRecordBarrier(Admin.create(new StreamsConfig(StreamsSettings.of(config))
                        .getAdminConfigs(appId + "-barrier")), appId,
                        List.of(topics.consent(), topics.registrations()),
                        Names.sideRecordsTopic(appId), options.partitions(),
                        config.processing().sideBarrierPoll());
                topology = FirewallTopology.build(config, serdes, options.partitions(), barrier);
                outputs = List.of(topics.audience(), topics.quarantine(), topics.suppressed(), topics.deadLetter(),
                        topics.recalls());
                FirewallBenchmark.registerOutputs(serdes, topics);
            } else {
                barrier = null;
                topology = PassThroughTopology.build(config, serdes, true);
                outputs = List.of(topics.audience());
                FirewallBenchmark.register(serdes.audience(), topics.audience());
            }
            kafka.createTopics(outputs, options.partitions());
            if (shadowTopic != null) {
                kafka.createTopics(List.of(shadowTopic), options.partitions());
                FirewallBenchmark.register(serdes.shadowDecision(), shadowTopic);
            }
            streams = new KafkaStreams(topology, StreamsSettings.of(config));
            streams.setUncaughtExceptionHandler(e -> {
                failure.compareAndSet(null, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
        }

        void start() {
            if (barrier != null) {
                barrier.start();
            }
            streams.start();
        }

        /** Contact points decided so far (the firewall's route metrics); the pass-through decides nothing. */
        long decided() {
            return kind == RunResult.Kind.FIREWALL ? FirewallBenchmark.decidedTotal(streams) : 0;
        }

        /** True once every home partition's barrier has settled past {@code time}: side records before it applied. */
        boolean settledPast(long time) {
            for (int p = 0; p < options.partitions(); p++) {
                if (barrier.settledThrough(p) < time) {
                    return false;
                }
            }
            return true;
        }

        Map<String, Long> countOutputs() {
            Map<String, Long> counted = kafka.countCommitted(outputs, Duration.ofMinutes(2));
            Map<String, Long> ordered = new LinkedHashMap<>();
            outputs.forEach(t -> ordered.put(t, counted.getOrDefault(t, 0L)));
            return ordered;
        }

        void close() {
            streams.close(Duration.ofSeconds(60));
            streams.cleanUp();
            if (barrier != null) {
                barrier.close();
            }
            kafka.deleteTopics(outputs, appId + "-");
            if (shadowTopic != null) {
                kafka.deleteTopics(List.of(shadowTopic), appId + "-");
            }
            kafka.deleteGroup(appId);
            FirewallBenchmark.deleteQuietly(stateDir);
        }
    }

    /** True if {@code committed} reaches {@code target} on every partition. */
    static boolean reach(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> target) {
        for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
            if (committed.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    BenchmarkReport run(double loadAtStart) {
        int partitions = options.partitions();
        int users = options.preloadUsers();
        int registrations = options.preloadRegistrations();
        int warm = options.warmupContactPoints();
        int timed = options.contactPoints();
        int total = warm + timed;
        int sideRecords = options.sideRecords();
        String prefix = "bench.realistic.in";
        Topics inputs = new Topics(prefix + ".contact-points", prefix + ".consent", prefix + ".registrations",
                prefix + ".unused.audience", prefix + ".unused.quarantine", prefix + ".unused.suppressed",
                prefix + ".unused.dead-letter");
        List<String> inputTopics = List.of(inputs.contactPoints(), inputs.consent(), inputs.registrations());
        List<String> sideTopics = List.of(inputs.consent(), inputs.registrations());
        kafka.createTopics(inputTopics, partitions);
        // Event times: the preload an hour before the first contact point; contact points 1 ms apart, the last one
        // at least 10 minutes in the past, so that side records at their event times are never in the future.
        long now = System.currentTimeMillis();
        long contactStart = now - total - Duration.ofMinutes(10).toMillis();
        long preloadTime = contactStart - Duration.ofHours(1).toMillis();
        RealisticTraffic traffic = new RealisticTraffic(inputs, serdes, users, registrations, total, preloadTime,
                contactStart);
        out.printf("Contact points: %,d warm-up + %,d timed, about %,d distinct population users; %,d of the timed "
                        + "ones are of a security-registered user; expected outcomes of the timed ones %s%n", warm,
                timed, traffic.distinctTimedUsers(), traffic.contactPointsOfRegisteredUsers(warm, total),
                traffic.expectedCounts(warm, total));

        List<Instance> instances = new ArrayList<>();
        try {
            // 1. Preload.
            long loadStarted = System.nanoTime();
            try (BenchmarkKafka.Loader loader = kafka.loader("benchmark-preload", 10)) {
                traffic.sendPreload(loader);
                loader.flush();
            }
            double produced = seconds(System.nanoTime() - loadStarted);
            out.printf("Preload: %,d consent records and %,d security registrations produced in %.1f s%n", users,
                    registrations, produced);

            // 2. The firewall applies it, decides the warm-up contact points, pauses.
            Instance fw = new Instance(RunResult.Kind.FIREWALL, inputs);
            instances.add(fw);
            long applyStarted = System.nanoTime();
            fw.start();
            long after = fw.barrier.now();
            Map<TopicPartition, Long> sideEnds = kafka.endOffsets(sideTopics);
            await(fw, "applying the preload", c -> reach(c, sideEnds) && fw.settledPast(after), null);
            double fwApplied = seconds(System.nanoTime() - applyStarted);
            double fwApplyCpu = seconds(FirewallBenchmark.streamThreadCpuNanos(fw.appId));
            out.printf("[preload] firewall     %s applied %,d side records in %.1f s (from start; stream thread CPU "
                    + "%.1f s)%n", fw.appId, users + registrations, fwApplied, fwApplyCpu);
            double fwWarm = warmUp(fw, traffic, warm);
            Map<String, Long> fwBefore = fw.countOutputs();
            fw.streams.pause();

            // 3. The pass-through reads the same, pauses.
            Instance pt = new Instance(RunResult.Kind.PASS_THROUGH, inputs);
            instances.add(pt);
            long ptStarted = System.nanoTime();
            pt.start();
            Map<TopicPartition, Long> allEnds = kafka.endOffsets(inputTopics);
            await(pt, "reading the preload", c -> reach(c, allEnds), null);
            double ptApplied = seconds(System.nanoTime() - ptStarted);
            out.printf("[preload] pass-through %s read the preload and warm-up in %.1f s%n", pt.appId, ptApplied);
            Map<String, Long> ptBefore = pt.countOutputs();
            pt.streams.pause();

            // 4. The timed contact points, as a backlog.
            long backlogStarted = System.nanoTime();
            try (BenchmarkKafka.Loader loader = kafka.loader("benchmark-contact-points", 10)) {
                traffic.sendContactPoints(loader, warm, total);
                loader.flush();
            }
            out.printf("Produced %,d timed contact points in %.1f s (both topologies paused)%n", timed,
                    seconds(System.nanoTime() - backlogStarted));

            // 5. Timed: the firewall, with live side traffic.
            RunResult fwResult = timedFirewall(fw, traffic, warm, timed, sideRecords, sideTopics, fwBefore);
            fw.close();
            instances.remove(fw);

            // 6. Timed: the pass-through, over the same records.
            RunResult ptResult = timedPassThrough(pt, timed, sideRecords, inputTopics, ptBefore);
            pt.close();
            instances.remove(pt);

            String preload = String.format(java.util.Locale.ROOT, "%,d users' consent and %,d security registrations"
                            + " (%,d records), produced in %.1f s; applied by the firewall in %.1f s (from start, "
                            + "stream thread CPU %.1f s), read by the pass-through in %.1f s; then %,d warm-up "
                            + "contact points (firewall %.1f s)", users, registrations, users + registrations,
                    produced, fwApplied, fwApplyCpu, ptApplied, warm, fwWarm);
            Runtime rt = Runtime.getRuntime();
            String gc = ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(" + "));
            BenchmarkReport.Environment env = new BenchmarkReport.Environment(
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                    rt.maxMemory() / (1024 * 1024), gc, rt.availableProcessors(), FirewallBenchmark.kafkaVersion(),
                    partitions, base.processing().guarantee().kafkaValue(), base.processing().commitInterval().toMillis(),
                    base.processing().numStreamThreads(), users, timed, sideRecords, preload, loadAtStart,
                    FirewallBenchmark.loadAverage());
            return new BenchmarkReport(env, List.of(), List.of(fwResult, ptResult));
        } finally {
            for (Instance instance : instances) {
                try {
                    instance.close();
                } catch (RuntimeException e) {
                    System.err.println("could not close " + instance.appId + ": " + e);
                }
            }
            kafka.deleteTopics(inputTopics, null);
        }
    }

    /** Decides the warm-up contact points (0 to skip); returns the seconds it took. */
    private double warmUp(Instance fw, RealisticTraffic traffic, int warm) {
        if (warm == 0) {
            return 0;
        }
        long started = System.nanoTime();
        try (BenchmarkKafka.Loader loader = kafka.loader("benchmark-warm-up", 10)) {
            traffic.sendContactPoints(loader, 0, warm);
            loader.flush();
        }
        Map<TopicPartition, Long> ends = kafka.endOffsets(List.of(fw.topics.contactPoints()));
        await(fw, "deciding the warm-up", c -> reach(c, ends) && fw.decided() >= warm, null);
        double took = seconds(System.nanoTime() - started);
        out.printf("[warm-up] firewall     decided %,d contact points in %.1f s (not timed)%n", warm, took);
        return took;
    }

    private RunResult timedFirewall(Instance fw, RealisticTraffic traffic, int warm, int timed, int sideRecords,
                                    List<String> sideTopics, Map<String, Long> before) {
        Map<TopicPartition, Long> contactEnds = kafka.endOffsets(List.of(fw.topics.contactPoints()));
        long decidedBefore = fw.decided();
        long cpuBefore = FirewallBenchmark.streamThreadCpuNanos(fw.appId);
        long processBefore = FirewallBenchmark.processCpuNanos();
        long jitBefore = FirewallBenchmark.jitMillis();
        int[] sent = {0};
        AtomicReference<Map<TopicPartition, Long>> sideEnds = new AtomicReference<>();
        out.printf("[realistic] firewall     consuming %,d contact points with %,d live side records ...%n", timed,
                sideRecords);
        ProfileRecorder profile = options.profile() == null ? null
                : ProfileRecorder.start(options.profile(), fw.appId, timed);
        long started;
        long done;
        double streamCpu;
        double processCpu;
        double jit;
        try (BenchmarkKafka.Loader side = kafka.loader("benchmark-side-traffic", 0)) {
            started = System.nanoTime();
            fw.streams.resume();
            Runnable eachPoll = () -> {
                long decided = Math.max(0, fw.decided() - decidedBefore);
                int due = sideRecords == 0 ? 0
                        : (int) Math.min(sideRecords, (long) (sideRecords * decided / (SIDE_SPREAD * timed)) + 1);
                long eventTime = traffic.eventTime(warm + (int) Math.min(decided, timed - 1));
                while (sent[0] < due) {
                    side.send(traffic.side(sent[0]++, eventTime));
                }
                if (sent[0] == sideRecords && sideEnds.get() == null) {
                    side.flush();
                    sideEnds.set(kafka.endOffsets(sideTopics));
                }
            };
            done = await(fw, "the timed run", c -> sideEnds.get() != null && reach(c, contactEnds)
                    && reach(c, sideEnds.get()) && fw.decided() - decidedBefore >= timed, eachPoll);
            if (profile != null) {
                profile.endRun();
            }
            streamCpu = seconds(FirewallBenchmark.streamThreadCpuNanos(fw.appId) - cpuBefore);
            processCpu = seconds(FirewallBenchmark.processCpuNanos() - processBefore);
            jit = (FirewallBenchmark.jitMillis() - jitBefore) / 1e3;
        } finally {
            if (profile != null) {
                profile.close();
                out.printf("[realistic] firewall     JFR recording written to %s (scripts/profile-summary.sh %s)%n",
                        profile.file(), profile.file());
            }
        }
        if (fw.shadowTopic != null) {
            long written = kafka.countCommitted(List.of(fw.shadowTopic), Duration.ofMinutes(2))
                    .getOrDefault(fw.shadowTopic, 0L);
            out.printf("[realistic] firewall     shadow mode: %,.0f disagreements, %,.0f failures (sensors, warm-up "
                            + "included); %,d records on %s%n", FirewallBenchmark.sensorTotal(fw.streams,
                            org.purposefirewall.monitoring.MetricNames.SHADOW_DISAGREEMENTS),
                    FirewallBenchmark.sensorTotal(fw.streams, org.purposefirewall.monitoring.MetricNames.SHADOW_FAILURES),
                    written, fw.shadowTopic);
        }
        Map<String, Long> expected = new LinkedHashMap<>();
        Map<Expected, Long> outcomes = traffic.expectedCounts(warm, warm + timed);
        expected.put(fw.topics.audience(), outcomes.get(Expected.FORWARD));
        expected.put(fw.topics.quarantine(), outcomes.get(Expected.QUARANTINE));
        expected.put(fw.topics.suppressed(), outcomes.get(Expected.SUPPRESS));
        expected.put(fw.topics.deadLetter(), outcomes.get(Expected.DEAD_LETTER));
        // Side traffic is about users no contact point is about: nothing forwarded is recalled.
        expected.put(fw.topics.recalls(), 0L);
        return result(fw, timed, timed + sideRecords, started, done, streamCpu, processCpu, jit, before, expected);
    }

    private RunResult timedPassThrough(Instance pt, int timed, int sideRecords, List<String> inputTopics,
                                       Map<String, Long> before) {
        Map<TopicPartition, Long> ends = kafka.endOffsets(inputTopics);
        long cpuBefore = FirewallBenchmark.streamThreadCpuNanos(pt.appId);
        long processBefore = FirewallBenchmark.processCpuNanos();
        long jitBefore = FirewallBenchmark.jitMillis();
        out.printf("[realistic] pass-through consuming %,d contact points and the same %,d side records ...%n",
                timed, sideRecords);
        long started = System.nanoTime();
        pt.streams.resume();
        long done = await(pt, "the timed run", c -> reach(c, ends), null);
        double streamCpu = seconds(FirewallBenchmark.streamThreadCpuNanos(pt.appId) - cpuBefore);
        double processCpu = seconds(FirewallBenchmark.processCpuNanos() - processBefore);
        double jit = (FirewallBenchmark.jitMillis() - jitBefore) / 1e3;
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put(pt.topics.audience(), (long) timed);
        return result(pt, timed, timed + sideRecords, started, done, streamCpu, processCpu, jit, before, expected);
    }

    /** The run's result; its outputs are what the timed run added to what was committed before it. */
    private RunResult result(Instance instance, int timed, long inputRecords, long started, long done,
                             double streamCpu, double processCpu, double jit, Map<String, Long> before,
                             Map<String, Long> expected) {
        Map<String, Long> after = instance.countOutputs();
        Map<String, Long> added = new LinkedHashMap<>();
        after.forEach((topic, n) -> added.put(topic, n - before.getOrDefault(topic, 0L)));
        RunResult result = new RunResult("realistic", 1, instance.kind, timed, inputRecords, seconds(done - started),
                seconds(done - started), streamCpu, processCpu, jit, added, expected);
        out.printf("[realistic] %-12s %,d contact points in %.2f s = %,.0f/s (stream thread CPU %.2f s, JVM CPU "
                        + "%.2f s, JIT %.2f s); outputs %s%s%n", instance.kind.title(), timed,
                result.elapsedSeconds(), result.recordsPerSecond(), streamCpu, processCpu, jit,
                FirewallBenchmark.shortNames(added), result.processedExactly() ? (result.outcomesAsExpected() ? " ok"
                        : " (outcomes differ from " + FirewallBenchmark.shortNames(expected) + ")")
                        : " MISMATCH: expected " + timed);
        return result;
    }

    /**
     * Polls every 20 ms until {@code done} holds for the application's committed offsets, running {@code eachPoll} first each time; fails if a stream thread
     * failed, Kafka Streams stopped, or nothing progressed for the stall timeout. Returns System.nanoTime() one
     * commit interval after {@code done} held (so that the last transaction is committed, as the standard mode).
     */
    private long await(Instance instance, String what, Predicate<Map<TopicPartition, Long>> done,
                       Runnable eachPoll) {
        long stallNanos = TimeUnit.SECONDS.toNanos(options.stallTimeoutSeconds());
        long lastProgress = System.nanoTime();
        long lastSum = -1;
        while (true) {
            Throwable error = instance.failure.get();
            if (error != null) {
                throw new IllegalStateException(instance.appId + ": a stream thread failed while " + what + ": "
                        + error, error);
            }
            KafkaStreams.State state = instance.streams.state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                    || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN) {
                throw new IllegalStateException(instance.appId + ": Kafka Streams stopped early in state " + state
                        + " while " + what);
            }
            if (eachPoll != null) {
                eachPoll.run();
            }
            Map<TopicPartition, Long> committed = kafka.committedOffsets(instance.appId);
            if (done.test(committed)) {
                sleepQuietly(250);
                return System.nanoTime();
            }
            long now = System.nanoTime();
            // Progress: the committed offsets (the internal topic's included) and the decisions.
            long sum = committed.values().stream().mapToLong(Long::longValue).sum() + instance.decided();
            if (sum > lastSum) {
                lastSum = sum;
                lastProgress = now;
            } else if (now - lastProgress > stallNanos) {
                throw new IllegalStateException(instance.appId + ": no progress for " + options.stallTimeoutSeconds()
                        + " s while " + what + "; committed " + kafka.committedOffsets(instance.appId));
            }
            sleepQuietly(POLL_MS);
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
