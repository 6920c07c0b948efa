package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.purposefirewall.it.EndToEndSupport.awaitRunning;
import static org.purposefirewall.it.EndToEndSupport.loadApplicationConfig;
import static org.purposefirewall.it.EndToEndSupport.millisSince;
import static org.purposefirewall.it.EndToEndSupport.producer;
import static org.purposefirewall.it.EndToEndSupport.rebuilt;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Guarantee;
import org.purposefirewall.config.Processing;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.it.EndToEndSupport.Coord;
import org.purposefirewall.it.EndToEndSupport.Output;
import org.purposefirewall.it.EndToEndSupport.OutputCollector;
import org.purposefirewall.monitoring.MetricNames;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.RecallReason;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.schema.SuppressedRecord;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * The event-time guarantee (README, "Event time") checked after the fact on a real broker, under exactly-once, while
 * four busy threads starve the two cores: side records (security registrations, consent revocations) are produced
 * <em>after</em> the contact point they concern, some within the settle window, some seconds beyond it, some only
 * once the contact point has been seen forwarded.
 *
 * <p>Nothing is classified by what the producer meant. The input topics stamp records with the broker's
 * {@code LogAppendTime}, so each record's acknowledgement says when the broker appended it. The firewall cannot have
 * read a contact point before it was appended, so a side record appended at most {@code settle-ms} after its contact
 * point was appended was committed "before the firewall read the data record, or within settle-ms after": the
 * guarantee says it is applied first, and, its event time being at or before the contact point's, the contact point
 * is quarantined (registration) or suppressed (revocation), never forwarded. A side record appended later may come
 * after the decision: then the forward is recalled, exactly once, and counted in {@code late-side-records}.
 *
 * <p>The append time is a lower bound of when the record became visible (the broker stamps it, then advances the
 * high watermark), and the data record's read is after its own append, so the classification can only err by the
 * side record's stamp-to-visible gap (microseconds on one local broker): it takes the README's sentence literally.
 */
class LateSideRecordsUnderStarvationIT {

    private static final int PARTITIONS = 4;
    private static final int USERS = 3_000;
    /** Users whose contact points are sent together; then a pause, so the firewall is not simply backlogged. */
    private static final int BATCH = 60;
    private static final long BATCH_PAUSE_MS = 200;
    /**
     * The README's default window. Not widened for the starved machine: the guarantee is stated in broker append
     * times, which starvation does not bend; starvation only moves records from "in window" to "late" (the producer's
     * scheduler runs late), and the classification follows what actually happened.
     */
    private static final Duration SETTLE = Duration.ofMillis(200);
    private static final Duration OUTPUT_DEADLINE = Duration.ofMinutes(4);
    private static final Duration RECALL_DEADLINE = Duration.ofMinutes(3);
    private static final String TWO_FACTOR = "essential.service.security.authentication";
    private static final String LOG_APPEND_TIME = "LogAppendTime";

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    /** What user i's traffic is. */
    private enum Fate {
        /** Consent granted, nothing else: forwarded, never recalled. */
        FORWARDED,
        /** No consent state: suppressed {@code CONSENT_MISSING}. */
        NO_CONSENT,
        /** A security registration acknowledged before the contact point: quarantined. */
        REGISTERED_BEFORE,
        /** An e-mail address that does not normalize: dead-lettered. */
        BAD_INPUT,
        /** Consent granted; the contact point's identifier registered for 2FA after the contact point was sent. */
        LATE_REGISTRATION,
        /** Consent granted; a denial effective at or before the contact point, sent after the contact point. */
        LATE_REVOCATION
    }

    /** When a late fate's side record is sent, relative to its contact point. */
    private enum Delay {
        NONE,
        /** 0 to settle-ms after the contact point was sent (not acknowledged). */
        WITHIN_SETTLE,
        /** settle-ms + 1 to 3 s after the contact point was sent. */
        BEYOND_SETTLE,
        /** Only once the contact point was read forwarded on the ad topic: late by construction. */
        AFTER_FORWARD
    }

