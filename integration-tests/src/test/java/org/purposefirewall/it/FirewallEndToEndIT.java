package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.purposefirewall.it.EndToEndSupport.allMatchKeys;
import static org.purposefirewall.it.EndToEndSupport.bytes;
import static org.purposefirewall.it.EndToEndSupport.decisionId;
import static org.purposefirewall.it.EndToEndSupport.enforcedProcessing;
import static org.purposefirewall.it.EndToEndSupport.loadApplicationConfig;
import static org.purposefirewall.it.EndToEndSupport.matchKey;
import static org.purposefirewall.it.EndToEndSupport.millisSince;
import static org.purposefirewall.it.EndToEndSupport.prefixed;
import static org.purposefirewall.it.EndToEndSupport.rebuilt;
import static org.purposefirewall.it.EndToEndSupport.record;
import static org.purposefirewall.it.EndToEndSupport.total;

import ch.qos.logback.classic.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Guarantee;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.fixtures.ScenarioTraffic.Event;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.identity.Sha256;
import org.purposefirewall.it.EndToEndSupport.Coord;
import org.purposefirewall.it.EndToEndSupport.Output;
import org.purposefirewall.it.EndToEndSupport.OutputCollector;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SuppressedRecord;
import org.purposefirewall.serde.FirewallSerdes;
import org.purposefirewall.serde.WireFormat;
import org.slf4j.LoggerFactory;

/**
 * End to end on a real single-node KRaft broker with {@code exactly_once_v2}: the firewall as configured by
 * {@code config/application.yaml}, fed with {@link ScenarioTraffic}, checked on its four output topics (read
 * committed) against the product's invariants:
 * <ol>
 *   <li>every input contact point ends in exactly one output (audience, quarantine, suppressed or dead-letter), with
 *       the outcome the scenario expects, and bad input neither is lost nor stops the application;</li>
 *   <li>no identifier collected for a security purpose ever reaches the ad topic, and what does reach it is
 *       minimized (the {@code AudienceIdentifier} fields only, the identifier as its SHA-256 match key).</li>
 * </ol>
 * One broker serves the whole class; each test uses its own topics, application id, state directory and registry
 * scope.
 *
 * <p>A wrong count is reported with the misrouted records grouped (expected -> actual output and reason, partition,
 * user class and range) and with Kafka Streams' task-level {@code enforced-processing-total}: records a task
 * processed although a co-partitioned input looked empty for longer than {@code max.task.idle.ms}. That is normal at
 * the tail of the input; when the consent or registration partition was in fact behind, the contact points are
 * decided without that state, which this test reports as misrouted.
 */
class FirewallEndToEndIT {

    private static final int PARTITIONS = 4;
    /** The main test produces at least this many contact points. */
    private static final long MIN_CONTACT_POINTS = 100_000;
    /** Users of the crash-restart test. */
    private static final int RESTART_USERS = 10_000;
    /** How long the outputs may take to appear in full before a test fails. */
    private static final Duration OUTPUT_DEADLINE = Duration.ofMinutes(5);
    /** After the expected number of outputs arrived, keep reading this long to catch duplicates or strays. */
    private static final Duration QUIET_PERIOD = Duration.ofSeconds(3);
    /** How long an idle firewall is watched for commits: 60 commit intervals at the shipped 50 ms. */
    private static final Duration IDLE_WATCH = Duration.ofSeconds(3);
    private static final Duration RUNNING_DEADLINE = Duration.ofSeconds(90);
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** Dead-letter reasons of the scenario's malformed records, indexed by {@code (i / 20) % 5}. */
    private static final List<String> MALFORMED_REASONS = List.of("NOT_WIRE_FORMAT", "UNKNOWN_SCHEMA_ID",
            "MISSING_USER_ID", "EMPTY_IDENTIFIER", "UNKNOWN_IDENTIFIER_TYPE");
    /** Logs one WARN line per dead-lettered record: thousands of expected lines here. */
    private static final String DEAD_LETTER_LOGGER = "org.purposefirewall.topology.Outputs";

