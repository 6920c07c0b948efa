package org.purposefirewall.campaign;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.serde.FirewallSerdes;
import org.purposefirewall.topology.Names;

/**
 * The failure campaign: several firewall instances (separate processes, one Kafka Streams application) over a local
 * cluster, mixed traffic from a murmur2 and a CRC32 producer, kill -9s of instances (also during start-up), broker
 * restarts and a CPU-starvation stretch, then a verdict from the outputs alone ({@link OutputCollector}) against the
 * traffic's oracle ({@link CampaignTraffic}): lost, duplicated, leaked and wrong-outcome counts, recovery time per
 * kill and broker event, outputs per 10 s. Exit 0 only with 0/0/0/0 (and no missing recall, nothing unattributed).
 *
 * <p>Lifecycle: {@link #run} starts everything in a run directory of its own and stops everything it started before
 * it returns, also on failure; a shutdown hook kills every child process if the JVM is stopped meanwhile. Bounded by
 * {@code --deadline-s}.
 */
public final class Campaign {

    private static volatile String childClassPath = System.getProperty("java.class.path");

    private Campaign() {
    }

    static String childClassPath() {
        return childClassPath;
    }

    public static void main(String[] args) {
        CampaignOptions options;
        try {
            options = CampaignOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(CampaignOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(CampaignOptions.USAGE);
            return;
        }
        int code;
        try {
            code = run(options, System.out).passed() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("campaign failed: " + e);
            e.printStackTrace();
            code = 3;
        } finally {
            ChildJvm.killAll();
        }
        System.exit(code);
    }

    /** Runs one campaign and returns its report; every process it started is stopped when it returns. */
    public static CampaignReport run(CampaignOptions o, PrintStream out) throws Exception {
        if (o.classPath() != null) {
            childClassPath = o.classPath();
        }
        long started = System.currentTimeMillis();
        long deadline = started + o.deadlineSeconds() * 1000L;
        Path runDir = o.workDir().toAbsolutePath().resolve("run-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-seed" + o.seed());
        Files.createDirectories(runDir);
        Thread hook = new Thread(ChildJvm::killAll, "campaign-kill-children");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("campaign: %d instances, %,d contact points, %d kills, %d broker restarts, %d s starvation, seed %d,"
                        + " deadline %d s; run directory %s%n", o.instances(), o.contactPoints(), o.kills(),
                o.brokerRestarts(), o.starvationSeconds(), o.seed(), o.deadlineSeconds(), runDir);
        KafkaCluster cluster = null;
        Instances instances = null;
        OutputCollector collector = null;
        Thread collectorThread = null;
        Watchdog watchdog = null;
        Thread chaosThread = null;
        try {
            cluster = Clusters.start(o.brokers(), runDir.resolve("cluster"));
            short rf = (short) Math.min(3, cluster.size());
            out.printf("cluster: %d node(s) at %s, replication factor %d%n", cluster.size(), cluster.bootstrapServers(),
                    rf);
            Topics topics = CampaignTopics.prefixed(Topics.defaults(), "campaign.");
            createTopics(cluster, topics, o.partitions(), rf);

            String applicationId = "campaign-firewall";
            FirewallInstance.Settings settings = new FirewallInstance.Settings(applicationId,
                    cluster.bootstrapServers(), topics, o.registry(), rf, o.sessionTimeoutMs(), o.staticMembership(),
                    o.standbyReplicas(), o.transactionalStateStores(), o.instanceHeap(), o.instanceJavaOptions(),
                    o.streamsSettings(), o.classDataArchive());
            ChildJvm jvm = new ChildJvm(childClassPath);
            List<FirewallInstance> list = new ArrayList<>();
            for (int i = 0; i < o.instances(); i++) {
                list.add(new FirewallInstance(i, runDir, o.configDir().toAbsolutePath(), settings, jvm));
            }
            instances = new Instances(list);
            if (o.registry().startsWith("mock://")) {
                CampaignSchemas.seed(o.registry().substring("mock://".length()));
            }
            FirewallConfig firstConfig = new ConfigLoader().load(runDir.resolve("firewall-0/application.yaml"));
            FirewallSerdes serdes = FirewallSerdes.fromSettings(firstConfig.schemaRegistry());

            CampaignTraffic traffic = new CampaignTraffic(o.seed(), o.contactPoints());
            Coordinates coordinates = new Coordinates(o.partitions());
            long preloadTime = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
            try (TrafficProducer producer = new TrafficProducer(cluster.bootstrapServers(), topics, serdes,
                    coordinates)) {
                long preloadStart = System.currentTimeMillis();
                long preloaded = 0;
                for (int u = 0; u < traffic.users(); u++) {
                    for (CampaignTraffic.Side side : traffic.sideRecords(u, CampaignTraffic.Phase.PRELOAD, preloadTime,
                            0)) {
                        producer.side(sideProducer(u), side, preloadTime);
                        preloaded++;
                    }
                }
                producer.flush();
                out.printf("preload: %,d consent and registration records produced in %.1f s%n", preloaded,
                        (System.currentTimeMillis() - preloadStart) / 1000.0);

                long instancesStart = System.currentTimeMillis();
                instances.startAll();
                awaitReady(instances, deadline, out);
                out.printf("instances: %d ready in %.1f s (logs %s/firewall-*/)%n", o.instances(),
                        (System.currentTimeMillis() - instancesStart) / 1000.0, runDir);
                awaitSideRecordsApplied(cluster.bootstrapServers(), applicationId, topics, deadline);
                out.printf("preload applied after %.1f s%n", (System.currentTimeMillis() - instancesStart) / 1000.0);

                collector = new OutputCollector(cluster.bootstrapServers(), topics, serdes, traffic, coordinates,
                        o.partitions());
                collectorThread = new Thread(collector, "campaign-output-reader");
                collectorThread.setDaemon(true);
                collectorThread.start();

                long planned = (long) (1000.0 * o.contactPoints() / (o.rate() > 0 ? o.rate() : 5000));
                long productionStart = System.currentTimeMillis();
                long windowStart = productionStart + Math.max(5_000, planned / 10);
                long windowEnd = productionStart + planned - Math.max(10_000, planned * 15 / 100);
                Chaos chaos = new Chaos(instances, cluster, o.seed(), windowStart, windowEnd, o.kills(),
                        o.brokerRestarts(), o.starvationSeconds(), o.starvationThreads(), collector::warm);
                chaosThread = new Thread(chaos, "campaign-chaos");
                chaosThread.setDaemon(true);
                chaosThread.start();
                // Its own thread: a kill holds the instances' lock through its pause, and the producers must not
                // wait for it (a pause in the traffic would look like a slower recovery).
                watchdog = new Watchdog(instances, chaos);
                watchdog.start();

                int producedUsers = produce(traffic, producer, o.rate(), preloadTime, deadline, out);
                long productionEnd = System.currentTimeMillis();
                out.printf("traffic: %,d contact points of %,d users produced in %.1f s; producer failures %d%n",
                        Math.min(o.contactPoints(), 2L * producedUsers), producedUsers,
                        (productionEnd - productionStart) / 1000.0, producer.failures());

                while (!chaos.done() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(500);
                }
                int expectedRecalls = 0;
                for (int k = 0; k < o.contactPoints(); k++) {
                    if (traffic.expectsRecall(k)) {
                        expectedRecalls++;
                    }
                }
                long lastPrint = 0;
                while (System.currentTimeMillis() < deadline) {
                    int decided = collector.decided();
                    int recalls = collector.recallsPresent();
                    // Not recalls >= expectedRecalls: a contact point decided otherwise than the oracle (a wrong
                    // outcome, which the verdict counts) never gets its recall, and the run would wait out its
                    // whole deadline for it.
                    if (decided >= o.contactPoints() && collector.recallsOutstanding() == 0) {
                        break;
                    }
                    if (System.currentTimeMillis() - lastPrint > 10_000) {
                        out.printf("  waiting for outputs: %,d of %,d contact points decided, %,d of %,d recalls%n",
                                decided, o.contactPoints(), recalls, expectedRecalls);
                        lastPrint = System.currentTimeMillis();
                    }
                    if (collector.failure() != null) {
                        throw new IllegalStateException("output reader failed", collector.failure());
                    }
                    Thread.sleep(1000);
                }
                // Whatever else is committed by now (a duplicate written late) is read before the verdict.
                Thread.sleep(3000);
                Map<TopicPartition, Long> ends = committedEnds(cluster.bootstrapServers(), topics);
                long drainEnd = Math.min(deadline + 60_000, System.currentTimeMillis() + 60_000);
                while (!collector.caughtUp(ends) && System.currentTimeMillis() < drainEnd) {
                    Thread.sleep(200);
                }
                collector.stop();
                collectorThread.join(10_000);
                watchdog.close();
                instances.stopAll();

                OutputCollector.Verdict verdict = collector.verdict();
                CampaignReport report = CampaignReport.of(o, verdict, chaos.events(), instances.selfExits(),
                        producer.failures(), 2L * producedUsers < o.contactPoints(), productionStart, productionEnd,
                        System.currentTimeMillis() - started, runDir, instances.starts());
                String text = report.text();
                out.print(text);
                Files.writeString(runDir.resolve("report.txt"), text, StandardCharsets.UTF_8);
                return report;
            }
        } finally {
            if (chaosThread != null && chaosThread.isAlive()) {
                // Past the deadline or on a failure: no kill or broker restart may start anything after this.
                chaosThread.interrupt();
                chaosThread.join(60_000);
            }
            if (watchdog != null) {
                watchdog.close();
            }
            if (collector != null) {
                collector.stop();
            }
            if (instances != null) {
                instances.stopAll();
            }
            if (cluster != null) {
                cluster.close();
            }
            ChildJvm.killAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down: the hook runs anyway
            }
        }
    }

