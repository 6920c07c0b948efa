package org.purposefirewall.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.ConfigException;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.registry.SchemaRegistryException;
import org.purposefirewall.registry.SchemaRegistryClients;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * One run of the demo: an in-process broker, the firewall, the scenario traffic, a live count and a report.
 *
 * <p>Lifecycle: {@link #run()} once, on one thread; it returns the exit status after printing the report and
 * closing everything it started (firewall, clients, broker, temporary directories). {@link #requestStop()} may be
 * called from any thread (a shutdown hook on Ctrl-C): production stops after the user in hand, the firewall gets up
 * to {@code processing.max-task-idle-ms} plus 5 s to decide what was produced, and the report is printed as usual;
 * {@link #awaitFinished(Duration)} waits for that.
 *
 * <p>Output: counts only. No identifier, hash or record content is ever printed.
 */
final class Demo {

    static final String APPLICATION_ID = "purpose-firewall-demo";
    /** The bundled copies of config/application.yaml and config/policy.yaml (see the demo pom). */
    static final String BUNDLED_CONFIG = "/org/purposefirewall/demo/config/";
    static final Path DEFAULT_CONFIG = Path.of("config", "application.yaml");

    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration STREAMS_START_TIMEOUT = Duration.ofSeconds(60);
    /**
     * After a stop (Ctrl-C or --duration): how long the firewall may take for what was already produced, beyond
     * {@code processing.max-task-idle-ms} (a task whose other inputs ran dry waits that long before it goes on).
     */
    private static final Duration DRAIN_MARGIN = Duration.ofSeconds(5);
    /** With every user produced: how long to wait without a new output before giving up on missing ones. */
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

    private enum Ending {
        COMPLETE("done", "every user produced and every contact point decided"),
        DURATION("--duration elapsed", "stopped after --duration"),
        INTERRUPTED("Ctrl-C", "stopped on request (Ctrl-C)"),
        STALLED("stalled", "no new output for a minute or more; some contact points were never decided"),
        FIREWALL_FAILED("the firewall failed", "the firewall stopped after an error (see the log above)"),
        PRODUCE_FAILED("producing failed", "producing the traffic failed");

        final String cause;
        final String text;

        Ending(String cause, String text) {
            this.cause = cause;
            this.text = text;
        }
    }

    private final DemoOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private long nextTick;
    private long lastTickNanos;
    private long lastTickTotal;

    Demo(DemoOptions options, PrintStream out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /** Stops production and lets {@link #run()} report and close. Returns at once; any thread. */
    void requestStop() {
        stopRequested = true;
    }

    /** Waits until {@link #run()} has printed its report and closed everything. */
    boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs the demo to its end; returns the exit status (0 as expected, 1 not or failed, 2 bad configuration). */
    int run() {
        long started = System.nanoTime();
        Path tempRoot = null;
        LocalKafkaBroker broker = null;
        FirewallApp app = null;
        KafkaConsumer<byte[], byte[]> consumer = null;
        KafkaProducer<String, byte[]> producer = null;
        Thread producerThread = null;
        TrafficProducer traffic = null;
        String registryScope = null;
        try {
            tempRoot = Files.createTempDirectory("purpose-firewall-demo-");
            FirewallConfig config;
            FirewallSerdes serdes;
            try {
                Path configFile = configFile(tempRoot);
                config = new ConfigLoader().load(configFile);
                SchemaRegistryConfig registry = config.schemaRegistry().withUrl(options.registryUrl());
                serdes = FirewallSerdes.fromSettings(registry);
                config = config.withSchemaRegistry(registry);
                // The producer needs the input schema registered anyway; doing it now fails fast (and before a
                // broker starts) when the registry does not answer, instead of the firewall's long outage wait.
                serdes.contactPoint().schemaIdFor(config.topics().contactPoints());
                out.println("Purpose Firewall demo: " + options.users() + " users at "
                        + (options.rate() == 0 ? "full speed" : options.rate() + " users/s") + ", "
                        + options.partitions() + " partitions, registry " + options.registryUrl() + ", policy "
                        + config.policy().version() + " (" + describe(configFile) + ")");
            } catch (ConfigException | IllegalArgumentException e) {
                err.println("demo: " + oneLine(e.getMessage()));
                return 2;
            } catch (SchemaRegistryException e) {
                err.println("demo: schema registry: " + oneLine(e.getMessage()));
                return 2;
            }
            if (options.registryUrl().startsWith(SchemaRegistryClients.MOCK_SCHEME)) {
                registryScope = options.registryUrl().substring(SchemaRegistryClients.MOCK_SCHEME.length());
            }

            Topics topics = config.topics();
            boolean external = options.bootstrapServers() != null;
            String bootstrap;
            if (external) {
                // A running firewall decides: this process only produces and counts.
                bootstrap = options.bootstrapServers();
            } else {
                broker = LocalKafkaBroker.start();
                FirewallTopics.createAll(broker, topics, options.partitions());
                bootstrap = broker.bootstrapServers();
            }
            config = config.withBootstrapServers(bootstrap)
                    .withApplicationId(APPLICATION_ID, Files.createDirectories(tempRoot.resolve("state")));
            OutputTally tally = new OutputTally(topics, config.policy().version(), serdes);
            if (!external) {
                app = new FirewallApp(config, serdes);
                app.start();
            }
            consumer = outputConsumer(bootstrap, tally, external);
            if (app != null) {
                awaitRunning(app);
            }
            long startupNanos = System.nanoTime() - started;
            out.println(external ? "cluster " + bootstrap + ", its firewall deciding; producing (Ctrl-C stops and "
                    + "reports)" : "broker on " + bootstrap + ", firewall " + config.processing().guarantee()
                    + ", started in " + seconds(startupNanos) + " s; producing (Ctrl-C stops and reports)");

            // Event times end now; Kafka 4 rejects timestamps more than an hour ahead of the broker clock.
            long startMs = System.currentTimeMillis() - options.users() * 10L - 1_000;
            ScenarioTraffic scenario = new ScenarioTraffic(topics, serdes, startMs);
            producer = producer(bootstrap);
            // On a running cluster the topics are the operator's: mark the end of traffic on each of their partitions.
            int partitions = external ? producer.partitionsFor(topics.contactPoints()).size() : options.partitions();
            traffic = new TrafficProducer(producer, scenario, partitions, serdes, topics,
                    options.users(), options.rate(), tally);
            producerThread = new Thread(traffic, "purpose-firewall-demo-producer");
            producerThread.setDaemon(true);

            if (stopRequested) {
                traffic.stop();
            }
            long trafficStart = System.nanoTime();
            producerThread.start();
            Duration maxTaskIdle = config.processing().maxTaskIdle();
            Ending ending = watch(app, consumer, traffic, tally, trafficStart, maxTaskIdle);
            traffic.stop();
            producerThread.join(TimeUnit.SECONDS.toMillis(30));
            if (ending != Ending.COMPLETE) {
                Duration drainTimeout = maxTaskIdle.plus(DRAIN_MARGIN);
                out.println("stopping (" + ending.cause + "): letting the firewall decide what was produced (up to "
                        + drainTimeout.toSeconds() + " s)");
                drain(app, consumer, traffic, tally, trafficStart, drainTimeout);
            }
            long trafficNanos = System.nanoTime() - trafficStart;
            tick(tally, traffic, trafficStart);
            return report(ending, tally, traffic, started, startupNanos, trafficNanos, app != null && app.failed());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("demo: interrupted");
            return 1;
        } catch (RuntimeException | IOException e) {
            err.println("demo: failed: " + e.getClass().getSimpleName() + ": " + oneLine(e.getMessage()));
            return 1;
        } finally {
            if (traffic != null) {
                traffic.stop();
            }
            KafkaProducer<String, byte[]> openProducer = producer;
            if (openProducer != null) {
                closeQuietly("producer", () -> openProducer.close(Duration.ofSeconds(5)));
            }
            if (app != null) {
                closeQuietly("firewall", app::close);
            }
            KafkaConsumer<byte[], byte[]> openConsumer = consumer;
            if (openConsumer != null) {
                closeQuietly("consumer", () -> openConsumer.close(CloseOptions.timeout(Duration.ofSeconds(5))));
            }
            if (broker != null) {
                closeQuietly("broker", broker::close);
            }
            if (registryScope != null) {
                MockSchemaRegistryClient.dropScope(registryScope);
            }
            if (tempRoot != null) {
                deleteTree(tempRoot);
            }
            out.flush();
            finished.countDown();
        }
    }

    /** The config file: --config, else config/application.yaml here, else the bundled copy in a temp dir. */
    private Path configFile(Path tempRoot) {
        if (options.config() != null) {
            return options.config();
        }
        if (Files.isRegularFile(DEFAULT_CONFIG)) {
            return DEFAULT_CONFIG;
        }
        Path dir = tempRoot.resolve("config");
        try {
            Files.createDirectories(dir);
            for (String name : List.of("application.yaml", "policy.yaml")) {
                try (InputStream in = Demo.class.getResourceAsStream(BUNDLED_CONFIG + name)) {
                    if (in == null) {
                        throw new ConfigException("the bundled " + name + " is missing from the demo jar; pass --config");
                    }
                    Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the bundled configuration", e);
        }
        return dir.resolve("application.yaml");
    }

    private static String describe(Path configFile) {
        return configFile.startsWith(System.getProperty("java.io.tmpdir"))
                ? "bundled config/application.yaml" : configFile.toString();
    }

    /** Waits until the firewall's stream threads run, so that the throughput measures processing, not startup. */
    private void awaitRunning(FirewallApp app) throws InterruptedException {
        long deadline = System.nanoTime() + STREAMS_START_TIMEOUT.toNanos();
        while (!stopRequested && app.streams().state() != KafkaStreams.State.RUNNING) {
            if (app.failed() || !app.streams().state().isRunningOrRebalancing()) {
                throw new IllegalStateException("the firewall stopped while starting (state "
                        + app.streams().state() + ")");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the firewall did not reach RUNNING within "
                        + STREAMS_START_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /**
     * Reads the outputs, read_committed, without a group: from the beginning on the demo's own broker, from their
     * current end on a running cluster (only what the firewall writes for this run's traffic counts).
     */
    private KafkaConsumer<byte[], byte[]> outputConsumer(String bootstrap, OutputTally tally, boolean fromNow) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "purpose-firewall-demo-counter");
        // Only what the firewall committed: aborted transactions must not count.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (OutputTally.Output output : OutputTally.Output.values()) {
            for (PartitionInfo info : consumer.partitionsFor(tally.topic(output), Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
        }
        // No group: the demo counts everything from the start and commits nothing.
        consumer.assign(partitions);
        if (fromNow) {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        } else {
            consumer.seekToBeginning(partitions);
        }
        return consumer;
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "purpose-firewall-demo-producer");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Counts outputs and prints a line a second until the run ends one way or another. */
    private Ending watch(FirewallApp app, KafkaConsumer<byte[], byte[]> consumer, TrafficProducer traffic,
                         OutputTally tally, long trafficStart, Duration maxTaskIdle) {
        long stallTimeout = Math.max(STALL_TIMEOUT.toNanos(), maxTaskIdle.plus(DRAIN_MARGIN).toNanos());
        boolean timed = options.duration() != null;
        long deadline = timed ? trafficStart + options.duration().toNanos() : 0;
        long lastTotal = -1;
        long lastProgress = System.nanoTime();
        while (true) {
            pollAndTick(consumer, tally, traffic, trafficStart);
            long now = System.nanoTime();
            long total = tally.total();
            if (total != lastTotal) {
                lastTotal = total;
                lastProgress = now;
            }
            if (traffic.complete() && tally.decidedContactPoints() >= traffic.contactPointsSent()) {
                return Ending.COMPLETE;
            }
            if (stopRequested) {
                return Ending.INTERRUPTED;
            }
            if (timed && now - deadline >= 0) {
                return Ending.DURATION;
            }
            if (traffic.failures() > 0) {
                return Ending.PRODUCE_FAILED;
            }
            if (firewallStopped(app)) {
                return Ending.FIREWALL_FAILED;
            }
            if (traffic.done() && now - lastProgress > stallTimeout) {
                return Ending.STALLED;
            }
        }
    }

    /** After a stop: gives the firewall a few seconds for what was already produced. */
    private void drain(FirewallApp app, KafkaConsumer<byte[], byte[]> consumer, TrafficProducer traffic,
                       OutputTally tally, long trafficStart, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0 && !firewallStopped(app)
                && !(traffic.done() && tally.decidedContactPoints() >= traffic.contactPointsSent())) {
            pollAndTick(consumer, tally, traffic, trafficStart);
        }
    }

    private static boolean firewallStopped(FirewallApp app) {
        if (app == null) {
            return false;
        }
        KafkaStreams.State state = app.streams().state();
        return app.failed() || !state.isRunningOrRebalancing();
    }

    /** Reads what the firewall committed since the last call, and prints the status line once a second. */
    private void pollAndTick(KafkaConsumer<byte[], byte[]> consumer, OutputTally tally, TrafficProducer traffic,
                             long trafficStart) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            tally.output(record.topic(), record.value());
        }
        long now = System.nanoTime();
        if (nextTick == 0) {
            nextTick = trafficStart + TICK.toNanos();
        }
        if (now - nextTick >= 0) {
            tick(tally, traffic, trafficStart);
            nextTick = Math.max(nextTick + TICK.toNanos(), now + TICK.toNanos() / 2);
        }
    }

    /**
     * One status line a second. Not rewritten in place with a carriage return: at this width it would wrap on most
     * terminals and smear.
     */
    private void tick(OutputTally tally, TrafficProducer traffic, long trafficStart) {
        long now = System.nanoTime();
        long total = tally.total();
        long since = lastTickNanos == 0 ? trafficStart : lastTickNanos;
        double rate = (total - lastTickTotal) / Math.max(1e-9, (now - since) / 1e9);
        lastTickNanos = now;
        lastTickTotal = total;
        out.println(String.format(Locale.ROOT,
                "%5.0fs  users %d/%d  forwarded %d  quarantined %d  suppressed %d  dead-lettered %d  %.0f records/s"
                        + "  security identifiers on ad topic: %d",
                (now - trafficStart) / 1e9, traffic.usersSent(), options.users(),
                tally.count(OutputTally.Output.FORWARDED), tally.count(OutputTally.Output.QUARANTINED),
                tally.count(OutputTally.Output.SUPPRESSED), tally.count(OutputTally.Output.DEAD_LETTERED), rate,
                tally.securityOnAdTopic()));
        out.flush();
    }

    private int report(Ending ending, OutputTally tally, TrafficProducer traffic,
                       long started, long startupNanos, long trafficNanos, boolean firewallFailed) {
        int usersSent = traffic.usersSent();
        Map<ScenarioTraffic.Expected, Long> expected = traffic.expectedCounts();
        OutputTally.Check check = tally.check();
        out.println();
        out.println("Report (" + ending.text + ")");
        out.printf(Locale.ROOT, "  users produced: %d of %d (%d contact points, %d records with consent and "
                + "registrations, then %d end-of-traffic markers)%n", usersSent, options.users(),
                traffic.contactPointsSent(), traffic.recordsSent(), traffic.markersSent());
        out.printf(Locale.ROOT, "  %-14s %-30s %9s %9s%n", "output", "topic", "count", "expected");
        boolean countsMatch = true;
        for (OutputTally.Output output : OutputTally.Output.values()) {
            long count = tally.count(output);
            long want = expected.get(expectedOf(output));
            boolean ok = count == want;
            countsMatch &= ok;
            out.printf(Locale.ROOT, "  %-14s %-30s %9d %9d  %s%n", output.label, tally.topic(output), count, want,
                    ok ? "ok" : "MISMATCH");
        }
        if (!countsMatch && check.missing() == 0) {
            for (OutputTally.Output output : OutputTally.Output.values()) {
                Map<String, Long> reasons = new TreeMap<>(tally.reasons(output));
                if (!reasons.isEmpty()) {
                    out.println("  " + output.label + " by reason: " + reasons.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
                }
            }
            out.println("  hint: the firewall decided contact points before it had read the consent or registration"
                    + " that precedes them in event time (Kafka Streams stopped waiting for them after"
                    + " processing.max-task-idle-ms, e.g. on a busy machine): missing consent suppresses, a missing"
                    + " security registration can forward");
        }
        out.println("  every contact point in exactly one output: " + (check.exactlyOnce() ? "yes"
                : String.format(Locale.ROOT, "no (%d without an output, %d in more than one, %d unexpected)",
                        check.missing(), check.repeated(), check.unexpected())));
        out.println("  security identifiers on the ad topic: " + check.securityOnAdTopic());
        double trafficSeconds = Math.max(1e-9, trafficNanos / 1e9);
        out.printf(Locale.ROOT, "  elapsed: %s s (" + (options.bootstrapServers() == null
                ? "broker and firewall start" : "connecting to the cluster") + " %s s, traffic and decisions %s s)%n",
                seconds(System.nanoTime() - started), seconds(startupNanos), seconds(trafficNanos));
        out.printf(Locale.ROOT, "  throughput: %.0f contact points decided/s, %.0f input records/s%n",
                tally.decidedContactPoints() / trafficSeconds, traffic.recordsSent() / trafficSeconds);
        if (traffic.failures() > 0) {
            out.println("  produce failures: " + traffic.failures() + " (first: " + traffic.firstFailure() + ")");
        }
        boolean pass = countsMatch && check.exactlyOnce() && check.securityOnAdTopic() == 0
                && traffic.failures() == 0 && !firewallFailed;
        out.println("  result: " + (pass ? "PASS" : "FAIL"));
        out.flush();
        return pass ? 0 : 1;
    }

    private static ScenarioTraffic.Expected expectedOf(OutputTally.Output output) {
        return switch (output) {
            case FORWARDED -> ScenarioTraffic.Expected.FORWARD;
            case QUARANTINED -> ScenarioTraffic.Expected.QUARANTINE;
            case SUPPRESSED -> ScenarioTraffic.Expected.SUPPRESS;
            case DEAD_LETTERED -> ScenarioTraffic.Expected.DEAD_LETTER;
        };
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        String first = message.lines().findFirst().orElse("").strip();
        return first.isEmpty() ? "(no message)" : first;
    }

    private void closeQuietly(String what, Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            err.println("demo: closing the " + what + " failed: " + e.getClass().getSimpleName());
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // Best effort: a leftover temp file is harmless.
                }
            });
        } catch (IOException ignored) {
            // Best effort, as above.
        }
    }
}
