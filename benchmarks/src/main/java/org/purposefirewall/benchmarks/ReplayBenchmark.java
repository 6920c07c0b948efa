package org.purposefirewall.benchmarks;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.app.StreamsSettings;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.replay.Progress;
import org.purposefirewall.replay.Replay;
import org.purposefirewall.replay.Scope;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * Replay rate at scale: the realistic traffic (by default 1,000,000 users' consent, 100,000 security registrations
 * and 1,000,000 contact points) is decided by the real firewall on one in-process broker, the firewall stops, and
 * {@code replay} re-decides every contact point with every side record, as the command does. It reports the reading
 * and the re-deciding separately, as records per second, and checks the replay's own result: under the same policy,
 * with no side record arriving late, every contact point must agree with what the service decided.
 *
 * <p>Usage: {@code ReplayBenchmark [--users N] [--registrations N] [--contact-points N] [--partitions P]
 * [--config FILE]}.
 */
public final class ReplayBenchmark {

    static {
        // The firewall's per-record log lines off, as in the other benchmarks: this measures the replay.
        FirewallBenchmark.preferOwnLogbackConfig();
    }

    private ReplayBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int users = 1_000_000;
        int registrations = 100_000;
        int contactPoints = 1_000_000;
        int partitions = 4;
        Path configFile = Path.of("config/application.yaml");
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--users" -> users = Integer.parseInt(value);
                case "--registrations" -> registrations = Integer.parseInt(value);
                case "--contact-points" -> contactPoints = Integer.parseInt(value);
                case "--partitions" -> partitions = Integer.parseInt(value);
                case "--config" -> configFile = Path.of(value);
                case "--help" -> {
                    System.out.println("ReplayBenchmark [--users N] [--registrations N] [--contact-points N] "
                            + "[--partitions P] [--config FILE]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
            }
            i++;
        }
        Path temp = Files.createTempDirectory("purpose-firewall-replay-bench-");
        try (LocalKafkaBroker broker = LocalKafkaBroker.start();
             BenchmarkKafka kafka = new BenchmarkKafka(broker)) {
            FirewallConfig loaded = new ConfigLoader().load(configFile).withBootstrapServers(broker.bootstrapServers());
            String p = "bench.replay.";
            Topics topics = new Topics(p + "contact-points", p + "consent", p + "registrations", p + "audience",
                    p + "quarantine", p + "suppressed", p + "dead-letter").withRecalls(p + "recalls");
            FirewallConfig config = new FirewallConfig("bench-replay", loaded.bootstrapServers(),
                    loaded.schemaRegistry(), topics, loaded.processing().withStateDir(temp.resolve("state")),
                    loaded.identity(), loaded.streams(), loaded.policyFile(), loaded.policy());
            FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
            List<String> outputs = List.of(topics.audience(), topics.quarantine(), topics.suppressed(),
                    topics.deadLetter());
            kafka.createTopics(List.of(topics.contactPoints(), topics.consent(), topics.registrations(),
                    topics.audience(), topics.quarantine(), topics.suppressed(), topics.deadLetter(),
                    topics.recalls()), partitions);
            FirewallBenchmark.registerOutputs(serdes, topics);

            long now = System.currentTimeMillis();
            long contactStart = now - contactPoints - Duration.ofMinutes(10).toMillis();
            RealisticTraffic traffic = new RealisticTraffic(topics, serdes, users, registrations, contactPoints,
                    contactStart - Duration.ofHours(1).toMillis(), contactStart);
            long started = System.nanoTime();
            try (BenchmarkKafka.Loader loader = kafka.loader("replay-bench-load", 10)) {
                traffic.sendPreload(loader);
                traffic.sendContactPoints(loader, 0, contactPoints);
                loader.flush();
            }
            System.out.printf(Locale.ROOT, "Produced %,d consent, %,d registrations, %,d contact points in %.1f s%n",
                    users, registrations, contactPoints, FirewallBenchmark.seconds(System.nanoTime() - started));

            Map<Expected, Long> expected = traffic.expectedCounts(0, contactPoints);
            long decideStarted = System.nanoTime();
            try (FirewallApp app = new FirewallApp(config, serdes)) {
                app.start();
                long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
                long decided = 0;
                while (decided < contactPoints) {
                    if (System.nanoTime() > deadline || app.failed()) {
                        throw new IllegalStateException("the firewall decided " + decided + " of " + contactPoints);
                    }
                    Thread.sleep(2_000);
                    decided = kafka.countCommitted(outputs, Duration.ofMinutes(2)).values().stream()
                            .mapToLong(Long::longValue).sum();
                }
            }
            System.out.printf(Locale.ROOT, "The firewall decided them (from start, %.1f s): %s%n",
                    FirewallBenchmark.seconds(System.nanoTime() - decideStarted), expected);

            Replay.Request request = Replay.Request.of(config, StreamsSettings::of, Scope.all(),
                    temp.resolve("replay"), null);
            long[] differences = {0};
            long replayStarted = System.nanoTime();
            Replay.Summary summary = Replay.run(request, c -> {
                if (c.change() != null) {
                    differences[0]++;
                }
            }, new Progress(new PrintWriter(System.err, true), false));
            double total = FirewallBenchmark.seconds(System.nanoTime() - replayStarted);
            long inputs = summary.sideRecords() + summary.dataRecords();
            System.out.println();
            System.out.println("## Replay");
            System.out.println();
            System.out.printf(Locale.ROOT, "| | records | seconds | records/s |%n|---|---:|---:|---:|%n");
            System.out.printf(Locale.ROOT, "| read (inputs + the service's %,d outputs) | %,d | %.1f | %,.0f |%n",
                    summary.serviceOutputs(), inputs + summary.serviceOutputs(), secs(summary.reading()),
                    (inputs + summary.serviceOutputs()) / secs(summary.reading()));
            System.out.printf(Locale.ROOT, "| re-decided (side records applied + data records decided) | %,d | %.1f "
                    + "| %,.0f |%n", inputs, secs(summary.replaying()), inputs / secs(summary.replaying()));
            System.out.printf(Locale.ROOT, "| data records re-decided | %,d | %.1f | %,.0f |%n",
                    summary.dataRecords(), secs(summary.replaying()), summary.rate());
            System.out.printf(Locale.ROOT, "| whole replay | %,d | %.1f | %,.0f |%n", inputs, total, inputs / total);
            System.out.printf(Locale.ROOT, "%nAgreed %,d, differences %,d %s; heap pools' peaks summed %,d MB (-Xmx %,d MB)"
                            + ", %d cores%n", summary.agreed(), summary.differences(), summary.changes(),
                    heapPeakMb(), Runtime.getRuntime().maxMemory() >> 20,
                    Runtime.getRuntime().availableProcessors());
            if (summary.dataRecords() != contactPoints || summary.agreed() != contactPoints || differences[0] != 0) {
                throw new IllegalStateException("the replay disagrees with the service: " + summary);
            }
        } finally {
            FirewallBenchmark.deleteQuietly(temp);
        }
    }

    private static double secs(Duration d) {
        return Math.max(1e-3, d.toNanos() / 1e9);
    }

    private static long heapPeakMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