    /** Restarts, every second, an instance that ended by itself, as an orchestrator would. */
    private static final class Watchdog extends Thread implements AutoCloseable {

        private final Instances instances;
        private final Chaos chaos;
        private volatile boolean running = true;

        Watchdog(Instances instances, Chaos chaos) {
            super("campaign-watchdog");
            setDaemon(true);
            this.instances = instances;
            this.chaos = chaos;
        }

        @Override
        public void run() {
            while (running) {
                instances.restartExited(chaos);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            running = false;
            interrupt();
            try {
                join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Side records take the other producer than their user's contact points: ordering across producers is tested. */
    private static int sideProducer(int u) {
        return (u + 1) % 2;
    }

    /**
     * The live traffic, batch by batch of 500 users, paced at {@code rate} contact points per second: each batch's
     * live side records, acknowledged; then its contact points (event time: now), acknowledged; then its late side
     * records. Returns how many users' traffic was produced (all, unless the deadline came first).
     */
    private static int produce(CampaignTraffic traffic, TrafficProducer producer, int rate, long preloadTime,
                               long deadline, PrintStream out) {
        int batch = 500;
        long start = System.currentTimeMillis();
        long lastPrint = start;
        int users = traffic.users();
        int u0 = 0;
        for (; u0 < users; u0 += batch) {
            if (System.currentTimeMillis() > deadline) {
                out.println("  deadline reached while producing: the rest of the traffic is not produced");
                return u0;
            }
            int u1 = Math.min(users, u0 + batch);
            long contactTime = System.currentTimeMillis();
            for (int u = u0; u < u1; u++) {
                for (CampaignTraffic.Side side : traffic.sideRecords(u, CampaignTraffic.Phase.LIVE, preloadTime,
                        contactTime)) {
                    producer.side(sideProducer(u), side, contactTime - 1);
                }
            }
            producer.flush();
            for (int u = u0; u < u1; u++) {
                for (int k : traffic.contactPointsOf(u)) {
                    producer.contactPoint(u % 2, k, traffic.userId(u), traffic.contactPoint(k, contactTime),
                            contactTime);
                }
            }
            producer.flush();
            for (int u = u0; u < u1; u++) {
                for (CampaignTraffic.Side side : traffic.sideRecords(u, CampaignTraffic.Phase.LATE, preloadTime,
                        contactTime)) {
                    producer.side(sideProducer(u), side, contactTime + 1);
                }
            }
            long now = System.currentTimeMillis();
            if (now - lastPrint > 10_000) {
                out.printf("  %5.0f s  produced %,d contact points%n", (now - start) / 1000.0,
                        producer.contactPointsAcked());
                lastPrint = now;
            }
            if (rate > 0) {
                long due = start + (long) (1000.0 * 2 * u1 / rate);
                long wait = due - System.currentTimeMillis();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return u1;
                    }
                }
            }
        }
        producer.flush();
        return users;
    }

    private static void createTopics(KafkaCluster cluster, Topics topics, int partitions, short rf) {
        Map<String, String> durable = Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        cluster.createTopics(Map.of(topics.contactPoints(), partitions, topics.registrations(), partitions), rf,
                durable);
        cluster.createTopics(Map.of(topics.consent(), partitions), rf, Map.of(
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2",
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        // Outputs stamped by the broker: an output record's timestamp is when it was written, which is what the
        // recovery times and the throughput are measured by (the firewall's startup check accepts LogAppendTime).
        Map<String, Integer> outputs = new HashMap<>();
        for (String t : List.of(topics.audience(), topics.quarantine(), topics.suppressed(), topics.deadLetter(),
                topics.recalls(), topics.shadowDecisions())) {
            outputs.put(t, partitions);
        }
        cluster.createTopics(outputs, rf, Map.of(
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2",
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"));
    }

    private static void awaitReady(Instances instances, long deadline, PrintStream out) throws InterruptedException {
        long end = Math.min(deadline, System.currentTimeMillis() + 180_000);
        while (System.currentTimeMillis() < end) {
            for (FirewallInstance instance : instances.all()) {
                Integer code = instance.exitCode();
                if (code != null) {
                    throw new IllegalStateException(instance.name() + " exited with " + code + " while starting: "
                            + tail(instance.log()));
                }
            }
            if (instances.allReady()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("instances not ready within 180 s; see their logs");
    }

    /**
     * Waits until the application's committed offsets reach the end of the consent and registration topics and of its
     * side-records topic: every preloaded side record has been carried home and applied.
     */
    private static void awaitSideRecordsApplied(String bootstrap, String applicationId, Topics topics, long deadline)
            throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long end = Math.min(deadline, System.currentTimeMillis() + 600_000);
            List<String> sideTopics = List.of(topics.consent(), topics.registrations(),
                    Names.sideRecordsTopic(applicationId));
            while (System.currentTimeMillis() < end) {
                try {
                    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                    admin.describeTopics(sideTopics).allTopicNames().get(10, TimeUnit.SECONDS).forEach((name, d) ->
                            d.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()),
                                    OffsetSpec.latest())));
                    Map<TopicPartition, Long> ends = new HashMap<>();
                    admin.listOffsets(request).all().get(10, TimeUnit.SECONDS)
                            .forEach((tp, info) -> ends.put(tp, info.offset()));
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                    boolean applied = ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                            || (committed.get(e.getKey()) != null
                            && committed.get(e.getKey()).offset() >= e.getValue()));
                    if (applied) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    // the internal topic may not exist yet, or the broker is busy: ask again
                }
                Thread.sleep(500);
            }
            throw new IllegalStateException("preloaded side records not applied in time");
        }
    }

    /** The read_committed end offsets of every output partition now. */
    private static Map<TopicPartition, Long> committedEnds(String bootstrap, Topics topics)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(List.of(topics.audience(), topics.quarantine(), topics.suppressed(),
                    topics.deadLetter(), topics.recalls())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .forEach((name, d) -> d.partitions().forEach(p ->
                            request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