    private static LocalKafkaBroker broker;
    private static FirewallConfig fileConfig;
    private static Level previousDeadLetterLevel;

    @BeforeAll
    static void startBroker() {
        fileConfig = loadApplicationConfig();
        ch.qos.logback.classic.Logger deadLetterLog =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(DEAD_LETTER_LOGGER);
        previousDeadLetterLevel = deadLetterLog.getLevel();
        deadLetterLog.setLevel(Level.ERROR);
        long start = System.nanoTime();
        broker = LocalKafkaBroker.start();
        System.out.printf("[FirewallEndToEndIT] broker %s up in %d ms%n", broker.bootstrapServers(),
                millisSince(start));
    }

    @AfterAll
    static void stopBroker() {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(DEAD_LETTER_LOGGER))
                    .setLevel(previousDeadLetterLevel);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Test 1: invariants 1 and 2 at >= 100,000 contact points
    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES)
    void everyContactPointEndsInExactlyOneOutputAndNoSecurityIdentifierReachesTheAdTopic(@TempDir Path stateDir)
            throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        FirewallConfig config = configFor(fileConfig.topics(), "it-firewall-e2e-" + unique, stateDir,
                "it-e2e-" + unique);
        Topics topics = config.topics();
        createTopics(topics);

        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        ScenarioTraffic traffic = new ScenarioTraffic(topics, serdes, System.currentTimeMillis() - 3_600_000L);
        int users = usersFor(traffic, MIN_CONTACT_POINTS);
        Map<Expected, Long> expected = traffic.expectedCounts(users);
        long expectedContactPoints = total(expected);
        System.out.printf("[FirewallEndToEndIT] %d users -> %d contact points, expected %s%n", users,
                expectedContactPoints, expected);
        assertThat(expectedContactPoints).isGreaterThanOrEqualTo(MIN_CONTACT_POINTS);

        Produced produced = new Produced(topics, config.policy().version(), users);
        try (FirewallApp app = new FirewallApp(config, serdes);
             KafkaProducer<String, byte[]> producer = producer();
             OutputCollector outputs = outputs(topics, serdes)) {
            long appStart = System.nanoTime();
            app.start();
            awaitRunning(app);
            System.out.printf("[FirewallEndToEndIT] app RUNNING after %d ms%n", millisSince(appStart));

            long produceStart = System.nanoTime();
            ProduceTimes times = produceUsers(producer, traffic, serdes, 0, users, produced);
            long producedAt = System.nanoTime();
            assertThat((long) produced.contacts.size()).isEqualTo(expectedContactPoints);

            outputs.pollUntilAtLeast(produced.contacts.size(), OUTPUT_DEADLINE);
            long allOutputsAt = System.nanoTime();
            outputs.drain(QUIET_PERIOD);

            double seconds = (allOutputsAt - times.contactsStartNanos) / 1e9;
            System.out.printf("[FirewallEndToEndIT] produced %d consent/registration events in %d ms, %d contact "
                            + "points in %d ms (total produce %d ms)%n",
                    produced.stateEvents, (times.contactsStartNanos - produceStart) / 1_000_000,
                    produced.contacts.size(), (producedAt - times.contactsStartNanos) / 1_000_000,
                    (producedAt - produceStart) / 1_000_000);
            System.out.printf("[FirewallEndToEndIT] all %d outputs read (read_committed) %.1f s after the first "
                            + "contact point was sent: %.0f contact points/s end to end; %.1f s from the first "
                            + "consent event (%.0f input records/s)%n",
                    outputs.total(), seconds, produced.contacts.size() / seconds,
                    (allOutputsAt - produceStart) / 1e9,
                    (produced.stateEvents + produced.contacts.size()) / ((allOutputsAt - produceStart) / 1e9));

            String enforced = "enforced-processing-total per task " + enforcedProcessing(app);
            System.out.println("[FirewallEndToEndIT] " + enforced);
            verifyOutputs(produced, outputs, expected, config, serdes, enforced);

            // (e) dead letters did not stop the application.
            assertThat(app.failed()).as("app.failed() after the run").isFalse();
            awaitRunning(app);
            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);

            // (f) once nothing moves, nothing is committed: no task punctuates while no record waits, so the thread
            // commits no transaction (before WaitTimer, a check every 10 ms made it commit every 50 ms, idle).
            double commitsBefore = threadCommits(app);
            Thread.sleep(IDLE_WATCH.toMillis());
            double idleCommits = threadCommits(app) - commitsBefore;
            System.out.printf("[FirewallEndToEndIT] idle: %.0f commits in %d ms (commit interval %d ms)%n",
                    idleCommits, IDLE_WATCH.toMillis(), config.processing().commitInterval().toMillis());
            assertThat(idleCommits).as("commits of an idle firewall in %s", IDLE_WATCH).isLessThanOrEqualTo(1);
        }
    }

    /** The stream threads' commit rounds so far (Kafka Streams' {@code commit-total}). */
    private static double threadCommits(FirewallApp app) {
        double sum = 0;
        for (var e : app.streams().metrics().entrySet()) {
            if (e.getKey().group().equals("stream-thread-metrics") && e.getKey().name().equals("commit-total")) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Test 2: a restart under exactly-once loses and duplicates nothing
    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
    void survivesARestartMidStreamWithoutLossOrDuplicates(@TempDir Path stateDir) throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        Topics topics = prefixed(fileConfig.topics(), "restart-" + unique + ".");
        FirewallConfig config = configFor(topics, "it-firewall-restart-" + unique, stateDir,
                "it-restart-" + unique);
        createTopics(topics);

        FirewallSerdes producerSerdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        ScenarioTraffic traffic = new ScenarioTraffic(topics, producerSerdes,
                System.currentTimeMillis() - 3_600_000L);
        Map<Expected, Long> expected = traffic.expectedCounts(RESTART_USERS);
        int half = RESTART_USERS / 2;
        Produced produced = new Produced(topics, config.policy().version(), RESTART_USERS);

        try (KafkaProducer<String, byte[]> producer = producer();
             OutputCollector outputs = outputs(topics, producerSerdes)) {
            long firstHalfContacts;
            int committedAtClose;
            try (FirewallApp first = new FirewallApp(config, FirewallSerdes.fromSettings(config.schemaRegistry()))) {
                first.start();
                awaitRunning(first);
                produceUsers(producer, traffic, producerSerdes, 0, half, produced);
                firstHalfContacts = produced.contacts.size();
                // Close as soon as the first transaction is visible, while the rest of the half is in flight.
                outputs.pollUntilAtLeast(1, OUTPUT_DEADLINE);
                int visibleAtClose = outputs.total();
                System.out.printf("[FirewallEndToEndIT] restart: first instance enforced processing per task: %s%n",
                        enforcedProcessing(first));
                long closeStart = System.nanoTime();
                first.close();
                long closeMillis = millisSince(closeStart);
                // What the first instance committed in all, including its final commit on close.
                outputs.drain(Duration.ofSeconds(2));
                committedAtClose = outputs.total();
                System.out.printf("[FirewallEndToEndIT] restart: first instance closed when %d of %d first-half "
                                + "outputs were visible; it committed %d in all (close took %d ms); failed=%s%n",
                        visibleAtClose, firstHalfContacts, committedAtClose, closeMillis, first.failed());
                if (committedAtClose >= firstHalfContacts) {
                    // Not a failure: the restart then still must not duplicate, but it was not mid-stream.
                    System.out.println("[FirewallEndToEndIT] restart: WARNING the first instance finished the first "
                            + "half before it was closed");
                }
                assertThat(first.failed()).as("first instance failed").isFalse();
            }

            try (FirewallApp second = new FirewallApp(config, FirewallSerdes.fromSettings(config.schemaRegistry()))) {
                long restart = System.nanoTime();
                second.start();
                awaitRunning(second);
                System.out.printf("[FirewallEndToEndIT] restart: second instance RUNNING after %d ms%n",
                        millisSince(restart));
                produceUsers(producer, traffic, producerSerdes, half, RESTART_USERS, produced);
                assertThat((long) produced.contacts.size()).isEqualTo(total(expected));

                outputs.pollUntilAtLeast(produced.contacts.size(), OUTPUT_DEADLINE);
                outputs.drain(QUIET_PERIOD);
                System.out.printf("[FirewallEndToEndIT] restart: %d outputs for %d contact points (%d committed by "
                                + "the first instance), %.1f s after the restart%n", outputs.total(),
                        produced.contacts.size(), committedAtClose, (System.nanoTime() - restart) / 1e9);

                String enforced = "second instance enforced-processing-total per task " + enforcedProcessing(second);
                System.out.println("[FirewallEndToEndIT] restart: " + enforced);
                verifyOutputs(produced, outputs, expected, config, producerSerdes, enforced);
                assertThat(second.failed()).as("second instance failed").isFalse();
                assertThat(second.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Verification shared by both tests
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Checks (a)-(d) and (f) of the outputs against what was produced.
     *
     * @param context shown with a wrong count, e.g. Kafka Streams' enforced-processing counts: a task that processed
     *     contact points while a co-partitioned consent or registration partition looked empty
     */
    private static void verifyOutputs(Produced produced, OutputCollector outputs, Map<Expected, Long> expected,
                                      FirewallConfig config, FirewallSerdes serdes, String context) {
        Topics topics = config.topics();

        // (b) every produced contact point is in exactly one output, and in the one the scenario expects.
        List<String> unknownDecisionIds = new ArrayList<>();
        List<String> foreignSources = new ArrayList<>();
        Map<Coord, List<Expected>> outcomesByCoord = new HashMap<>();
        Map<Coord, List<Output>> outputsByCoord = new HashMap<>();
        for (Expected kind : Expected.values()) {
            for (Output out : outputs.of(kind)) {
                Coord coord = out.source();
                if (kind == Expected.FORWARD) {
                    String decisionId = ((AudienceIdentifier) out.value()).getDecisionId();
                    coord = produced.byDecisionId.get(decisionId);
                    if (coord == null) {
                        unknownDecisionIds.add(decisionId);
                        continue;
                    }
                } else if (!coord.topic().equals(topics.contactPoints())) {
                    foreignSources.add(kind + " from " + coord);
                    continue;
                }
                outcomesByCoord.computeIfAbsent(coord, c -> new ArrayList<>(1)).add(kind);
                outputsByCoord.computeIfAbsent(coord, c -> new ArrayList<>(1)).add(out);
            }
        }
        assertThat(unknownDecisionIds).as("audience decisionIds matching no produced contact point (%d, first 20: %s)",
                unknownDecisionIds.size(), sample(unknownDecisionIds)).isEmpty();
        assertThat(foreignSources).as("outputs whose source is not the contact-point topic").isEmpty();
        List<String> duplicated = new ArrayList<>();
        List<String> wrongOutcome = new ArrayList<>();
        List<Misrouted> misrouted = new ArrayList<>();
        for (Map.Entry<Coord, List<Output>> e : outputsByCoord.entrySet()) {
            ContactEvent source = produced.contacts.get(e.getKey());
            List<Expected> kinds = outcomesByCoord.get(e.getKey());
            if (kinds.size() > 1) {
                duplicated.add(e.getKey() + " -> " + kinds);
            }
            if (source != null && kinds.size() == 1 && kinds.get(0) != source.event().expected()) {
                Misrouted m = new Misrouted(source, kinds.get(0), reasonOf(e.getValue().get(0).value()));
                misrouted.add(m);
                wrongOutcome.add(m.toString());
            }
        }
        if (!misrouted.isEmpty()) {
            System.out.println("[FirewallEndToEndIT] MISROUTED contact points: " + Misrouted.summary(misrouted));
        }

        // (a) per-output counts.
        Map<Expected, Long> actual = new EnumMap<>(Expected.class);
        for (Expected e : Expected.values()) {
            actual.put(e, (long) outputs.of(e).size());
        }
        assertThat(actual).as("records per output topic (FORWARD=%s, QUARANTINE=%s, SUPPRESS=%s, DEAD_LETTER=%s); "
                        + "misrouted: %s; %s", topics.audience(), topics.quarantine(), topics.suppressed(),
                topics.deadLetter(), Misrouted.summary(misrouted), context)
                .isEqualTo(expected);

        Set<Coord> extra = new HashSet<>(outcomesByCoord.keySet());
        extra.removeAll(produced.contacts.keySet());
        Set<Coord> missing = new HashSet<>(produced.contacts.keySet());
        missing.removeAll(outcomesByCoord.keySet());
        assertThat(duplicated).as("contact points with more than one output (%d, first 20: %s)", duplicated.size(),
                sample(duplicated)).isEmpty();
        assertThat(extra).as("outputs for coordinates never produced (%d, first 20: %s)", extra.size(),
                sample(extra)).isEmpty();
        assertThat(missing).as("produced contact points without an output (%d, first 20: %s)", missing.size(),
                sample(missing)).isEmpty();
        assertThat(wrongOutcome).as("contact points in the wrong output (%d, first 20: %s)", wrongOutcome.size(),
                sample(wrongOutcome)).isEmpty();

        // (c) no security identifier on the ad topic: match keys of everything quarantined and of every registration.
        Set<String> securityKeys = new HashSet<>(produced.registrationMatchKeys);
        for (ContactEvent contact : produced.contacts.values()) {
            if (contact.event().expected() == Expected.QUARANTINE) {
                ContactPoint quarantined = contact.decode(serdes);
                securityKeys.addAll(allMatchKeys(quarantined.getIdentifierType(), quarantined.getValue()));
            }
        }
        assertThat(securityKeys).as("security match keys").isNotEmpty();
        List<String> leaked = new ArrayList<>();
        for (Output out : outputs.of(Expected.FORWARD)) {
            AudienceIdentifier audience = (AudienceIdentifier) out.value();
            if (securityKeys.contains(audience.getIdentifierHash())) {
                leaked.add(audience.getUserId() + " " + audience.getIdentifierType() + " decision "
                        + audience.getDecisionId());
            }
        }
        assertThat(leaked).as("audience records carrying a security identifier (%d, first 20: %s)", leaked.size(),
                sample(leaked)).isEmpty();

        // (d) the ad side sees the minimized AudienceIdentifier only, never raw identifier text.
        int audienceSchemaId = serdes.audience().schemaIdFor(topics.audience());
        assertThat(serdes.registry().schemaById(audienceSchemaId)).isEqualTo(AudienceIdentifier.getClassSchema());
        List<String> notMinimized = new ArrayList<>();
        for (Output out : outputs.of(Expected.FORWARD)) {
            AudienceIdentifier audience = (AudienceIdentifier) out.value();
            ContactEvent source = produced.contacts.get(produced.byDecisionId.get(audience.getDecisionId()));
            ContactPoint input = source.decode(serdes);
            String bytesAsText = new String(out.raw(), StandardCharsets.ISO_8859_1);
            List<String> problems = new ArrayList<>();
            if (WireFormat.schemaId(out.raw()) != audienceSchemaId) {
                problems.add("schema id " + WireFormat.schemaId(out.raw()));
            }
            if (!SHA256_HEX.matcher(audience.getIdentifierHash()).matches()) {
                problems.add("identifierHash is not 64 lowercase hex");
            }
            if (!audience.getIdentifierHash().equals(matchKey(input))) {
                problems.add("identifierHash is not the input's match key");
            }
            String rawValue = input.getValue().strip();
            // An input that already is a SHA-256 digest is its own match key; any other spelling must not appear.
            if (!Sha256.looksLikeHex(rawValue) && (bytesAsText.contains(rawValue)
                    || bytesAsText.contains(rawValue.toLowerCase(java.util.Locale.ROOT)))) {
                problems.add("raw identifier text in the record");
            }
            if (!audience.getUserId().equals(input.getUserId()) || !input.getUserId().equals(out.key())) {
                problems.add("user id/key differ from the input's");
            }
            if (audience.getIdentifierType() != input.getIdentifierType()) {
                problems.add("identifier type " + audience.getIdentifierType());
            }
            if (!audience.getPurpose().equals(config.policy().adPurpose().value())) {
                problems.add("purpose " + audience.getPurpose());
            }
            if (!audience.getPolicyVersion().equals(config.policy().version())) {
                problems.add("policy version " + audience.getPolicyVersion());
            }
            if (!audience.getEventTime().equals(input.getEventTime())) {
                problems.add("event time " + audience.getEventTime());
            }
            if (!problems.isEmpty()) {
                notMinimized.add("user " + source.user() + ": " + problems);
            }
        }
        assertThat(notMinimized).as("audience records that are not the minimized form of their input (%d, first "
                + "20: %s)", notMinimized.size(), sample(notMinimized)).isEmpty();

        // (f) dead letters carry the reason of their malformed kind and the original bytes.
        Map<String, Long> expectedReasons = new TreeMap<>();
        for (ContactEvent contact : produced.contacts.values()) {
            if (contact.event().expected() == Expected.DEAD_LETTER) {
                expectedReasons.merge(expectedReason(contact.user()), 1L, Long::sum);
            }
        }
        Map<String, Long> actualReasons = new TreeMap<>();
        List<String> wrongDeadLetters = new ArrayList<>();
        for (Output out : outputs.of(Expected.DEAD_LETTER)) {
            DeadLetterRecord dead = (DeadLetterRecord) out.value();
            actualReasons.merge(dead.getReason(), 1L, Long::sum);
            ContactEvent source = produced.contacts.get(out.source());
            if (source == null) {
                continue; // reported by (b)
            }
            List<String> problems = new ArrayList<>();
            if (!dead.getReason().equals(expectedReason(source.user()))) {
                problems.add("reason " + dead.getReason() + " (" + dead.getDetail() + "), expected "
                        + expectedReason(source.user()));
            }
            if (!Arrays.equals(bytes(dead.getOriginalValue()), source.event().value())) {
                problems.add("originalValue differs from the produced bytes");
            }
            byte[] key = source.event().key() == null ? null
                    : source.event().key().getBytes(StandardCharsets.UTF_8);
            if (!Arrays.equals(bytes(dead.getOriginalKey()), key)) {
                problems.add("originalKey differs from the produced key");
            }
            if (!problems.isEmpty()) {
                wrongDeadLetters.add("user " + source.user() + " at " + out.source() + ": " + problems);
            }
        }
        assertThat(expectedReasons.keySet()).as("every malformed kind occurs").containsAll(MALFORMED_REASONS);
        assertThat(actualReasons).as("dead-letter reasons").isEqualTo(expectedReasons);
        assertThat(wrongDeadLetters).as("dead letters with a wrong reason or payload (%d, first 20: %s)",
                wrongDeadLetters.size(), sample(wrongDeadLetters)).isEmpty();
        System.out.printf("[FirewallEndToEndIT] verified %d contact points: %s; dead-letter reasons %s%n",
                produced.contacts.size(), actual, actualReasons);
    }

    private static String reasonOf(Object output) {
        if (output instanceof SuppressedRecord r) {
            return r.getReason() + " (" + r.getRule() + ")";
        }
        if (output instanceof QuarantineRecord r) {
            return r.getReason() + " (" + r.getRule() + ")";
        }
        if (output instanceof DeadLetterRecord r) {
            return r.getReason();
        }
        return "-";
    }

    /** A contact point in another output than the scenario expects, for the failure report. */
    record Misrouted(ContactEvent source, Expected actual, String reason) {
        @Override
        public String toString() {
            return "user " + source.user() + " (" + source.user() % 20 + " mod 20) at " + source.coord()
                    + ": expected " + source.event().expected() + ", got " + actual + " " + reason;
        }

        /** Counts by kind, partition and user class, and the user range per partition. */
        static String summary(List<Misrouted> all) {
            if (all.isEmpty()) {
                return "none";
            }
            Map<String, Integer> byKind = new TreeMap<>();
            Map<Integer, Integer> byPartition = new TreeMap<>();
            Map<Integer, Integer> byClass = new TreeMap<>();
            Map<Integer, int[]> userRange = new TreeMap<>();
            for (Misrouted m : all) {
                byKind.merge(m.source().event().expected() + "->" + m.actual() + " " + m.reason(), 1, Integer::sum);
                int p = m.source().coord().partition();
                byPartition.merge(p, 1, Integer::sum);
                byClass.merge(m.source().user() % 20, 1, Integer::sum);
                userRange.merge(p, new int[] {m.source().user(), m.source().user()},
                        (a, b) -> new int[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            }
            StringBuilder ranges = new StringBuilder();
            userRange.forEach((p, r) -> ranges.append(" p").append(p).append("=[").append(r[0]).append("..")
                    .append(r[1]).append(']'));
            return all.size() + " misrouted; by kind " + byKind + "; by partition " + byPartition
                    + "; by user mod 20 " + byClass + "; user range per partition" + ranges + "; first 10: "
                    + all.stream().sorted(java.util.Comparator.comparingInt(m -> m.source().user())).limit(10)
                    .toList();
        }
    }

    private static String expectedReason(int user) {
        return MALFORMED_REASONS.get((user / 20) % 5);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Producing
    // ------------------------------------------------------------------------------------------------------------

    /** A produced contact point: the scenario's event, its user and where it landed. */
    record ContactEvent(int user, Event event, Coord coord) {
        ContactPoint decode(FirewallSerdes serdes) {
            return serdes.contactPoint().decode(event.value());
        }
    }

    /** Everything produced so far. */
    static final class Produced {
        final String contactTopic;
        final String registrationTopic;
        final String policyVersion;
        final Map<Coord, ContactEvent> contacts = new LinkedHashMap<>();
        /** The decision id each contact point must carry if forwarded, as Outputs.decisionId derives it. */
        final Map<String, Coord> byDecisionId = new HashMap<>();
        final Set<String> registrationMatchKeys = new HashSet<>();
        long stateEvents;

        /** The number of users the test produces in all: end-of-traffic markers follow the batch that ends there. */
        final int lastUser;

        Produced(Topics topics, String policyVersion, int lastUser) {
            this.lastUser = lastUser;
            this.contactTopic = topics.contactPoints();
            this.registrationTopic = topics.registrations();
            this.policyVersion = policyVersion;
        }

        void addContact(int user, Event event, RecordMetadata metadata) {
            Coord coord = Coord.of(metadata);
            contacts.put(coord, new ContactEvent(user, event, coord));
            byDecisionId.put(decisionId(coord, policyVersion), coord);
        }
    }

    record ProduceTimes(long contactsStartNanos) {
    }

    /**
     * Produces users {@code [from, to)}: all their consent and registration events first (flushed), then all their
     * contact points.
     *
     * <p>Why this order: the firewall reads the three co-partitioned inputs timestamp-synchronized (one task per
     * partition, {@code max.task.idle.ms}) and keeps consent in a versioned store and registrations as a history by
     * event time, so each contact point is judged by the state in force at its own event time whatever order the
     * topics are read in. The decisions are meant to be exact, so this test checks outcomes, not arrival races:
     * having all state in the log before the first contact point only keeps the test independent of how Kafka
     * Streams interleaves fetches of partitions that are still being written to (a contact point whose consent has
     * not yet reached the broker at all is a different, real-time race the product does not claim to resolve).
     * A misrouted contact point here is therefore the firewall's fault, not the test's.
     */
    private static ProduceTimes produceUsers(KafkaProducer<String, byte[]> producer, ScenarioTraffic traffic,
                                             FirewallSerdes serdes, int from, int to, Produced produced)
            throws Exception {
        AtomicReference<Exception> sendError = new AtomicReference<>();
        List<Integer> contactUsers = new ArrayList<>();
        List<Event> contactEvents = new ArrayList<>();
        for (int i = from; i < to; i++) {
            for (Event event : traffic.user(i)) {
                if (event.expected() != null) {
                    contactUsers.add(i);
                    contactEvents.add(event);
                    continue;
                }
                if (event.topic().equals(produced.contactTopic)) {
                    throw new IllegalStateException("scenario event without an expectation on the contact topic");
                }
                producer.send(record(event), (metadata, error) -> {
                    if (error != null) {
                        sendError.compareAndSet(null, error);
                    }
                });
                produced.stateEvents++;
                if (event.topic().equals(produced.registrationTopic)) {
                    PurposeRegistration registration = serdes.registration().decode(event.value());
                    produced.registrationMatchKeys.addAll(allMatchKeys(registration.getIdentifierType(),
                            registration.getValue()));
                }
            }
        }
        producer.flush();
        if (sendError.get() != null) {
            throw new IllegalStateException("producing consent/registrations failed", sendError.get());
        }

        long contactsStart = System.nanoTime();
        List<Future<RecordMetadata>> sent = new ArrayList<>(contactEvents.size());
        for (Event event : contactEvents) {
            sent.add(producer.send(record(event)));
        }
        // Finite traffic: move consent and registrations past the last contact point so no task ends waiting
        // max.task.idle.ms for side inputs that will never come (live side inputs keep flowing). Only after the
        // last batch: a marker followed by older consent would put that partition's timestamps out of order.
        if (to == produced.lastUser) {
            for (Event marker : traffic.endOfTrafficMarkers(PARTITIONS, traffic.endTime(to))) {
                producer.send(record(marker));
            }
        }
        producer.flush();
        for (int k = 0; k < sent.size(); k++) {
            RecordMetadata metadata;
            try {
                metadata = sent.get(k).get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("producing contact point " + k + " failed", e.getCause());
            }
            produced.addContact(contactUsers.get(k), contactEvents.get(k), metadata);
        }
        return new ProduceTimes(contactsStart);
    }

    private static KafkaProducer<String, byte[]> producer() {
        return EndToEndSupport.producer(broker.bootstrapServers(), "it-scenario-producer-",
                Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024));
    }

    /** Reads the four output topics from the beginning with read_committed; reports progress every 15 s. */
    private static OutputCollector outputs(Topics topics, FirewallSerdes serdes) {
        return new OutputCollector(broker.bootstrapServers(), PARTITIONS, topics, serdes, "it-output-reader-",
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000), "FirewallEndToEndIT", Duration.ofSeconds(5));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Setup helpers
    // ------------------------------------------------------------------------------------------------------------

    private static FirewallConfig configFor(Topics topics, String applicationId, Path stateDir, String scope) {
        SchemaRegistryConfig registry = fileConfig.schemaRegistry().withUrl("mock://" + scope);
        FirewallConfig c = fileConfig.withBootstrapServers(broker.bootstrapServers())
                .withSchemaRegistry(registry)
                .withApplicationId(applicationId, stateDir);
        assertThat(c.processing().guarantee()).as("processing.guarantee in application.yaml")
                .isEqualTo(Guarantee.EXACTLY_ONCE_V2);
        // Diagnostics only: Kafka Streams records its task-level "enforced-processing" metric (a task processing
        // although a co-partitioned input is empty locally, i.e. possibly out of timestamp order) at DEBUG level.
        Map<String, String> streams = new HashMap<>(c.streams());
        streams.putIfAbsent("metrics.recording.level", "DEBUG");
        return rebuilt(c, topics, c.processing(), streams);
    }

    /** The seven topics, co-partitioned ({@value #PARTITIONS} partitions each); consent compacted. */
    private static void createTopics(Topics topics) {
        FirewallTopics.createAll(broker, topics, PARTITIONS);
    }

    /** The fewest users (a multiple of 20) whose contact points reach {@code minimum}. */
    private static int usersFor(ScenarioTraffic traffic, long minimum) {
        long perTwenty = total(traffic.expectedCounts(20));
        int users = (int) ((minimum + perTwenty - 1) / perTwenty) * 20;
        while (total(traffic.expectedCounts(users)) < minimum) {
            users += 20;
        }
        return users;
    }

    private static void awaitRunning(FirewallApp app) throws InterruptedException {
        EndToEndSupport.awaitRunning(app, RUNNING_DEADLINE);
    }

    private static <T> List<T> sample(Collection<T> items) {
        return items.stream().limit(20).toList();
    }
}