    private static Fate fate(int i) {
        return switch (i % 10) {
            case 0, 1 -> Fate.FORWARDED;
            case 2 -> Fate.NO_CONSENT;
            case 3 -> Fate.REGISTERED_BEFORE;
            case 4 -> Fate.BAD_INPUT;
            case 5, 6, 7 -> Fate.LATE_REGISTRATION;
            default -> Fate.LATE_REVOCATION;
        };
    }

    private static Delay delay(int i) {
        if (fate(i) != Fate.LATE_REGISTRATION && fate(i) != Fate.LATE_REVOCATION) {
            return Delay.NONE;
        }
        int k = (i / 10) % 10;
        return k < 5 ? Delay.WITHIN_SETTLE : k < 8 ? Delay.BEYOND_SETTLE : Delay.AFTER_FORWARD;
    }

    /** One user's plan and what the broker said about its records. */
    private static final class User {
        final int index;
        final String id;
        final Fate fate;
        final Delay delay;
        final IdentifierType type;
        final String value;
        final long grantTime;
        final long contactTime;
        /** The side record's event time: at or before the contact point's, after the grant. */
        final long sideTime;
        final long sendDelayMs;
        volatile RecordMetadata contactAck;
        volatile RecordMetadata sideAck;
        volatile Exception error;

        User(int i, long t0, long settleMs) {
            Random random = new Random(i);
            index = i;
            id = "late-user-" + i;
            fate = fate(i);
            delay = delay(i);
            type = fate == Fate.BAD_INPUT ? IdentifierType.EMAIL
                    : (i / 100) % 2 == 0 ? IdentifierType.PHONE : IdentifierType.EMAIL;
            value = fate == Fate.BAD_INPUT ? "not an address " + i
                    : type == IdentifierType.PHONE ? String.format("+44 7700 9%05d", i) : "late." + i + "@mail.example";
            grantTime = t0 + i * 10L;
            contactTime = grantTime + 100;
            sideTime = contactTime - (i % 3 == 0 ? 0 : 1 + random.nextInt(50));
            sendDelayMs = switch (delay) {
                case WITHIN_SETTLE -> random.nextInt((int) settleMs + 1);
                case BEYOND_SETTLE -> settleMs + 1_000 + random.nextInt(2_001);
                default -> 0;
            };
        }

        boolean late() {
            return fate == Fate.LATE_REGISTRATION || fate == Fate.LATE_REVOCATION;
        }

        /** Broker append time of the side record minus that of the contact point. */
        long appendGapMs() {
            return sideAck.timestamp() - contactAck.timestamp();
        }

        /** The guarantee's case: the side record committed before the contact point was read, or within settle-ms. */
        boolean inWindow(long settleMs) {
            return appendGapMs() <= settleMs;
        }

        Expected blocked() {
            return fate == Fate.LATE_REGISTRATION || fate == Fate.REGISTERED_BEFORE ? Expected.QUARANTINE
                    : Expected.SUPPRESS;
        }

        RecallReason recallReason() {
            return fate == Fate.LATE_REGISTRATION ? RecallReason.REGISTERED_FOR_RESTRICTED_PURPOSE
                    : RecallReason.CONSENT_REVOKED;
        }

        String describe() {
            return id + " " + fate + "/" + delay + " contact " + (contactAck == null ? "?" : Coord.of(contactAck))
                    + " side " + (sideAck == null ? "?" : Coord.of(sideAck))
                    + (contactAck != null && sideAck != null ? " append gap " + appendGapMs() + " ms" : "")
                    + " event times contact " + contactTime + " side " + sideTime;
        }
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void shouldApplyEverySideRecordWithinTheSettleWindowAndRecallLateOnesExactlyOnceWhenTheMachineIsStarved(
            @TempDir Path stateDir) throws Exception {
        // Given: four busy threads on the two cores for the whole run, as ForeignPartitionersIT's starved test has
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String scope = "late-it-" + unique;
        try (BusyCores starving = BusyCores.start(4)) {
            run(stateDir, unique, scope);
        } finally {
            MockSchemaRegistryClient.dropScope(scope);
        }
    }

