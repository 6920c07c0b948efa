package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.fixtures.ScenarioTraffic.Event;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.it.EndToEndSupport.Coord;
import org.purposefirewall.it.EndToEndSupport.Output;
import org.purposefirewall.it.EndToEndSupport.OutputCollector;
import org.purposefirewall.kafkalocal.LocalSchemaRegistry;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * An unclean stop, as an operator meets it: the firewall runs as a separate process with the shipped defaults
 * (exactly-once, static membership, no transactional stores), is killed with SIGKILL while traffic flows, and is
 * started again on the same state directory. Then every contact point is in exactly one output (read_committed),
 * none lost and none duplicated; the restarted process wipes the deciding tasks' state, restores it from the
 * changelogs, and logs no ERROR: nothing an operator has to investigate. With transactional stores turned on, it
 * keeps its stores' flushed state instead (it restores only the changelogs' tails, wiping no task). No timing is
 * asserted (see {@code RecoveryBenchmark} for the figures).
 */
class UncleanRestartIT {

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    private static final int PARTITIONS = 4;
    private static final int USERS = 600;
    private static final int BATCH = 20;
    /** Where the sender waits for the kill: the first user of the second half (a multiple of BATCH). */
    private static final int HALF = USERS / 2 / BATCH * BATCH;
    /** Users whose consent and registrations are on the side topics before the first start, and no contact points. */
    private static final int PRELOADED_USERS = 20_000;
    /** RocksDB's smallest memtable, so that the preload's stores flush (and keep) most of their state. */
    private static final String SMALL_MEMTABLES = "  store-write-buffer-bytes: 65536\n";

    private static LocalSchemaRegistry registry;

