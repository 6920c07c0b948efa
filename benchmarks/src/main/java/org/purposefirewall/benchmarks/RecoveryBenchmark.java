package org.purposefirewall.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.purposefirewall.app.ClassDataArchive;
import org.purposefirewall.app.PurposeFirewallMain;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.kafkalocal.LocalSchemaRegistry;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * How long the firewall is gone after an unclean stop: the time from {@code kill -9} of a firewall process to the
 * first output record (read_committed) on every output partition it had, with realistic state (by default
 * 1,000,000 users' consent and 100,000 security registrations, {@link RealisticTraffic}) and steady contact-point
 * traffic throughout.
 *
 * <p>One in-process broker and a real schema registry ({@link LocalSchemaRegistry}: the firewall runs in other
 * processes, so the in-memory one cannot be shared). Every firewall instance is a separate OS process,
 * {@code PurposeFirewallMain run --config FILE} on this class path with its own state directory and HTTP port, so
 * that it can be killed with SIGKILL ({@link Process#destroyForcibly()}). Scenarios, each with its own application
 * id and output topics over the same inputs:
 * <ul>
 *   <li>{@code before}: Kafka's defaults (dynamic membership, no transactional stores); one instance killed and
 *       restarted on its state directory.</li>
 *   <li>{@code static}: static membership without transactional stores (the firewall's defaults: every deciding
 *       task wiped and restored whole after the kill); the same.</li>
 *   <li>{@code after}: static membership and transactional stores (opt-in: the stores' flushed state is kept);
 *       the same.</li>
 *   <li>{@code during-start} (and {@code during-start-before}, with Kafka's defaults): as {@code static}, but each
 *       restarted process is killed again 2.5 s (before: 6 s) after its start, while it starts, and started once
 *       more; the figures are from that second kill.</li>
 *   <li>{@code failover}: two instances with {@code num-standby-replicas: 1}; one killed and not restarted until
 *       the survivor has taken over: the time to the first output of the killed one's partitions from the
 *       survivor. {@code failover@MS} the same with {@code session.timeout.ms} MS.</li>
 * </ul>
 * A partition counts as recovered at its first output more than {@value #MARK_MS} ms after the kill (no new JVM
 * writes sooner; an output the dead process's last commit made visible is not counted). Also reported: the time
 * to the restarted process's {@code RUNNING}, and every WARN and ERROR its log has, by logger and message.
 *
 * <p>Usage: {@code RecoveryBenchmark [--users N] [--registrations N] [--partitions P] [--rate R] [--kills K]
 * [--scenarios before,static,after,during-start,during-start-before,failover,failover@MS] [--work-dir DIR] [--max-minutes M]
 * [--streams-setting KEY=VALUE]... [--cds-archive FILE]}; each {@code --streams-setting} goes into every instance's
 * {@code streams:} section (Kafka Streams' own keys, for example {@code restore.consumer.max.poll.records}), beside
 * what a scenario sets; {@code --cds-archive} gives every firewall JVM the class-data archive as
 * {@code bin/purpose-firewall} does with {@code CDS_ARCHIVE} ({@link ClassDataArchive}): mapped once it exists and
 * is newer than the jars, else written a minute after the process is {@code RUNNING}.
 */
public final class RecoveryBenchmark {

    static final long MARK_MS = 500;

    /** Every firewall process started, killed by a shutdown hook should this JVM end first. */
    private static final List<Process> CHILDREN = java.util.Collections.synchronizedList(new ArrayList<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (CHILDREN) {
                CHILDREN.forEach(Process::destroyForcibly);
            }
        }, "recovery-children"));
    }

    private final LocalKafkaBroker broker;
    private final String registryUrl;
    private final Path work;
    private final int partitions;
    private final PrintStream out;
    private final long deadlineNanos;
    private final Topics inputs;
    private final Map<String, String> streamsSettings;
    /** Null: none, as shipped. */
    private final Path classDataArchive;

    private RecoveryBenchmark(LocalKafkaBroker broker, String registryUrl, Path work, int partitions, Topics inputs,
                              Map<String, String> streamsSettings, Path classDataArchive, PrintStream out,
                              long deadlineNanos) {
        this.streamsSettings = Map.copyOf(streamsSettings);
        this.classDataArchive = classDataArchive;
        this.broker = broker;
        this.registryUrl = registryUrl;
        this.work = work;
        this.partitions = partitions;
        this.inputs = inputs;
        this.out = out;
        this.deadlineNanos = deadlineNanos;
    }

    public static void main(String[] args) throws Exception {
        int users = 1_000_000;
        int registrations = 100_000;
        int partitions = 4;
        int rate = 200;
        int kills = 2;
        int maxMinutes = 25;
        List<String> scenarios = List.of("before", "static", "after", "failover");
        Path work = null;
        Map<String, String> streamsSettings = new LinkedHashMap<>();
        Path classDataArchive = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--users" -> users = Integer.parseInt(value);
                case "--registrations" -> registrations = Integer.parseInt(value);
                case "--partitions" -> partitions = Integer.parseInt(value);
                case "--rate" -> rate = Integer.parseInt(value);
                case "--kills" -> kills = Integer.parseInt(value);
                case "--max-minutes" -> maxMinutes = Integer.parseInt(value);
                case "--scenarios" -> scenarios = List.of(value.split(","));
                case "--work-dir" -> work = Path.of(value);
                case "--cds-archive" -> classDataArchive = Path.of(value);
                case "--streams-setting" -> {
                    int eq = value == null ? -1 : value.indexOf('=');
                    if (eq <= 0) {
                        System.err.println("--streams-setting takes KEY=VALUE, got " + value);
                        System.exit(2);
                    }
                    streamsSettings.put(value.substring(0, eq), value.substring(eq + 1));
                }
                default -> {
                    System.err.println("usage: RecoveryBenchmark [--users N] [--registrations N] [--partitions P] "
                            + "[--rate R] [--kills K] [--scenarios before,static,after,during-start,during-start-before,failover,failover@MS] [--work-dir DIR] "
                            + "[--max-minutes M] [--streams-setting KEY=VALUE]... [--cds-archive FILE]");
                    System.exit(2);
                }
            }
        }
        // Not under the OS temporary directory, which Kafka Streams warns about (a line this harness reports).
        work = work != null ? work : Path.of("benchmarks", "target", "recovery-" + System.currentTimeMillis());
        System.exit(run(users, registrations, partitions, rate, kills, scenarios, work, maxMinutes, streamsSettings,
                classDataArchive, System.out));
    }

    static int run(int users, int registrations, int partitions, int rate, int kills, List<String> scenarios,
                   Path work, int maxMinutes, Map<String, String> streamsSettings, Path classDataArchive,
                   PrintStream out)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(maxMinutes);
        Files.createDirectories(work);
        try (LocalKafkaBroker broker = LocalKafkaBroker.start();
             LocalSchemaRegistry registry = LocalSchemaRegistry.start(LocalSchemaRegistry.locateJar())) {
            Topics inputs = new Topics("recovery.contact-points", "recovery.consent", "recovery.registrations",
                    "unused.audience", "unused.quarantine", "unused.suppressed", "unused.dead-letter");
            FirewallTopics.createInputs(broker, inputs, partitions);
            FirewallSerdes serdes = FirewallSerdes.fromSettings(
                    SchemaRegistryConfig.parse(Map.of("schema.registry.url", registry.confluentUrl())));
            long now = System.currentTimeMillis();
            int planned = rate * maxMinutes * 60 + 1;
            RealisticTraffic traffic = new RealisticTraffic(inputs, serdes, users, registrations, planned,
                    now - Duration.ofHours(2).toMillis(), now - Duration.ofHours(1).toMillis());
            long loadStart = System.nanoTime();
            try (BenchmarkKafka kafka = new BenchmarkKafka(broker);
                 BenchmarkKafka.Loader loader = kafka.loader("recovery-preload", 10)) {
                traffic.sendPreload(loader);
                loader.flush();
            }
            out.printf(Locale.ROOT, "recovery: preloaded %,d users' consent and %,d security registrations in "
                            + "%.1f s; %d partitions; %d contact points/s throughout; 2 cores shared, so noisy%n",
                    users, registrations, (System.nanoTime() - loadStart) / 1e9, partitions, rate);
            if (!streamsSettings.isEmpty()) {
                out.println("recovery: every instance also has streams settings " + streamsSettings);
            }
            RecoveryBenchmark bench = new RecoveryBenchmark(broker, registry.confluentUrl(), work, partitions, inputs,
                    streamsSettings, classDataArchive, out, deadline);
            try (Traffic sender = new Traffic(broker, traffic, rate, planned)) {
                sender.start();
                for (String scenario : scenarios) {
                    if (System.nanoTime() > deadline) {
                        out.println("recovery: time is up (--max-minutes " + maxMinutes + "); skipping " + scenario);
                        continue;
                    }
                    switch (scenario) {
                        case "before" -> bench.restart("before", false, false, kills);
                        case "static" -> bench.restart("static", true, false, kills);
                        case "after" -> bench.restart("after", true, true, kills);
                        // killed again while it starts: the figure is from that kill. 2.5 s, since a restart of
                        // the shipped defaults restores for several seconds; with Kafka's defaults 6 s is still early.
                        case "during-start" -> bench.restart("during-start", true, false, kills, 2_500);
                        case "during-start-before" -> bench.restart("during-start-before", false, false, kills,
                                6_000);
                        case "failover" -> bench.failover(kills, 0);
                        default -> {
                            if (!scenario.startsWith("failover@")) {
                                throw new IllegalArgumentException("unknown scenario " + scenario);
                            }
                            bench.failover(kills, Integer.parseInt(scenario.substring("failover@".length())));
                        }
                    }
                }
                out.printf(Locale.ROOT, "recovery: %,d contact points sent%n", sender.sent.get());
            }
            return 0;
        }
    }

    /** One instance, killed {@code kills} times under traffic and restarted at once on the same state directory. */
    private void restart(String name, boolean staticMembership, boolean transactional, int kills) throws Exception {
        restart(name, staticMembership, transactional, kills, 0);
    }

    /**
     * As above; with {@code duringStartMs} > 0 each restarted process is killed again that long after it was
     * started (while it restores), and started once more: the figures are then from that second kill.
     */
    private void restart(String name, boolean staticMembership, boolean transactional, int kills,
                         long duringStartMs) throws Exception {
        String app = "recovery-" + name;
        Topics topics = outputs(app);
        Instance a = new Instance(app, "a", config(app, topics, "a", staticMembership, transactional, 0));
        try (Watcher watcher = new Watcher(broker, topics, partitions)) {
            a.start();
            watcher.start();
            awaitSteady(watcher, a, Duration.ofMinutes(5));
            out.printf(Locale.ROOT, "[%s] static membership %s, transactional stores %s: first start to steady "
                    + "output in %.1f s%n", name, staticMembership, transactional, a.sinceStart() / 1e3);
            for (int k = 1; k <= kills && System.nanoTime() < deadlineNanos; k++) {
                Thread.sleep(5_000); // a few commits of steady state
                long killedAt = a.kill();
                watcher.mark(killedAt + MARK_MS);
                a.start();
                if (duringStartMs > 0) {
                    Thread.sleep(duringStartMs);
                    a.checkAlive();
                    killedAt = a.kill();
                    watcher.mark(killedAt + MARK_MS);
                    a.start();
                }
                long running = a.awaitRunning(Duration.ofMinutes(4));
                Recovery recovered = Recovery.of(watcher.awaitAllPartitions(Duration.ofMinutes(4)), killedAt);
                out.printf(Locale.ROOT, "[%s] kill %d: RUNNING %.1f s after kill -9, first output on every "
                                + "partition %s%n", name, k, (running - killedAt) / 1e3, recovered);
                reportLog(name + "] [kill " + k, a.log());
            }
        } finally {
            a.kill();
        }
    }

    /**
     * Two instances with a standby each; kill {@code k} kills the first instance when k is odd, the second when it
     * is even (after a failover the survivor holds every active task), and starts it again only once the survivor
     * has taken over. {@code sessionTimeoutMs} (0: Kafka's 45 s) is passed as {@code streams.session.timeout.ms}:
     * a static member's tasks wait that long for it before they move.
     */
    private void failover(int kills, int sessionTimeoutMs) throws Exception {
        String app = "recovery-failover" + (sessionTimeoutMs > 0 ? "-" + sessionTimeoutMs : "");
        String name = "failover" + (sessionTimeoutMs > 0 ? ", session.timeout.ms " + sessionTimeoutMs : "");
        Topics topics = outputs(app);
        Map<String, String> streams = sessionTimeoutMs > 0
                ? Map.of("session.timeout.ms", String.valueOf(sessionTimeoutMs)) : Map.of();
        // The shipped defaults (transactional stores off) and a standby of every task.
        Instance[] instances = {new Instance(app, "a", config(app, topics, "a", true, false, 1, streams)),
            new Instance(app, "b", config(app, topics, "b", true, false, 1, streams))};
        try (Watcher watcher = new Watcher(broker, topics, partitions)) {
            instances[0].start();
            instances[1].start();
            watcher.start();
            awaitSteady(watcher, instances[0], Duration.ofMinutes(5));
            instances[1].awaitRunning(Duration.ofMinutes(2));
            // Standbys are warm once the assignment has settled; give them the preload's changelogs to catch up.
            Thread.sleep(15_000);
            out.printf(Locale.ROOT, "[%s] two instances, num-standby-replicas 1, static membership, no transactional "
                    + "stores: steady in %.1f s%n", name, instances[0].sinceStart() / 1e3);
            for (int k = 1; k <= kills && System.nanoTime() < deadlineNanos; k++) {
                Instance victim = instances[(k - 1) % 2];
                Instance survivor = instances[k % 2];
                long killedAt = victim.kill();
                watcher.mark(killedAt + MARK_MS);
                Recovery recovered = Recovery.of(watcher.awaitAllPartitions(Duration.ofMinutes(4)), killedAt);
                out.printf(Locale.ROOT, "[%s] kill %d of instance %s: first output from the survivor on every "
                        + "partition %s%n", name, k, victim.name, recovered);
                reportLog(name + "] [kill " + k + ", survivor", survivor.log());
                victim.start();
                awaitSteady(watcher, victim, Duration.ofMinutes(4));
                Thread.sleep(15_000);
            }
        } finally {
            instances[0].kill();
            instances[1].kill();
        }
    }

    /**
     * Per output partition, how long after the kill its first output came; a partition counts as interrupted if
     * that took over a second (the killed instance had it), else it was the survivor's all along.
     */
    private record Recovery(long slowestMs, int interrupted, int partitions) {
        static Recovery of(Map<Integer, Long> firstAfter, long killedAt) {
            long slowest = 0;
            int interrupted = 0;
            for (long at : firstAfter.values()) {
                long ms = at - killedAt;
                if (ms > 1_000) {
                    interrupted++;
                }
                slowest = Math.max(slowest, ms);
            }
            return new Recovery(slowest, interrupted, firstAfter.size());
        }

        @Override
        public String toString() {
            return interrupted == 0
                    ? String.format(Locale.ROOT, "%.1f s after kill -9 (no partition was interrupted: the killed "
                            + "instance had no active task)", slowestMs / 1e3)
                    : String.format(Locale.ROOT, "%.1f s after kill -9 (%d of %d partitions were interrupted)",
                            slowestMs / 1e3, interrupted, partitions);
        }
    }

    private void awaitSteady(Watcher watcher, Instance instance, Duration timeout) throws Exception {
        instance.awaitRunning(timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long now = System.currentTimeMillis();
            Map<Integer, Long> seen = watcher.lastSeen();
            if (seen.size() == partitions && seen.values().stream().allMatch(t -> now - t < 2_000)) {
                return;
            }
            instance.checkAlive();
            Thread.sleep(200);
        }
        throw new IllegalStateException("no steady output within " + timeout + "; log " + instance.log());
    }

    /** Every WARN and ERROR line of a log, counted by level, logger and message (without key-values). */
    private void reportLog(String what, Path log) throws IOException {
        Map<String, Integer> lines = new TreeMap<>();
        java.util.regex.Pattern format = java.util.regex.Pattern.compile(
                "^\\S+ \\S+ (WARN|ERROR)\\s+\\[.*?\\] (\\S+) - (.*)$");
        for (String line : Files.readAllLines(log)) {
            java.util.regex.Matcher m = format.matcher(line);
            if (m.matches()) {
                // level, logger and message; numbers and ids folded so that repeats count as one line
                String msg = m.group(3).replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<uuid>").replaceAll("\\d+", "N");
                lines.merge(m.group(1) + " " + m.group(2) + " - "
                        + (msg.length() > 160 ? msg.substring(0, 160) + "..." : msg), 1, Integer::sum);
            }
        }
        out.printf("[%s] log %s: %s%n", what, log.getFileName(), lines.isEmpty() ? "no WARN or ERROR" : "");
        lines.forEach((line, n) -> out.printf("    %dx %s%n", n, line));
    }

    private Topics outputs(String app) {
        Topics t = new Topics(inputs.contactPoints(), inputs.consent(), inputs.registrations(), app + ".audience",
                app + ".quarantine", app + ".suppressed", app + ".dead-letter", app + ".recalls", List.of(),
                app + ".shadow-decisions");
        Map<String, Integer> request = new LinkedHashMap<>();
        for (String topic : List.of(t.audience(), t.quarantine(), t.suppressed(), t.deadLetter(), t.recalls(),
                t.shadowDecisions())) {
            request.put(topic, partitions);
        }
        broker.createTopics(request, Map.of());
        return t;
    }

    private Path config(String app, Topics t, String instance, boolean staticMembership, boolean transactional,
                        int standbys) throws IOException {
        return config(app, t, instance, staticMembership, transactional, standbys, Map.of());
    }

    private Path config(String app, Topics t, String instance, boolean staticMembership, boolean transactional,
                        int standbys, Map<String, String> scenarioStreams) throws IOException {
        Map<String, String> streams = new LinkedHashMap<>(streamsSettings);
        streams.putAll(scenarioStreams);
        Path dir = Files.createDirectories(work.resolve(app).resolve(instance));
        Path policy = Path.of("config", "policy.yaml").toAbsolutePath();
        String yaml = String.join("\n",
                "application-id: " + app,
                "bootstrap-servers: " + broker.bootstrapServers(),
                "policy-file: " + policy,
                "schema-registry:",
                "  schema.registry.url: " + registryUrl,
                "  auto.register.schemas: true",
                FirewallTopics.yamlSection(t),
                "processing:",
                "  state-dir: " + dir.resolve("state"),
                "  group-instance-id: " + (staticMembership ? "derived" : "none"),
                "  transactional-state-stores: " + transactional,
                "  num-standby-replicas: " + standbys,
                "http:",
                "  bind-address: 127.0.0.1",
                "  port: " + freePort(),
                streams.isEmpty() ? "streams: {}" : "streams:",
                streams.entrySet().stream().map(e -> "  " + e.getKey() + ": " + e.getValue())
                        .collect(java.util.stream.Collectors.joining("\n")),
                "");
        Path file = dir.resolve("application.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** One firewall process: started, killed with SIGKILL, started again on the same config and state. */
    private final class Instance {
        private final String name;
        private final Path config;
        private Process process;
        private long startedAt;
        private int starts;
        private Path log;

        Instance(String app, String name, Path config) {
            this.name = app + "-" + name;
            this.config = config;
        }

        void start() throws IOException {
            starts++;
            log = config.resolveSibling("run-" + starts + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-XX:+UseSerialGC", "-Dlogback.configurationFile=logback.xml"));
            String classPath = serviceClassPath();
            if (classDataArchive != null) {
                List<String> cds = ClassDataArchive.jvmOptions(classDataArchive, classPath);
                out.println("recovery: " + name + " start " + starts + (cds.isEmpty() ? " without a class-data archive"
                        : cds.get(0).startsWith("-XX:SharedArchiveFile") ? " maps the class-data archive"
                        : " records for the class-data archive"));
                command.addAll(cds);
            }
            command.addAll(List.of("-cp", classPath, PurposeFirewallMain.class.getName(), "run", "--config",
                    config.toString()));
            startedAt = System.currentTimeMillis();
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            CHILDREN.add(process);
        }

        /** SIGKILL, then waits for the process to be gone; returns when the signal was sent (epoch ms). */
        long kill() throws InterruptedException {
            if (process == null || !process.isAlive()) {
                return System.currentTimeMillis();
            }
            long at = System.currentTimeMillis();
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            return at;
        }

        long awaitRunning(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (String line : Files.readAllLines(log)) {
                    if (line.contains("to=\"RUNNING\"")) {
                        return System.currentTimeMillis();
                    }
                }
                checkAlive();
                Thread.sleep(50);
            }
            throw new IllegalStateException(name + " not RUNNING within " + timeout + "; log " + log);
        }

        void checkAlive() {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log " + log);
            }
        }

        long sinceStart() {
            return System.currentTimeMillis() - startedAt;
        }

        Path log() {
            return log;
        }
    }

    /**
     * This JVM's class path without this module's own classes, so that {@code logback.xml} is the service's (the
     * one {@code bin/purpose-firewall} runs with), not this module's.
     */
    private static String serviceClassPath() {
        Path own;
        try {
            own = Path.of(RecoveryBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!Path.of(entry).toAbsolutePath().equals(own)) {
                entries.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Contact points at a steady rate, on their own thread, until closed. */
    private static final class Traffic implements AutoCloseable {
        private final BenchmarkKafka kafka;
        private final BenchmarkKafka.Loader loader;
        private final RealisticTraffic traffic;
        private final int rate;
        private final int planned;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong sent = new AtomicLong();
        private final Thread thread;

        Traffic(LocalKafkaBroker broker, RealisticTraffic traffic, int rate, int planned) {
            this.kafka = new BenchmarkKafka(broker);
            this.loader = kafka.loader("recovery-traffic", 0);
            this.traffic = traffic;
            this.rate = rate;
            this.planned = planned;
            this.thread = new Thread(this::send, "recovery-traffic");
        }

        void start() {
            thread.start();
        }

        private void send() {
            long start = System.nanoTime();
            int k = 0;
            while (running.get() && k < planned) {
                long due = start + (long) (k * (1e9 / rate));
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                loader.send(traffic.contactPoint(k++));
                sent.incrementAndGet();
                if (k % 20 == 0) {
                    loader.flush();
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            loader.close();
            kafka.close();
        }
    }

    /**
     * Reads every output partition (read_committed) on its own thread; remembers, per partition index (the outputs
     * are co-partitioned with the inputs), when it last saw a record and its first record after a mark.
     */
    private static final class Watcher implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<Integer, Long> lastSeen = new ConcurrentHashMap<>();
        private final Map<Integer, Long> firstAfterMark = new ConcurrentHashMap<>();
        private final int partitions;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        private volatile long mark = Long.MAX_VALUE;

        Watcher(LocalKafkaBroker broker, Topics topics, int partitions) {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> all = new ArrayList<>();
            for (String topic : List.of(topics.audience(), topics.quarantine(), topics.suppressed(),
                    topics.deadLetter())) {
                for (int p = 0; p < partitions; p++) {
                    all.add(new TopicPartition(topic, p));
                }
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            this.partitions = partitions;
            this.thread = new Thread(this::read, "recovery-watcher");
        }

        void start() {
            thread.start();
        }

        private void read() {
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.currentTimeMillis();
                    lastSeen.put(r.partition(), now);
                    if (now >= mark) {
                        firstAfterMark.putIfAbsent(r.partition(), now);
                    }
                }
            }
            consumer.close(Duration.ofSeconds(5));
        }

        void mark(long at) {
            firstAfterMark.clear();
            mark = at;
        }

        Map<Integer, Long> lastSeen() {
            return Map.copyOf(lastSeen);
        }

        /** When every partition has had a record after the mark: each one's first record after it (epoch ms). */
        Map<Integer, Long> awaitAllPartitions(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (firstAfterMark.size() < partitions) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("partitions without output " + timeout + " after the kill: "
                            + (partitions - firstAfterMark.size()));
                }
                Thread.sleep(20);
            }
            return Map.copyOf(firstAfterMark);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }
}