    private void run(Path stateDir, String unique, String scope) throws Exception {
        // Given: the inputs stamped with the broker's append time, the outputs as usual, the firewall exactly-once
        FirewallConfig file = loadApplicationConfig();
        Topics topics = EndToEndSupport.prefixed(file.topics(), "late-" + unique + ".");
        createTopics(topics);
        SchemaRegistryConfig registry = file.schemaRegistry().withUrl("mock://" + scope);
        FirewallConfig base = file.withBootstrapServers(BROKER.get().bootstrapServers()).withSchemaRegistry(registry)
                .withApplicationId("it-late-" + unique, stateDir);
        Processing processing = base.processing().toBuilder().settle(SETTLE).build();
        FirewallConfig config = rebuilt(base, topics, processing, base.streams());
        assertThat(config.processing().guarantee()).as("processing guarantee").isEqualTo(Guarantee.EXACTLY_ONCE_V2);
        long settleMs = config.processing().settle().toMillis();
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        long wallStart = System.currentTimeMillis();
        long t0 = wallStart - 3_600_000L;
        List<User> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            users.add(new User(i, t0, settleMs));
        }

        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        try (FirewallApp app = new FirewallApp(config, serdes);
             KafkaProducer<String, byte[]> sideProducer = producer(BROKER.get().bootstrapServers(), "late-side-",
                     Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
             KafkaProducer<String, byte[]> dataProducer = producer(BROKER.get().bootstrapServers(), "late-data-",
                     Map.of());
             OutputCollector outputs = new OutputCollector(BROKER.get().bootstrapServers(), PARTITIONS, topics, serdes,
                     "late-outputs-", Map.of(), "LateSideRecordsUnderStarvationIT", null)) {
            long started = System.nanoTime();
            app.start();
            awaitRunning(app, Duration.ofSeconds(120));

            // Given: consent granted (all but the NO_CONSENT users) and the early registrations, acknowledged before
            // any contact point is sent
            List<java.util.concurrent.Future<RecordMetadata>> early = new ArrayList<>();
            for (User u : users) {
                if (u.fate != Fate.NO_CONSENT) {
                    early.add(sideProducer.send(new ProducerRecord<>(topics.consent(), null, u.grantTime, u.id,
                            serdes.consentState().encode(topics.consent(), consent(u.id, u.grantTime, true)))));
                }
                if (u.fate == Fate.REGISTERED_BEFORE) {
                    early.add(sideProducer.send(new ProducerRecord<>(topics.registrations(), null, u.contactTime - 50,
                            u.id, serdes.registration().encode(topics.registrations(),
                                    registration(u.id, u.type, u.value, u.contactTime - 50)))));
                }
            }
            sideProducer.flush();
            for (var f : early) {
                assertLogAppendTime(f.get(), wallStart);
            }

            // When: the contact points, in paced batches; each late fate's side record is scheduled after its
            // contact point was sent (within the settle window, or seconds beyond it), or kept for later
            for (int from = 0; from < USERS; from += BATCH) {
                for (int i = from; i < Math.min(USERS, from + BATCH); i++) {
                    User u = users.get(i);
                    dataProducer.send(new ProducerRecord<>(topics.contactPoints(), null, u.contactTime, u.id,
                                    serdes.contactPoint().encode(topics.contactPoints(),
                                            contact(u.id, u.type, u.value, u.contactTime))),
                            (meta, e) -> {
                                if (e != null) {
                                    u.error = e;
                                } else {
                                    u.contactAck = meta;
                                }
                            });
                    if (u.delay == Delay.WITHIN_SETTLE || u.delay == Delay.BEYOND_SETTLE) {
                        scheduler.schedule(() -> sendSide(sideProducer, topics, serdes, u), u.sendDelayMs,
                                TimeUnit.MILLISECONDS);
                    }
                }
                Thread.sleep(BATCH_PAUSE_MS);
            }
            dataProducer.flush();
            scheduler.shutdown();
            assertThat(scheduler.awaitTermination(2, TimeUnit.MINUTES)).as("side records scheduled, sent").isTrue();
            sideProducer.flush();
            System.out.printf("[LateSideRecordsUnderStarvationIT] %d contact points sent after %d ms%n", USERS,
                    millisSince(started));

            // Then (first): every contact point ends in exactly one output
            outputs.pollUntilAtLeast(USERS, OUTPUT_DEADLINE);

            // When: the AFTER_FORWARD users' side records, now that their contact points were read forwarded
            Map<Coord, User> byCoord = new HashMap<>();
            Map<String, Coord> byDecisionId = new HashMap<>();
            for (User u : users) {
                assertThat(u.error).as("produce error for %s", u.id).isNull();
                assertThat(u.contactAck).as("contact point of %s acknowledged", u.id).isNotNull();
                assertLogAppendTime(u.contactAck, wallStart);
                Coord coord = Coord.of(u.contactAck);
                byCoord.put(coord, u);
                byDecisionId.put(EndToEndSupport.decisionId(coord, config.policy().version()), coord);
            }
            Map<Coord, List<Output>> outcomes = outcomes(outputs, byDecisionId);
            List<String> notForwardedYet = new ArrayList<>();
            for (User u : users) {
                if (u.delay == Delay.AFTER_FORWARD) {
                    List<Output> got = outcomes.getOrDefault(Coord.of(u.contactAck), List.of());
                    if (got.size() != 1 || got.get(0).kind() != Expected.FORWARD) {
                        notForwardedYet.add(u.describe() + ": " + kinds(got));
                    } else {
                        sendSide(sideProducer, topics, serdes, u);
                    }
                }
            }
            sideProducer.flush();
            assertThat(notForwardedYet).as("contact points with consent and no side record yet, not forwarded")
                    .isEmpty();
            for (User u : users) {
                if (u.late()) {
                    assertThat(u.error).as("produce error for %s", u.id).isNull();
                    assertThat(u.sideAck).as("side record of %s acknowledged", u.id).isNotNull();
                    assertLogAppendTime(u.sideAck, wallStart);
                }
            }

            // Then: classified by append times, not by intent
            Map<String, User> expectedRecalls = new HashMap<>();
            List<String> violations = new ArrayList<>();
            List<String> wrong = new ArrayList<>();
            Map<Delay, int[]> perDelay = new EnumMap<>(Delay.class); // in window, late, late and forwarded
            List<Long> withinGaps = new ArrayList<>();
            Set<String> securityKeysOfBlocked = new HashSet<>();
            for (User u : users) {
                List<Output> got = outcomes.getOrDefault(Coord.of(u.contactAck), List.of());
                if (got.size() != 1) {
                    wrong.add(u.describe() + ": " + kinds(got));
                    continue;
                }
                Output out = got.get(0);
                if (!u.late()) {
                    Expected want = switch (u.fate) {
                        case FORWARDED -> Expected.FORWARD;
                        case NO_CONSENT -> Expected.SUPPRESS;
                        case REGISTERED_BEFORE -> Expected.QUARANTINE;
                        default -> Expected.DEAD_LETTER;
                    };
                    if (out.kind() != want) {
                        wrong.add(u.describe() + ": expected " + want + ", got " + out.kind());
                    }
                    if (u.fate == Fate.REGISTERED_BEFORE) {
                        securityKeysOfBlocked.addAll(keysOf(u));
                    }
                    continue;
                }
                int[] counts = perDelay.computeIfAbsent(u.delay, d -> new int[3]);
                if (u.delay == Delay.WITHIN_SETTLE) {
                    withinGaps.add(u.appendGapMs());
                }
                if (u.inWindow(settleMs)) {
                    counts[0]++;
                    if (u.fate == Fate.LATE_REGISTRATION) {
                        securityKeysOfBlocked.addAll(keysOf(u));
                    }
                    if (out.kind() != u.blocked() || !blockedFor(u, out)) {
                        violations.add(u.describe() + ": expected " + u.blocked() + " (" + reasonFor(u) + "), got "
                                + out.kind() + " " + reasonOf(out));
                    }
                } else {
                    counts[1]++;
                    if (out.kind() == Expected.FORWARD) {
                        counts[2]++;
                        AudienceIdentifier a = (AudienceIdentifier) out.value();
                        expectedRecalls.put(a.getUserId() + " " + a.getIdentifierHash(), u);
                    } else if (out.kind() != u.blocked() || !blockedFor(u, out)) {
                        wrong.add(u.describe() + ": expected FORWARD or " + u.blocked() + " (" + reasonFor(u)
                                + "), got " + out.kind() + " " + reasonOf(out));
                    }
                    if (u.delay == Delay.AFTER_FORWARD && out.kind() != Expected.FORWARD) {
                        wrong.add(u.describe() + ": read forwarded before its side record was sent, now "
                                + out.kind());
                    }
                }
            }
            List<String> leaked = new ArrayList<>();
            for (Output out : outputs.of(Expected.FORWARD)) {
                AudienceIdentifier a = (AudienceIdentifier) out.value();
                if (securityKeysOfBlocked.contains(a.getUserId() + " " + a.getIdentifierHash().toLowerCase())) {
                    leaked.add(a.getUserId() + " " + a.getDecisionId());
                }
            }

            // Then: each forward of a late side record's contact point recalled exactly once, by that side record
            Map<String, List<AudienceRecall>> recalls = readRecalls(serdes, topics.recalls(), expectedRecalls.size());
            List<String> recallProblems = new ArrayList<>();
            int recallRecords = 0;
            for (Map.Entry<String, List<AudienceRecall>> e : recalls.entrySet()) {
                recallRecords += e.getValue().size();
                User u = expectedRecalls.get(e.getKey());
                if (u == null) {
                    recallProblems.add("unexpected recall of " + e.getKey() + ": " + e.getValue());
                } else if (e.getValue().size() != 1) {
                    recallProblems.add(e.getValue().size() + " recalls of " + u.describe());
                } else {
                    AudienceRecall r = e.getValue().get(0);
                    if (r.getReason() != u.recallReason() || !Coord.of(r.getSource()).equals(Coord.of(u.sideAck))) {
                        recallProblems.add(u.describe() + ": recalled for " + r.getReason() + " by "
                                + Coord.of(r.getSource()) + ", expected " + u.recallReason() + " by "
                                + Coord.of(u.sideAck));
                    }
                }
            }
            for (Map.Entry<String, User> e : expectedRecalls.entrySet()) {
                if (!recalls.containsKey(e.getKey())) {
                    recallProblems.add("forwarded, never recalled: " + e.getValue().describe());
                }
            }
            outputs.drain(Duration.ofSeconds(2));
            double lateMetric = metricTotal(app, MetricNames.LATE_SIDE_RECORDS);
            double recalledMetric = metricTotal(app, MetricNames.RECALLED);

            withinGaps.sort(null);
            int inWindow = perDelay.values().stream().mapToInt(c -> c[0]).sum();
            int late = perDelay.values().stream().mapToInt(c -> c[1]).sum();
            Map<Delay, String> table = new TreeMap<>();
            perDelay.forEach((d, c) -> table.put(d, "in-window " + c[0] + ", late " + c[1] + ", forwarded " + c[2]));
            System.out.printf("[LateSideRecordsUnderStarvationIT] after %d ms: outputs %s; side records in window %d, "
                            + "late %d, forwarded then recalled %d (recall records %d); late-side-records %.0f, "
                            + "identifiers-recalled %.0f; per delay %s; WITHIN_SETTLE append gaps min %d, median %d, "
                            + "max %d ms%n",
                    millisSince(started), outputs.counts(), inWindow, late, expectedRecalls.size(), recallRecords,
                    lateMetric, recalledMetric, table, withinGaps.get(0), withinGaps.get(withinGaps.size() / 2),
                    withinGaps.get(withinGaps.size() - 1));

            assertThat(violations).as("side records committed within settle-ms of their contact point's append, "
                    + "not applied before it was decided").isEmpty();
            assertThat(leaked).as("security identifiers of in-window and early registrations on the ad topic")
                    .isEmpty();
            assertThat(wrong).as("contact points without exactly one output, or not the one they must have").isEmpty();
            assertThat(outputs.total()).as("outputs in all: one per contact point, none extra").isEqualTo(USERS);
            assertThat(inWindow).as("side records within the settle window (the guarantee's case)").isPositive();
            assertThat(expectedRecalls).as("late side records whose contact point had been forwarded").isNotEmpty();
            assertThat(recallProblems).as("recalls: exactly one per forward of a late side record's contact point, "
                    + "by that side record, nothing else").isEmpty();
            assertThat(lateMetric).as("late-side-records").isGreaterThanOrEqualTo(1.0)
                    .isLessThanOrEqualTo(recallRecords);
            // Here each late side record recalls one forward, made for its contact point's event time, at or after
            // the side record's own: each is one late side record in the README's sense.
            assertThat(lateMetric).as("late-side-records: one per side record that recalled a forward")
                    .isEqualTo((double) expectedRecalls.size());
            assertThat(app.failed()).isFalse();
            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
        } finally {
            scheduler.shutdownNow();
        }
    }