    @BeforeAll
    static void startRegistry() {
        // The firewall runs in another JVM: the in-memory registry cannot be shared with this test's producer.
        registry = LocalSchemaRegistry.start(LocalSchemaRegistry.locateJar());
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aFirewallKilledMidTrafficAndRestartedWithTheShippedDefaultsDecidesEveryContactPointOnceAndLogsNoError(
            @TempDir Path dir) throws Exception {
        // Exactly-once wipes every deciding task after the unclean stop and restores it whole; Kafka's ERROR for
        // that is lowered to WARN by UncleanStopFilter.
        killAndRestart(dir, "", false);
    }

    /** Transactional stores turned on: the restart keeps the stores' flushed state and restores only the tails. */
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void withTransactionalStoresARestartKeepsTheFlushedStateAndDecidesEveryContactPointOnce(@TempDir Path dir)
            throws Exception {
        killAndRestart(dir, "  transactional-state-stores: true\n" + SMALL_MEMTABLES, true);
    }

    /** Without static membership: the restarted member also waits out the dead one's session. */
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void withDynamicMembershipTooEveryContactPointIsDecidedOnceAndNoErrorLogged(@TempDir Path dir)
            throws Exception {
        killAndRestart(dir, "  group-instance-id: none\n", false);
    }

    /**
     * Failover: two instances with a standby of every task each; one is killed mid-traffic and not started again.
     * The survivor takes the dead one's tasks over once its 6 s session has expired, from its warm copies (each
     * store it then restores reads only the tail its copy lacked, never the changelog from the start), and decides
     * every contact point exactly once, logging no ERROR.
     */
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aStandbyTakesOverADeadInstancesTasksFromItsWarmCopyAndEveryContactPointIsDecidedOnce(@TempDir Path dir)
            throws Exception {
        String prefix = "standby-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = EndToEndSupport.prefixed(Topics.defaults(), prefix);
        FirewallTopics.createAll(BROKER.get(), topics, PARTITIONS);
        // (transactional stores off, their default)
        String standby = "  num-standby-replicas: 1\n";
        String session = "streams:\n  session.timeout.ms: 6000\n  heartbeat.interval.ms: 1500\n";
        Path configA = config(dir, prefix, topics, standby, "state-a", session, "application-a.yaml");
        Path configB = config(dir, prefix, topics, standby, "state-b", session, "application-b.yaml");
        FirewallSerdes serdes = serdes();
        ScenarioTraffic traffic = new ScenarioTraffic(topics, serdes, System.currentTimeMillis() - 600_000);
        long expected = contactPoints(traffic, USERS);
        // One after the other, as a rolling start does: two first starts at once race to create the output
        // subjects, which Apicurio can answer with a 500 for longer than the outage budget (see the README).
        Process a = start(dir, configA, "a.log");
        Process b = null;
        Sender sender = new Sender(topics, traffic, policyVersion(dir.resolve("policy.yaml")));
        String appId = appId(prefix);
        try (OutputCollector outputs = new OutputCollector(BROKER.get().bootstrapServers(), PARTITIONS, topics,
                serdes, "standby-takeover-", Map.of(), null, null);
             org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                     "bootstrap.servers", BROKER.get().bootstrapServers()))) {
            awaitRunning(a, dir.resolve("a.log"));
            b = start(dir, configB, "b.log");
            awaitRunning(b, dir.resolve("b.log"));

            // When traffic flows and, once about a quarter of it is decided (the sender holds the second half back
            // until the kill), instance a is killed for good
            sender.start();
            outputs.pollUntilAtLeast(contactPoints(traffic, HALF) / 2, java.time.Duration.ofMinutes(2));
            long linesBefore = Files.readAllLines(dir.resolve("b.log")).size();
            a.destroyForcibly();
            assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Map<String, Long> changelogEnds = changelogEnds(admin, appId);
            sender.secondHalf.countDown(); // the kill has landed mid-traffic: the second half follows it
            sender.join();
            assertThat(sender.failure.get()).as("producing the traffic").isNull();

            // Then b decides every contact point, each exactly once and as expected
            assertEachDecidedOnceAsExpected(outputs, sender, topics, expected);

            // And b took the dead instance's tasks over from warm copies: after the kill it restored something
            // (the tasks it took over), and no store read its changelog from the start
            List<String> after = Files.readAllLines(dir.resolve("b.log")).stream().skip(linesBefore).toList();
            List<String> restores = after.stream().filter(l -> l.contains("restoring store from its changelog"))
                    .toList();
            restores.forEach(line -> System.out.println("[UncleanRestartIT] survivor: " + line));
            assertThat(restores).as("restores by the survivor after the kill (the tasks it took over)").isNotEmpty();
            List<String> cold = new ArrayList<>();
            for (String line : restores) {
                String changelog = field(line, "changelog");
                long records = Long.parseLong(field(line, "records"));
                long end = changelogEnds.getOrDefault(changelog, 0L);
                if (end > 20 && records > end / 2) {
                    cold.add(changelog + ": " + records + " of " + end + " records restored");
                }
            }
            assertThat(cold).as("stores restored from (nearly) the start instead of from a warm standby").isEmpty();
            assertThat(after.stream().filter(l -> l.matches("^\\S+ \\S+ ERROR .*")).toList())
                    .as("ERROR lines of the survivor").isEmpty();
            assertThat(b.isAlive()).as("the survivor is still running").isTrue();
        } finally {
            sender.interrupt();
            a.destroyForcibly();
            if (b != null) {
                b.destroyForcibly();
                b.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A clean stop (SIGTERM) and a restart with the shipped defaults, as a rolling upgrade does: the restarted
     * process reopens the consent history it kept (checkpointed, not wiped). Contact points whose event time lies
     * between two consent changes applied before the stop are judged by the first of them: forwarded. Kafka 4.4.0's
     * versioned store alone found nothing before a key's latest version after reopening and suppressed them all
     * ({@code CONSENT_MISSING}); {@code ReopenedHistory} is why they are not.
     */
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void afterACleanRestartAContactPointIsJudgedByTheConsentInForceAtItsOwnTime(@TempDir Path dir) throws Exception {
        String prefix = "clean-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = EndToEndSupport.prefixed(Topics.defaults(), prefix);
        FirewallTopics.createAll(BROKER.get(), topics, PARTITIONS);
        Path config = config(dir, prefix, topics, "");
        FirewallSerdes serdes = serdes();
        String policyVersion = policyVersion(dir.resolve("policy.yaml"));
        int users = 200;
        long granted = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(6);
        long renewed = granted + TimeUnit.HOURS.toMillis(4);
        long contacted = granted + TimeUnit.HOURS.toMillis(2);
        Process first = start(dir, config, "run-1.log");
        Process second = null;
        try (OutputCollector outputs = new OutputCollector(BROKER.get().bootstrapServers(), PARTITIONS, topics,
                serdes, "clean-restart-", Map.of(), null, null);
             org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                     "bootstrap.servers", BROKER.get().bootstrapServers()));
             KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(BROKER.get().bootstrapServers(),
                     "clean-restart-", Map.of())) {
            awaitRunning(first, dir.resolve("run-1.log"));

            // Given each user's grant, and four hours later in event time the same grant renewed, applied
            for (int i = 0; i < users; i++) {
                producer.send(EndToEndSupport.record(consent(topics, serdes, "history-" + i, "sample-cmp", granted)));
                producer.send(EndToEndSupport.record(consent(topics, serdes, "history-" + i, "sample-cmp-renewal",
                        renewed)));
            }
            producer.flush();
            awaitConsumed(admin, appId(prefix), List.of(topics.consent()));

            // When the firewall stops cleanly and starts again on the same state directory
            first.destroy(); // SIGTERM: Kafka Streams closes, commits and checkpoints
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("a clean stop within 60 s").isTrue();
            assertThat(Files.readString(dir.resolve("run-1.log"))).contains("to=\"NOT_RUNNING\"");
            second = start(dir, config, "run-2.log");
            awaitRunning(second, dir.resolve("run-2.log"));

            // and contact points arrive whose event time is between the grant and its renewal
            Map<Coord, Expected> contacts = new ConcurrentHashMap<>();
            Map<String, Coord> byDecisionId = new ConcurrentHashMap<>();
            for (int i = 0; i < users; i++) {
                ScenarioTraffic.Event contact = contactPoint(topics, serdes, "history-" + i, contacted);
                producer.send(EndToEndSupport.record(contact), (metadata, error) -> {
                    if (error == null) {
                        Coord coord = Coord.of(metadata);
                        contacts.put(coord, contact.expected());
                        byDecisionId.put(EndToEndSupport.decisionId(coord, policyVersion), coord);
                    }
                });
            }
            producer.flush();

            // Then each is forwarded, once: the grant was in force at its time
            assertEachDecidedOnceAsExpected(outputs, contacts, byDecisionId, topics, users);
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The reason field of an output that has one (suppressed, quarantined, dead-lettered), for the message. */
    private static String reasonOf(Output out) {
        if (out.value() instanceof org.apache.avro.generic.GenericRecord record
                && record.getSchema().getField("reason") != null) {
            return " " + record.get("reason");
        }
        return "";
    }

    /** {@code user}'s grant of the ad purpose, effective at {@code time}, from {@code source}. */
    private static ScenarioTraffic.Event consent(Topics topics, FirewallSerdes serdes, String user, String source,
                                                 long time) {
        org.purposefirewall.schema.ConsentState state = org.purposefirewall.schema.ConsentState.newBuilder()
                .setUserId(user)
                .setPurposes(List.of(new org.purposefirewall.schema.PurposeConsent(ScenarioTraffic.AD_GRANT,
                        org.purposefirewall.schema.ConsentStatus.GRANTED)))
                .setOptOutOfTargetedAdvertising(false)
                .setOptOutOfSale(false)
                .setSource(source)
                .setEffectiveTime(java.time.Instant.ofEpochMilli(time))
                .build();
        return new ScenarioTraffic.Event(topics.consent(), user, serdes.consentState().encode(topics.consent(), state),
                time, null);
    }

    /** An e-mail address of {@code user} for ad matching, collected for nothing else, at {@code time}. */
    private static ScenarioTraffic.Event contactPoint(Topics topics, FirewallSerdes serdes, String user, long time) {
        org.purposefirewall.schema.ContactPoint contact = org.purposefirewall.schema.ContactPoint.newBuilder()
                .setUserId(user)
                .setIdentifierType(org.purposefirewall.schema.IdentifierType.EMAIL)
                .setValue(user + "@shop.example.com")
                .setDeclaredPurposes(List.of())
                .setSourceSystem("ads-audience-sync")
                .setEventTime(java.time.Instant.ofEpochMilli(time))
                .setAttributes(Map.of("campaign", "spring-sale"))
                .build();
        return new ScenarioTraffic.Event(topics.contactPoints(), user,
                serdes.contactPoint().encode(topics.contactPoints(), contact), time, Expected.FORWARD);
    }

    /** {@code key="value"} of a log line's key-values. */
    private static String field(String line, String key) {
        int at = line.indexOf(key + "=\"");
        assertThat(at).as("%s in %s", key, line).isNotNegative();
        int from = at + key.length() + 2;
        return line.substring(from, line.indexOf('"', from));
    }

    /** End offsets of the application's changelog partitions, as {@code <topic>-<partition>}. */
    private static Map<String, Long> changelogEnds(org.apache.kafka.clients.admin.Admin admin, String appId)
            throws Exception {
        List<String> changelogs = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(appId + "-") && t.endsWith("-changelog")).toList();
        Map<String, Long> ends = new HashMap<>();
        latestOffsets(admin, partitions(changelogs)).forEach((tp, offset) -> ends.put(tp.toString(), offset));
        assertThat(ends).as("changelog partitions of %s", appId).isNotEmpty();
        return ends;
    }

    /**
     * Given the firewall as a process of its own on topics of this test, with {@code processing} lines added; with
     * {@code keepsState}, also checks that the restart restored only the tails of the changelogs.
     */
    private void killAndRestart(Path dir, String processing, boolean keepsState) throws Exception {
        String prefix = "unclean-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = EndToEndSupport.prefixed(Topics.defaults(), prefix);
        FirewallTopics.createAll(BROKER.get(), topics, PARTITIONS);
        Path config = config(dir, prefix, topics, processing);
        FirewallSerdes serdes = serdes();
        ScenarioTraffic traffic = new ScenarioTraffic(topics, serdes, System.currentTimeMillis() - 600_000);
        // (encoding registers the input schemas: once, here, before anything else registers concurrently)
        long expected = contactPoints(traffic, USERS);
        if (keepsState) {
            preloadSideRecords(topics, traffic);
        }
        Process first = start(dir, config, "run-1.log");
        Process second = null;
        Sender sender = new Sender(topics, traffic, policyVersion(dir.resolve("policy.yaml")));
        String appId = appId(prefix);
        try (OutputCollector outputs = new OutputCollector(BROKER.get().bootstrapServers(), PARTITIONS, topics,
                serdes, "unclean-restart-", Map.of(), null, null);
             org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                     "bootstrap.servers", BROKER.get().bootstrapServers()))) {
            awaitRunning(first, dir.resolve("run-1.log"));
            if (keepsState) {
                awaitConsumed(admin, appId, List.of(topics.consent(), topics.registrations()));
            }

            // When traffic flows, the firewall is killed with SIGKILL once some of it is decided, and started again
            // on the same state directory while the traffic goes on
            sender.start();
            outputs.pollUntilAtLeast(contactPoints(traffic, HALF) / 2, java.time.Duration.ofMinutes(2));
            first.destroyForcibly(); // SIGKILL: no close, no commit, no checkpoint
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Map<String, Long> changelogEnds = changelogEnds(admin, appId);
            sender.secondHalf.countDown(); // the kill has landed mid-traffic: the second half goes on meanwhile
            second = start(dir, config, "run-2.log");
            awaitRunning(second, dir.resolve("run-2.log"));
            sender.join();
            assertThat(sender.failure.get()).as("producing the traffic").isNull();

            // Then every contact point is in exactly one output, the one the scenario expects
            assertEachDecidedOnceAsExpected(outputs, sender, topics, expected);

            // And the restarted process says nothing an operator must investigate
            List<String> log = Files.readAllLines(dir.resolve("run-2.log"));
            log.stream().filter(line -> line.matches("^\\S+ \\S+ (WARN|ERROR) .*"))
                    .forEach(line -> System.out.println("[UncleanRestartIT] restarted: " + line));
            List<String> errors = log.stream().filter(line -> line.matches("^\\S+ \\S+ ERROR .*")).toList();
            assertThat(errors).as("ERROR lines of the restarted firewall").isEmpty();
            assertThat(second.isAlive()).as("the restarted firewall is still running").isTrue();
            List<String> wiped = log.stream().filter(line -> line.contains("did not find checkpoint offsets")
                    || line.contains("Failed to register startup state stores")
                    || line.contains("TaskCorruptedException")).toList();
            if (keepsState) {
                // And it kept its stores' state: no task wiped, and at most a twentieth of what the changelogs held at
                // the kill read again. The write-ahead log keeps every batch written before the kill, so only a
                // commit the kill cut between the changelog and the store is read again; without it the memtables'
                // contents are (about 10,000 of 55,000 records with these 64 KiB memtables)
                assertThat(wiped).as("tasks wiped after the unclean stop").isEmpty();
                long held = changelogEnds.values().stream().mapToLong(Long::longValue).sum();
                long restored = log.stream().filter(l -> l.contains("store restored"))
                        .mapToLong(l -> Long.parseLong(field(l, "records"))).sum();
                System.out.println("[UncleanRestartIT] restored " + restored + " of " + held + " changelog records");
                assertThat(held).as("changelog records at the kill").isGreaterThan(PRELOADED_USERS / 2);
                assertThat(restored).as("changelog records restored of %d", held).isLessThan(held / 20);
            } else {
                assertThat(wiped).as("the deciding tasks wiped (reported at WARN)").isNotEmpty();
            }
        } finally {
            sender.interrupt();
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Waits for an output per contact point, then: every contact point produced has exactly one output (read_committed,
     * tied to it by its source coordinates, or for a forward by its decision id), the one the scenario expects.
     */
    private static void assertEachDecidedOnceAsExpected(OutputCollector outputs, Sender sender, Topics topics,
                                                        long expected) {
        assertEachDecidedOnceAsExpected(outputs, sender.contacts, sender.byDecisionId, topics, expected);
    }

    /**
     * As above, for contact points produced elsewhere: {@code contacts} the outcome each must have,
     * {@code byDecisionId} the contact point a forward's decision id names.
     */
    private static void assertEachDecidedOnceAsExpected(OutputCollector outputs, Map<Coord, Expected> contacts,
                                                        Map<String, Coord> byDecisionId, Topics topics,
                                                        long expected) {
        outputs.pollUntilAtLeast(expected, java.time.Duration.ofMinutes(3));
        outputs.drain(java.time.Duration.ofSeconds(5));
        Map<Coord, List<Output>> decided = new HashMap<>();
        for (Output out : outputs.all()) {
            Coord coord = out.kind() == Expected.FORWARD
                    ? byDecisionId.get(((AudienceIdentifier) out.value()).getDecisionId())
                    : out.source();
            if (coord != null && coord.topic().equals(topics.contactPoints())) {
                decided.computeIfAbsent(coord, c -> new ArrayList<>()).add(out);
            }
        }
        assertThat(contacts).as("contact points produced").hasSize((int) expected);
        assertThat(decided.keySet()).as("contact points with an output").isEqualTo(contacts.keySet());
        List<String> wrong = new ArrayList<>();
        decided.forEach((coord, outs) -> {
            if (outs.size() != 1 || outs.get(0).kind() != contacts.get(coord)) {
                wrong.add(coord + " -> " + outs.stream().map(o -> o.kind() + reasonOf(o)).toList() + ", expected "
                        + contacts.get(coord));
            }
        });
        assertThat(wrong).as("contact points not in exactly their one expected output").isEmpty();
    }

    /** Every partition of {@code topics} (all have {@link #PARTITIONS}). */
    private static List<org.apache.kafka.common.TopicPartition> partitions(List<String> topics) {
        List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new org.apache.kafka.common.TopicPartition(topic, p));
            }
        }
        return partitions;
    }

    /** The end offsets (high watermarks) of {@code partitions}. */
    private static Map<org.apache.kafka.common.TopicPartition, Long> latestOffsets(
            org.apache.kafka.clients.admin.Admin admin,
            java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) throws Exception {
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new HashMap<>();
        partitions.forEach(tp -> specs.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
        Map<org.apache.kafka.common.TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /**
     * Waits until the application's committed offsets reach the ends of {@code inputs} and of every other topic it
     * commits on (the internal side-records topic: applied, not only read).
     */
    private static void awaitConsumed(org.apache.kafka.clients.admin.Admin admin, String appId, List<String> inputs)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            var committed = admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            java.util.Set<org.apache.kafka.common.TopicPartition> watched =
                    new java.util.HashSet<>(committed.keySet());
            watched.addAll(partitions(inputs));
            boolean all = latestOffsets(admin, watched).entrySet().stream().allMatch(e ->
                    committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue());
            if (all) {
                return;
            }
            assertThat(System.nanoTime() - deadline).as("the preload applied within 2 minutes").isNegative();
            Thread.sleep(500);
        }
    }

    /** The consent and registrations of {@link #PRELOADED_USERS} users after the scenario's, no contact points. */
    private static void preloadSideRecords(Topics topics, ScenarioTraffic traffic) {
        try (KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(BROKER.get().bootstrapServers(),
                "unclean-restart-preload-", Map.of())) {
            for (int i = USERS; i < USERS + PRELOADED_USERS; i++) {
                traffic.user(i).stream().filter(e -> !e.topic().equals(topics.contactPoints()))
                        .forEach(e -> producer.send(EndToEndSupport.record(e)));
            }
            producer.flush();
        }
    }

    /**
     * The contact points of the first {@code users} users: {@link #USERS} for the whole traffic, {@link #HALF} for
     * what the sender produces before it waits for {@link Sender#secondHalf}.
     */
    private static long contactPoints(ScenarioTraffic traffic, int users) {
        return traffic.expectedCounts(users).values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Produces the users in batches, each batch's consent and registrations first and then its contact points (as
     * {@code FirewallEndToEndIT} does, so that outcomes do not depend on arrival races), a little apart, then the
     * end-of-traffic markers; remembers where each contact point was written and the decision id it gets if
     * forwarded.
     */
    private static final class Sender extends Thread {
        final Map<Coord, Expected> contacts = new ConcurrentHashMap<>();
        final Map<String, Coord> byDecisionId = new ConcurrentHashMap<>();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        /**
         * The sender holds back the second half of the users until this opens, so that a kill made before opening
         * it lands mid-traffic however slowly the firewall decides the first half (on a loaded CI machine the
         * whole traffic can be produced before a quarter of it is decided).
         */
        final CountDownLatch secondHalf = new CountDownLatch(1);
        private final Topics topics;
        private final ScenarioTraffic traffic;
        private final String policyVersion;

        Sender(Topics topics, ScenarioTraffic traffic, String policyVersion) {
            super("unclean-restart-traffic");
            this.topics = topics;
            this.traffic = traffic;
            this.policyVersion = policyVersion;
        }

        @Override
        public void run() {
            try (KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(BROKER.get().bootstrapServers(),
                    "unclean-restart-", Map.of())) {
                for (int from = 0; from < USERS && !isInterrupted(); from += BATCH) {
                    if (from == HALF) {
                        secondHalf.await();
                    }
                    List<Event> state = new ArrayList<>();
                    List<Event> contactEvents = new ArrayList<>();
                    for (int i = from; i < from + BATCH; i++) {
                        for (Event e : traffic.user(i)) {
                            (e.topic().equals(topics.contactPoints()) ? contactEvents : state).add(e);
                        }
                    }
                    state.forEach(e -> producer.send(EndToEndSupport.record(e)));
                    producer.flush();
                    for (Event e : contactEvents) {
                        producer.send(EndToEndSupport.record(e), (metadata, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            } else if (e.expected() != null) {
                                Coord coord = Coord.of(metadata);
                                contacts.put(coord, e.expected());
                                byDecisionId.put(EndToEndSupport.decisionId(coord, policyVersion), coord);
                            }
                        });
                    }
                    producer.flush();
                    Thread.sleep(150);
                }
                traffic.endOfTrafficMarkers(PARTITIONS, traffic.endTime(USERS))
                        .forEach(e -> producer.send(EndToEndSupport.record(e)));
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    /** The application id (and consumer group) of a test's firewall, from its topic prefix. */
    private static String appId(String prefix) {
        return "it-" + prefix.replace(".", "");
    }

    /** Serdes against the shared registry, as the producers and the output reader use them. */
    private static FirewallSerdes serdes() {
        return FirewallSerdes.fromSettings(
                SchemaRegistryConfig.parse(Map.of("schema.registry.url", registry.confluentUrl())));
    }

    /** The {@code version:} of a policy file: part of every decision id. */
    private static String policyVersion(Path policy) throws IOException {
        return Files.readAllLines(policy).stream().filter(l -> l.startsWith("version:")).findFirst().orElseThrow()
                .substring("version:".length()).strip().replace("\"", "");
    }

    private static void awaitRunning(Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.readString(log).contains("to=\"RUNNING\"")) {
            assertThat(process.isAlive()).as("firewall exited; log:%n%s", Files.readString(log)).isTrue();
            assertThat(System.nanoTime() - deadline).as("RUNNING within 2 minutes; log:%n%s",
                    Files.readString(log)).isNegative();
            Thread.sleep(200);
        }
    }

    /** The shipped config and policy, with this test's application id, topics, registry and state directory. */
    private static Path config(Path dir, String prefix, Topics t, String processing) throws IOException {
        return config(dir, prefix, t, processing, "state", "", "application.yaml");
    }

    /** As above, for one of several instances: its own state directory and file, and top-level lines added. */
    private static Path config(Path dir, String prefix, Topics t, String processing, String stateDir,
                               String topLevel, String fileName) throws IOException {
        Path shipped = Path.of(System.getProperty("user.dir")).resolve("../config").toAbsolutePath().normalize();
        if (!Files.exists(dir.resolve("policy.yaml"))) {
            Files.copy(shipped.resolve("policy.yaml"), dir.resolve("policy.yaml"));
        }
        String yaml = String.join("\n",
                "application-id: " + appId(prefix),
                "bootstrap-servers: " + BROKER.get().bootstrapServers(),
                "policy-file: policy.yaml",
                "schema-registry:",
                "  schema.registry.url: " + registry.confluentUrl(),
                "  auto.register.schemas: true",
                FirewallTopics.yamlSection(t),
                "processing:",
                "  state-dir: " + stateDir,
                processing + "http:",
                "  bind-address: 127.0.0.1",
                "  port: 0",
                topLevel);
        return Files.writeString(dir.resolve(fileName), yaml);
    }

    /** {@code run} in a JVM of its own on this test's class path, with the service's logging, output to a file. */
    private static Process start(Path dir, Path config, String logName) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"), "org.purposefirewall.app.PurposeFirewallMain",
                "run", "--config", config.toString());
        Path log = dir.resolve(logName);
        Files.deleteIfExists(log);
        Files.createFile(log);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