    private static void createTopics(Topics topics) {
        Map<String, String> appendTime = Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, LOG_APPEND_TIME);
        Map<String, Integer> inputs = new LinkedHashMap<>();
        inputs.put(topics.contactPoints(), PARTITIONS);
        inputs.put(topics.registrations(), PARTITIONS);
        BROKER.get().createTopics(inputs, appendTime);
        BROKER.get().createTopic(topics.consent(), PARTITIONS, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, LOG_APPEND_TIME));
        Map<String, Integer> outputs = new LinkedHashMap<>();
        for (String topic : List.of(topics.audience(), topics.quarantine(), topics.suppressed(), topics.deadLetter(),
                topics.recalls())) {
            outputs.put(topic, PARTITIONS);
        }
        BROKER.get().createTopics(outputs, Map.of());
    }

    /** The records were sent with their event time (an hour ago) as CreateTime: the broker's stamp is now. */
    private static void assertLogAppendTime(RecordMetadata meta, long wallStart) {
        assertThat(meta.timestamp()).as("broker append time of %s (LogAppendTime)", Coord.of(meta))
                .isGreaterThanOrEqualTo(wallStart - 1_000);
    }

    private static void sendSide(KafkaProducer<String, byte[]> producer, Topics topics, FirewallSerdes serdes,
                                 User u) {
        ProducerRecord<String, byte[]> record = u.fate == Fate.LATE_REGISTRATION
                ? new ProducerRecord<>(topics.registrations(), null, u.sideTime, u.id, serdes.registration().encode(
                        topics.registrations(), registration(u.id, u.type, u.value, u.sideTime)))
                : new ProducerRecord<>(topics.consent(), null, u.sideTime, u.id, serdes.consentState().encode(
                        topics.consent(), consent(u.id, u.sideTime, false)));
        producer.send(record, (meta, e) -> {
            if (e != null) {
                u.error = e;
            } else {
                u.sideAck = meta;
            }
        });
    }

    private static Map<Coord, List<Output>> outcomes(OutputCollector outputs, Map<String, Coord> byDecisionId) {
        Map<Coord, List<Output>> outcomes = new HashMap<>();
        for (Output out : outputs.all()) {
            Coord coord = out.kind() == Expected.FORWARD
                    ? byDecisionId.get(((AudienceIdentifier) out.value()).getDecisionId())
                    : out.source();
            if (coord == null) {
                fail("an output no contact point explains: %s %s", out.kind(), out.value());
            }
            outcomes.computeIfAbsent(coord, k -> new ArrayList<>()).add(out);
        }
        return outcomes;
    }

    private static List<Expected> kinds(List<Output> outs) {
        return outs.stream().map(Output::kind).toList();
    }

    private static String reasonFor(User u) {
        return u.blocked() == Expected.QUARANTINE ? "REGISTERED_FOR_RESTRICTED_PURPOSE" : "CONSENT_DENIED";
    }

    private static String reasonOf(Output out) {
        return switch (out.kind()) {
            case QUARANTINE -> ((QuarantineRecord) out.value()).getReason();
            case SUPPRESS -> ((SuppressedRecord) out.value()).getReason();
            default -> "";
        };
    }

    private static boolean blockedFor(User u, Output out) {
        return reasonFor(u).equals(reasonOf(out));
    }

    /** "user digest" for every form and spelling of the user's identifier. */
    private static Collection<String> keysOf(User u) {
        List<String> keys = new ArrayList<>();
        for (String hex : EndToEndSupport.allMatchKeys(u.type, u.value)) {
            keys.add(u.id + " " + hex.toLowerCase());
        }
        return keys;
    }

    /** Reads the recalls topic from the beginning until {@code count} records, then 3 s more; by "user digest". */
    private static Map<String, List<AudienceRecall>> readRecalls(FirewallSerdes serdes, String topic, int count) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.get().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, List<AudienceRecall>> recalls = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            int read = 0;
            long end = System.nanoTime() + RECALL_DEADLINE.toNanos();
            long extra = Long.MAX_VALUE;
            while (System.nanoTime() - end < 0 && System.nanoTime() - extra < 0) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    AudienceRecall recall = serdes.recall().decode(record.value());
                    recalls.computeIfAbsent(recall.getUserId() + " " + recall.getIdentifierHash(),
                            k -> new ArrayList<>()).add(recall);
                    read++;
                }
                if (read >= count && extra == Long.MAX_VALUE) {
                    extra = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                }
            }
        }
        return recalls;
    }

    private static double metricTotal(FirewallApp app, String operation) {
        double sum = 0;
        for (var e : app.streams().metrics().entrySet()) {
            if (e.getKey().group().equals(MetricNames.GROUP)
                    && e.getKey().name().equals(MetricNames.total(operation))) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }

    private static ConsentState consent(String user, long time, boolean granted) {
        return ConsentState.newBuilder().setUserId(user)
                .setPurposes(List.of(new PurposeConsent("marketing.advertising",
                        granted ? ConsentStatus.GRANTED : ConsentStatus.DENIED)))
                .setOptOutOfTargetedAdvertising(false).setOptOutOfSale(false).setGlobalPrivacyControl(false)
                .setSource("it-cmp").setEffectiveTime(Instant.ofEpochMilli(time)).build();
    }

    private static ContactPoint contact(String user, IdentifierType type, String value, long time) {
        return ContactPoint.newBuilder().setUserId(user).setIdentifierType(type).setValue(value)
                .setDeclaredPurposes(List.of()).setSourceSystem("ads-sync").setEventTime(Instant.ofEpochMilli(time))
                .setAttributes(Map.of()).build();
    }

    private static PurposeRegistration registration(String user, IdentifierType type, String value, long time) {
        return PurposeRegistration.newBuilder().setUserId(user).setIdentifierType(type).setValue(value)
                .setPurpose(TWO_FACTOR).setAction(RegistrationAction.REGISTERED).setSourceSystem("two-factor-auth")
                .setEventTime(Instant.ofEpochMilli(time)).build();
    }
}
