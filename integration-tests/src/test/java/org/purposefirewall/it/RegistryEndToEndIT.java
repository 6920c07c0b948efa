package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;
import static org.purposefirewall.it.EndToEndSupport.allMatchKeys;
import static org.purposefirewall.it.EndToEndSupport.bytes;
import static org.purposefirewall.it.EndToEndSupport.decisionId;
import static org.purposefirewall.it.EndToEndSupport.loadApplicationConfig;
import static org.purposefirewall.it.EndToEndSupport.matchKey;
import static org.purposefirewall.it.EndToEndSupport.millisSince;
import static org.purposefirewall.it.EndToEndSupport.rebuilt;
import static org.purposefirewall.it.EndToEndSupport.record;
import static org.purposefirewall.it.EndToEndSupport.total;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import org.purposefirewall.config.Processing;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.fixtures.ScenarioTraffic.Event;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.it.EndToEndSupport.Coord;
import org.purposefirewall.it.EndToEndSupport.Output;
import org.purposefirewall.it.EndToEndSupport.OutputCollector;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.kafkalocal.LocalSchemaRegistry;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SuppressedRecord;
import org.purposefirewall.serde.FirewallSerdes;
import org.purposefirewall.serde.WireFormat;

/**
 * The firewall end to end against a <em>real</em> schema registry (Apicurio Registry 2.4.2 through its
 * Confluent-compatible API, {@link LocalSchemaRegistry} with persistent storage) and a real KRaft broker: output
 * subjects registered at startup, inputs in the wire format with registry ids, an id the registry does not know,
 * a producer evolving its schema without a firewall restart, a registry outage (including one longer than the
 * outage budget, which replaces the stream thread) and an output schema the registry refuses at startup.
 *
 * <p>One broker and one registry serve the class; each test has its own topics (prefixed, so also its own
 * subjects), application id and state directory. Outputs are read with read_committed.
 */
class RegistryEndToEndIT {

    private static final int PARTITIONS = 3;
    private static final Duration OUTPUT_DEADLINE = Duration.ofMinutes(4);
    private static final Duration QUIET_PERIOD = Duration.ofSeconds(3);
    private static final Duration RUNNING_DEADLINE = Duration.ofSeconds(120);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static LocalKafkaBroker broker;
    private static LocalSchemaRegistry registry;
    private static FirewallConfig fileConfig;

    @BeforeAll
    static void start() {
        fileConfig = loadApplicationConfig();
        long t = System.nanoTime();
        broker = LocalKafkaBroker.start();
        log("broker %s up in %d ms", broker.bootstrapServers(), millisSince(t));
        t = System.nanoTime();
        registry = LocalSchemaRegistry.start(LocalSchemaRegistry.locateJar(), LocalSchemaRegistry.Options.defaults()
                .withStorage(LocalSchemaRegistry.Storage.PERSISTENT));
        log("registry %s (persistent) up in %d ms", registry.confluentUrl(), millisSince(t));
    }

    @AfterAll
    static void stop() {
        try {
            if (registry != null) {
                registry.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // (a) startup registers the output subjects; scenario traffic in the wire format flows
    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void startupRegistersTheOutputSubjectsAndScenarioTrafficIsDecidedExactly(@TempDir Path stateDir)
            throws Exception {
        Fixture f = fixture("a", stateDir, null);
        Topics topics = f.topics();
        Produced produced = f.produced();
        List<String> outputSubjects = List.of(topics.audience() + "-value", topics.quarantine() + "-value",
                topics.suppressed() + "-value", topics.deadLetter() + "-value");
        assertThat(subjects()).doesNotContainAnyElementsOf(outputSubjects);

        int users = 2_000;
        Map<Expected, Long> expected = f.traffic().expectedCounts(users);

        try (FirewallApp app = new FirewallApp(f.config(),
                FirewallSerdes.fromSettings(f.config().schemaRegistry()));
             KafkaProducer<String, byte[]> producer = producer();
             OutputCollector outputs = f.outputs()) {
            long t = System.nanoTime();
            app.start();
            // start() registers the output schemas before it returns.
            assertThat(subjects()).containsAll(outputSubjects);
            awaitRunning(app);
            log("(a) app RUNNING after %d ms", millisSince(t));

            produceScenario(producer, f.traffic(), f.serdes(), 0, users, produced, true);
            assertThat((long) produced.contacts.size()).isEqualTo(total(expected));

            // The inputs are real wire-format records: their ids resolve in the registry to the ContactPoint schema.
            Set<Integer> inputIds = new HashSet<>();
            for (Sent sent : produced.contacts.values()) {
                if (sent.expected() != Expected.DEAD_LETTER) {
                    inputIds.add(WireFormat.schemaId(sent.value()));
                }
            }
            assertThat(inputIds).hasSize(1);
            int contactId = inputIds.iterator().next();
            assertThat(schemaByIdOverHttp(contactId)).isEqualTo(ContactPoint.getClassSchema());

            outputs.pollUntilAtLeast(produced.contacts.size(), OUTPUT_DEADLINE);
            outputs.drain(QUIET_PERIOD);
            log("(a) %d users, %d contact points decided in %d ms: %s", users, produced.contacts.size(),
                    millisSince(t), outputs.counts());

            assertThat(outputs.countsAsLongs()).as("records per output").isEqualTo(expected);
            verifyEachContactPointInExactlyOneExpectedOutput(produced, outputs);
            // The scenario's unknown-id malformed records were answered 40403 by the real registry.
            assertThat(outputs.deadLetterReasons()).containsKeys("UNKNOWN_SCHEMA_ID", "NOT_WIRE_FORMAT");
            // Outputs are written under the ids registered at startup.
            assertThat(WireFormat.schemaId(outputs.of(Expected.FORWARD).get(0).raw()))
                    .isEqualTo(f.serdes().audience().schemaIdFor(topics.audience()));
            assertThat(app.failed()).isFalse();
            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // (b) an id the registry answers as unknown is dead-lettered; the app keeps running
    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aSchemaIdTheRegistryDoesNotKnowIsDeadLetteredAndTheAppKeepsRunning(@TempDir Path stateDir)
            throws Exception {
        Fixture f = fixture("b", stateDir, null);
        Topics topics = f.topics();
        Produced produced = f.produced();
        int unknownId = 999_999;
        assertThat(httpGet(registry.confluentUrl() + "/schemas/ids/" + unknownId).statusCode()).isEqualTo(404);

        FirewallSerdes appSerdes = FirewallSerdes.fromSettings(f.config().schemaRegistry());
        try (FirewallApp app = new FirewallApp(f.config(), appSerdes);
             KafkaProducer<String, byte[]> producer = producer();
             OutputCollector outputs = f.outputs()) {
            app.start();
            awaitRunning(app);
            // A valid body behind an id no schema has.
            byte[] valid = f.serdes().contactPoint().encode(topics.contactPoints(), ContactPoint.newBuilder()
                    .setUserId("user-b").setIdentifierType(IdentifierType.EMAIL).setValue("b@example.com")
                    .setSourceSystem("it").setEventTime(Instant.now()).build());
            byte[] unknown = WireFormat.frame(unknownId, Arrays.copyOfRange(valid, 5, valid.length),
                    valid.length - 5);
            Sent bad = new Sent(-1, "user-b", unknown, Expected.DEAD_LETTER, "unknown-id");
            produced.add(bad, producer.send(new ProducerRecord<>(topics.contactPoints(), "user-b", unknown)).get());
            // Then ordinary traffic: it must still be decided after the dead letter.
            produceScenario(producer, f.traffic(), f.serdes(), 0, 40, produced, false);

            outputs.pollUntilAtLeast(produced.contacts.size(), OUTPUT_DEADLINE);
            outputs.drain(QUIET_PERIOD);

            verifyEachContactPointInExactlyOneExpectedOutput(produced, outputs);
            List<Output> deadLetters = outputs.of(Expected.DEAD_LETTER);
            assertThat(deadLetters).hasSize(1);
            DeadLetterRecord dead = (DeadLetterRecord) deadLetters.get(0).value();
            assertThat(dead.getReason()).isEqualTo("UNKNOWN_SCHEMA_ID");
            assertThat(dead.getDetail()).contains(String.valueOf(unknownId));
            assertThat(bytes(dead.getOriginalValue())).isEqualTo(unknown);
            assertThat(bytes(dead.getOriginalKey())).isEqualTo("user-b".getBytes(StandardCharsets.UTF_8));
            assertThat(dead.getSource().getTopic()).isEqualTo(topics.contactPoints());

            assertThat(app.failed()).isFalse();
            awaitRunning(app);
            // An answered 40403 is bad input, not an outage.
            assertThat(appSerdes.health().isAvailable()).isTrue();
            assertThat(appSerdes.health().getUnavailableTotal()).isZero();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // (c) a producer moves to a new schema version; no firewall restart
    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aNewWriterSchemaVersionIsDecidedWithoutARestart(@TempDir Path stateDir) throws Exception {
        Fixture f = fixture("c", stateDir, null);
        Topics topics = f.topics();
        Produced produced = f.produced();
        int users = 200;

        FirewallSerdes appSerdes = FirewallSerdes.fromSettings(f.config().schemaRegistry());
        try (FirewallApp app = new FirewallApp(f.config(), appSerdes);
             KafkaProducer<String, byte[]> producer = producer();
             OutputCollector outputs = f.outputs()) {
            app.start();
            awaitRunning(app);
            ContactWaves waves = f.waves(users);
            waves.produceState(producer, produced);
            waves.produce(producer, produced, "v1-first", 60_000, v1Encoder(f.serdes(), topics));
            outputs.pollUntilAtLeast(produced.contacts.size(), OUTPUT_DEADLINE);

            String subject = topics.contactPoints() + "-value";
            int v1Id = f.serdes().contactPoint().schemaIdFor(topics.contactPoints());
            Schema v2 = evolvedContactPoint("channel");
            int v2Id = f.serdes().registry().register(subject, v2);
            assertThat(v2Id).isNotEqualTo(v1Id);
            assertThat(f.serdes().registry().latest(subject).version()).isEqualTo(2);

            // v2 and v1 records of the same users, interleaved.
            for (int round = 0; round < 2; round++) {
                waves.produce(producer, produced, "v2-" + round, 120_000 + round * 60_000,
                        genericEncoder(v2, v2Id, Map.of("channel", "push")));
                waves.produce(producer, produced, "v1-" + round, 150_000 + round * 60_000,
                        v1Encoder(f.serdes(), topics));
            }
            outputs.pollUntilAtLeast(produced.contacts.size(), OUTPUT_DEADLINE);
            outputs.drain(QUIET_PERIOD);

            verifyEachContactPointInExactlyOneExpectedOutput(produced, outputs);
            verifyAudienceIsMinimizedFormOfItsInput(produced, outputs);
            long v2Forwarded = produced.contacts.entrySet().stream()
                    .filter(e -> e.getValue().label().startsWith("v2") && e.getValue().expected() == Expected.FORWARD)
                    .count();
            assertThat(v2Forwarded).isGreaterThan(50);
            Set<Integer> idsForwarded = new HashSet<>();
            for (Output out : outputs.of(Expected.FORWARD)) {
                Coord input = produced.byDecisionId.get(((AudienceIdentifier) out.value()).getDecisionId());
                idsForwarded.add(WireFormat.schemaId(produced.contacts.get(input).value()));
            }
            assertThat(idsForwarded).as("schema ids of forwarded inputs").containsExactlyInAnyOrder(v1Id, v2Id);
            assertThat(outputs.of(Expected.DEAD_LETTER)).isEmpty();
            assertThat(app.failed()).isFalse();
            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(appSerdes.health().getUnavailableTotal()).isZero();
            log("(c) decided %d contact points (v1 id %d, v2 id %d): %s", produced.contacts.size(), v1Id, v2Id,
                    outputs.counts());
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // (d) a registry outage longer than the outage budget
    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aRegistryOutageLosesNothingDeadLettersNothingAndLeaksNothing(@TempDir Path stateDir) throws Exception {
        long maxBlockMs = 5_000;
        Fixture f = fixture("d", stateDir, maxBlockMs);
        Topics topics = f.topics();
        Produced produced = f.produced();
        assertThat(f.config().processing().registryOutageMaxBlock()).isEqualTo(java.time.Duration.ofMillis(maxBlockMs));
        int users = 200;

        FirewallSerdes appSerdes = FirewallSerdes.fromSettings(f.config().schemaRegistry());
        RegistryHealth health = appSerdes.health();
        try (FirewallApp app = new FirewallApp(f.config(), appSerdes);
             KafkaProducer<String, byte[]> producer = producer();
             OutputCollector outputs = f.outputs();
             StateTimeline timeline = new StateTimeline(app, health)) {
            app.start();
            timeline.start();
            awaitRunning(app);
            ContactWaves waves = f.waves(users);
            waves.produceState(producer, produced);
            waves.produce(producer, produced, "v1-before", 60_000, v1Encoder(f.serdes(), topics));
            outputs.pollUntilAtLeast(produced.contacts.size(), OUTPUT_DEADLINE);
            log("(d) before the outage: %s", outputs.counts());

            // A new writer version the firewall has not seen, registered while the registry is up.
            String subject = topics.contactPoints() + "-value";
            Schema v3 = evolvedContactPoint("channel", "region");
            int v3Id = f.serdes().registry().register(subject, v3);
            // The reading side of this test must not need the registry during the outage either.
            warm(f.serdes(), topics);
            assertThat(health.isAvailable()).isTrue();
            assertThat(health.getUnavailableTotal()).isZero();

            long outageStart = System.nanoTime();
            timeline.mark("registry stopping");
            registry.stop();
            timeline.mark("registry stopped");
            assertThat(registry.isRunning()).isFalse();
            log("(d) registry stopped");

            // v1 records (id cached by the firewall) are decided while the registry is down.
            int before = produced.contacts.size();
            waves.produce(producer, produced, "v1-down", 120_000, v1Encoder(f.serdes(), topics));
            outputs.pollUntilAtLeast(produced.contacts.size(), OUTPUT_DEADLINE);
            assertThat(registry.isRunning()).as("still down while the v1 records were decided").isFalse();
            log("(d) %d v1 records decided during the outage after %d ms", produced.contacts.size() - before,
                    millisSince(outageStart));
            verifyEachContactPointInExactlyOneExpectedOutput(produced, outputs);

            // Records with the unseen v3 id, then more v1 records behind them.
            List<Sent> v3Records = waves.produce(producer, produced, "v3-down", 180_000,
                    genericEncoder(v3, v3Id, Map.of("channel", "email", "region", "eu")));
            waves.produce(producer, produced, "v1-after-v3", 240_000, v1Encoder(f.serdes(), topics));

            awaitCondition("the firewall notices the outage", Duration.ofSeconds(90),
                    () -> !health.isAvailable() && health.getUnavailableTotal() > 0);
            assertThat(health.isAvailable()).isFalse();
            assertThat(health.getUnavailableTotal()).isPositive();
            // Past the outage budget the v3 records are parked, so the v1 records behind them flow too.
            outputs.pollUntilAtLeast(produced.contacts.size() - v3Records.size(), OUTPUT_DEADLINE);
            assertThat(registry.isRunning()).as("still down while the v1 records behind v3 were decided").isFalse();
            // Keep the registry down for at least 15 s in all.
            while (millisSince(outageStart) < 15_000) {
                outputs.pollOnce(Duration.ofMillis(500));
            }
            outputs.drain(Duration.ofSeconds(1));
            log("(d) registry down for %d ms: unavailable=%d retries=%d threadReplacements=%d, outputs %s",
                    millisSince(outageStart), health.getUnavailableTotal(), health.getRetriesTotal(),
                    health.getThreadReplacementsTotal(), outputs.counts());
            assertThat(app.failed()).as("app.failed() during the outage").isFalse();
            assertThat(app.streams().state().isRunningOrRebalancing()).as("state %s", app.streams().state()).isTrue();
            assertThat(outputs.of(Expected.DEAD_LETTER)).as("dead letters during the outage").isEmpty();
            Set<Coord> v3Coords = new HashSet<>();
            v3Records.forEach(s -> v3Coords.add(s.coord()));
            assertThat(outputs.all().stream().filter(o -> v3Coords.contains(o.source())).toList())
                    .as("v3 records decided without their schema").isEmpty();

            long restart = System.nanoTime();
            timeline.mark("registry restarting");
            registry.restart();
            timeline.mark("registry answers again");
            log("(d) registry restarted in %d ms (outage %d ms)", millisSince(restart), millisSince(outageStart));

            outputs.pollUntilAtLeast(produced.contacts.size(), OUTPUT_DEADLINE);
            outputs.drain(QUIET_PERIOD);
            timeline.mark("all outputs read");
            log("(d) all %d contact points decided %d ms after the restart: %s", produced.contacts.size(),
                    millisSince(restart), outputs.counts());
            log("(d) timeline: %s", timeline);

            verifyEachContactPointInExactlyOneExpectedOutput(produced, outputs);
            verifyAudienceIsMinimizedFormOfItsInput(produced, outputs);
            assertThat(outputs.of(Expected.DEAD_LETTER)).isEmpty();
            assertThat(v3Records.stream().filter(s -> s.expected() == Expected.FORWARD).count()).isPositive();
            assertThat(health.getThreadReplacementsTotal()).as("records were parked, no thread was replaced").isZero();
            assertThat(health.isAvailable()).as("available again after the restart").isTrue();
            assertThat(app.failed()).isFalse();
            awaitRunning(app);
        } finally {
            restartRegistryIfDown();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // (d2) while one partition waits for an unseen schema, the others keep flowing
    // ------------------------------------------------------------------------------------------------------------

    /**
     * README, "Outages": "records whose schema id is already cached keep flowing". Here one record with an unseen
     * schema id waits on partition 0 while the registry is down, and contact points with the cached v1 id are
     * produced to partitions 1 and 2 (for users whose consent lives there). With the default outage budget they are
     * expected to be decided while the registry is still down.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void cachedSchemasKeepFlowingOnOtherPartitionsWhileAnUnseenSchemaWaits(@TempDir Path stateDir) throws Exception {
        Fixture f = fixture("d2", stateDir, null);
        Topics topics = f.topics();
        Produced produced = f.produced();
        int users = 100;

        FirewallSerdes appSerdes = FirewallSerdes.fromSettings(f.config().schemaRegistry());
        try (FirewallApp app = new FirewallApp(f.config(), appSerdes);
             KafkaProducer<String, byte[]> producer = producer();
             OutputCollector outputs = f.outputs()) {
            app.start();
            awaitRunning(app);
            ContactWaves waves = f.waves(users);
            waves.produceState(producer, produced);
            List<Sent> first = waves.produce(producer, produced, "v1-before", 60_000,
                    v1Encoder(f.serdes(), topics));
            outputs.pollUntilAtLeast(produced.contacts.size(), OUTPUT_DEADLINE);
            Map<Integer, Integer> partitionOfUser = new HashMap<>();
            first.forEach(sent -> partitionOfUser.put(sent.user(), sent.coord().partition()));
            assertThat(new HashSet<>(partitionOfUser.values())).containsExactlyInAnyOrder(0, 1, 2);
            int waitingUser = first.stream().filter(sent -> sent.coord().partition() == 0).findFirst()
                    .orElseThrow().user();

            Schema v3 = evolvedContactPoint("channel", "region");
            int v3Id = f.serdes().registry().register(topics.contactPoints() + "-value", v3);
            warm(f.serdes(), topics);
            registry.stop();
            long outageStart = System.nanoTime();

            List<Sent> waiting = waves.produce(producer, produced, "v3-partition-0", 120_000,
                    genericEncoder(v3, v3Id, Map.of("channel", "email", "region", "eu")), i -> i == waitingUser);
            assertThat(waiting).isNotEmpty().allMatch(sent -> sent.coord().partition() == 0);
            awaitCondition("the firewall notices the outage", Duration.ofSeconds(90),
                    () -> !appSerdes.health().isAvailable());
            int decidedBefore = outputs.all().size();
            List<Sent> flowing = waves.produce(producer, produced, "v1-partitions-1-2", 180_000,
                    v1Encoder(f.serdes(), topics), i -> partitionOfUser.getOrDefault(i, 0) != 0);
            assertThat(flowing).isNotEmpty().allMatch(sent -> sent.coord().partition() != 0);

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (outputs.all().size() < decidedBefore + flowing.size() && System.nanoTime() - deadline < 0) {
                outputs.pollOnce(Duration.ofMillis(500));
            }
            int decided = outputs.all().size() - decidedBefore;
            log("(d2) %d of %d cached-id records on partitions 1-2 decided within %d ms of the outage (registry "
                            + "down: %s, thread replacements %d)", decided, flowing.size(), millisSince(outageStart),
                    !registry.isRunning(), appSerdes.health().getThreadReplacementsTotal());
            assertThat(registry.isRunning()).isFalse();
            assertThat(decided).as("cached-id records on other partitions decided while one record waits for the "
                    + "registry").isEqualTo(flowing.size());

            registry.restart();
            outputs.pollUntilAtLeast(produced.contacts.size(), OUTPUT_DEADLINE);
            outputs.drain(QUIET_PERIOD);
            verifyEachContactPointInExactlyOneExpectedOutput(produced, outputs);
        } finally {
            restartRegistryIfDown();
        }
    }

    private static void restartRegistryIfDown() {
        if (!registry.isRunning()) {
            registry.restart();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // (e) an output schema the registry refuses stops startup
    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void startupFailsWhenTheRegistryRefusesAnOutputSchema(@TempDir Path stateDir) throws Exception {
        // A registry of its own, so that the default subject names can be used and nothing else is disturbed.
        try (LocalSchemaRegistry fresh = LocalSchemaRegistry.start(LocalSchemaRegistry.locateJar())) {
            String subject = "privacy.quarantine-value";
            Topics topics = Topics.defaults();
            assertThat(topics.quarantine() + "-value").isEqualTo(subject);
            // The topics must pass the startup topic check, which comes before the schemas.
            createTopics(topics);
            // The firewall's QuarantineRecord with one field's type changed: same name, incompatible.
            ObjectNode root = (ObjectNode) JSON.readTree(QuarantineRecord.getClassSchema().toString());
            for (JsonNode field : root.get("fields")) {
                if (field.get("name").asText().equals("decisionId")) {
                    ((ObjectNode) field).put("type", "long");
                }
            }
            Schema existing = new Schema.Parser().parse(root.toString());
            assertThat(existing.getFullName()).isEqualTo(QuarantineRecord.getClassSchema().getFullName());
            HttpResponse<String> config = setCompatibility(fresh, subject, "BACKWARD");
            HttpResponse<String> registered = post(fresh.confluentUrl() + "/subjects/" + subject + "/versions",
                    schemaBody(existing));
            assertThat(registered.statusCode()).as("pre-registering: %s", registered.body()).isEqualTo(200);
            if (config.statusCode() != 200) {
                // A registry that keeps no config for a subject without versions: set it now, before the firewall.
                log("(e) PUT /config before the first version answered %d %s; set after registering",
                        config.statusCode(), config.body());
                assertThat(setCompatibility(fresh, subject, "BACKWARD").statusCode()).isEqualTo(200);
            }
            // What the registry itself says to the firewall's schema under this subject.
            HttpResponse<String> refusal = post(fresh.confluentUrl() + "/subjects/" + subject + "/versions",
                    schemaBody(QuarantineRecord.getClassSchema()));
            assertThat(refusal.statusCode()).as("registry's answer: %s", refusal.body()).isEqualTo(409);
            String registryMessage = JSON.readTree(refusal.body()).path("message").asText();
            assertThat(registryMessage).isNotBlank();

            FirewallConfig base = fileConfig.withBootstrapServers(broker.bootstrapServers())
                    .withSchemaRegistry(SchemaRegistryConfig.parse(Map.of("schema.registry.url", fresh.confluentUrl())))
                    .withApplicationId("it-registry-e-" + unique(), stateDir);
            FirewallConfig cfg = rebuilt(base, topics, base.processing(), base.streams());
            try (FirewallApp app = new FirewallApp(cfg, FirewallSerdes.fromSettings(cfg.schemaRegistry()))) {
                IllegalStateException e = catchThrowableOfType(IllegalStateException.class, app::start);
                assertThat(e).as("FirewallApp.start() with a refused output schema").isNotNull();
                log("(e) startup failed: %s", e.getMessage());
                assertThat(e.getMessage())
                        .contains("subject " + subject)
                        .contains("409")
                        .contains(registryMessage);
                assertThat(app.streams()).as("no Kafka Streams client was started").isNull();
            }
            // Nothing was registered in its place.
            JsonNode versions = JSON.readTree(httpGet(fresh.confluentUrl() + "/subjects/" + subject + "/versions")
                    .body());
            assertThat(versions).hasSize(1);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Contact-point waves for (c) and (d)
    // ------------------------------------------------------------------------------------------------------------

    /** Encodes one contact point (with its event time moved) into wire-format bytes. */
    interface ContactEncoder {
        byte[] encode(ContactPoint contact);
    }

    private static ContactEncoder v1Encoder(FirewallSerdes serdes, Topics topics) {
        return contact -> serdes.contactPoint().encode(topics.contactPoints(), contact);
    }

    /** A GenericDatumWriter over {@code schema}, framed with {@code id}; {@code extra} fills the added fields. */
    private static ContactEncoder genericEncoder(Schema schema, int id, Map<String, String> extra) {
        GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
        return contact -> {
            GenericData.Record record = new GenericData.Record(schema);
            record.put("userId", contact.getUserId());
            record.put("identifierType", new GenericData.EnumSymbol(schema.getField("identifierType").schema(),
                    contact.getIdentifierType().name()));
            record.put("value", contact.getValue());
            record.put("declaredPurposes", new ArrayList<>(contact.getDeclaredPurposes()));
            record.put("sourceSystem", contact.getSourceSystem());
            record.put("eventTime", contact.getEventTime().toEpochMilli());
            record.put("attributes", new HashMap<>(contact.getAttributes()));
            extra.forEach(record::put);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            try {
                writer.write(record, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            byte[] body = out.toByteArray();
            return WireFormat.frame(id, body, body.length);
        };
    }

    /** {@code ContactPoint} plus optional string fields (null default): a compatible writer version. */
    private static Schema evolvedContactPoint(String... optionalFields) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(ContactPoint.getClassSchema().toString());
        ArrayNode fields = (ArrayNode) root.get("fields");
        for (String name : optionalFields) {
            ObjectNode field = fields.addObject();
            field.put("name", name);
            field.putArray("type").add("null").add("string");
            field.putNull("default");
            field.put("doc", "Added by a newer producer.");
        }
        return new Schema.Parser().parse(root.toString());
    }

    /**
     * The scenario's users' consent and registrations, and waves of their contact points (the malformed ones left
     * out) re-encoded by a given writer with a later event time; outcomes are the scenario's.
     */
    static final class ContactWaves {
        private final ScenarioTraffic traffic;
        private final FirewallSerdes serdes;
        private final Topics topics;
        private final int users;

        ContactWaves(ScenarioTraffic traffic, FirewallSerdes serdes, Topics topics, int users) {
            this.traffic = traffic;
            this.serdes = serdes;
            this.topics = topics;
            this.users = users;
        }

        void produceState(KafkaProducer<String, byte[]> producer, Produced produced) throws Exception {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                for (Event event : traffic.user(i)) {
                    if (event.expected() == null) {
                        sent.add(producer.send(record(event)));
                        produced.noteState(event, serdes);
                    }
                }
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        }

        List<Sent> produce(KafkaProducer<String, byte[]> producer, Produced produced, String label, long shiftMs,
                           ContactEncoder encoder) throws Exception {
            return produce(producer, produced, label, shiftMs, encoder, i -> true);
        }

        /** As {@link #produce}, for the users {@code which} accepts only. */
        List<Sent> produce(KafkaProducer<String, byte[]> producer, Produced produced, String label, long shiftMs,
                           ContactEncoder encoder, java.util.function.IntPredicate which) throws Exception {
            List<Sent> wave = new ArrayList<>();
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                if (!which.test(i)) {
                    continue;
                }
                for (Event event : traffic.user(i)) {
                    if (event.expected() == null || event.expected() == Expected.DEAD_LETTER) {
                        continue;
                    }
                    ContactPoint original = serdes.contactPoint().decode(event.value());
                    long time = event.timestamp() + shiftMs;
                    ContactPoint moved = ContactPoint.newBuilder(original).setEventTime(Instant.ofEpochMilli(time))
                            .build();
                    byte[] value = encoder.encode(moved);
                    wave.add(new Sent(i, event.key(), value, event.expected(), label, moved));
                    futures.add(producer.send(new ProducerRecord<>(event.topic(), null, time, event.key(), value)));
                }
            }
            producer.flush();
            List<Sent> placed = new ArrayList<>(wave.size());
            for (int k = 0; k < wave.size(); k++) {
                placed.add(produced.add(wave.get(k), futures.get(k).get()));
            }
            return placed;
        }
    }

    /**
     * For the log only (no assertion depends on timing): when the Kafka Streams state, the number of live stream
     * threads and the registry health counters change, relative to the first sample.
     */
    static final class StateTimeline implements AutoCloseable {
        private final FirewallApp app;
        private final RegistryHealth health;
        private final List<String> entries = java.util.Collections.synchronizedList(new ArrayList<>());
        private final long origin = System.nanoTime();
        private final Thread sampler;
        private volatile boolean stop;

        StateTimeline(FirewallApp app, RegistryHealth health) {
            this.app = app;
            this.health = health;
            this.sampler = new Thread(this::run, "it-state-timeline");
            sampler.setDaemon(true);
        }

        void start() {
            sampler.start();
        }

        void mark(String what) {
            entries.add("+" + millisSince(origin) + "ms " + what);
        }

        private void run() {
            String last = "";
            while (!stop) {
                KafkaStreams streams = app.streams();
                if (streams != null) {
                    String now = streams.state() + " threads=" + streams.metadataForLocalThreads().size()
                            + " available=" + health.isAvailable() + " replacements="
                            + health.getThreadReplacementsTotal();
                    if (!now.equals(last)) {
                        mark(now);
                        last = now;
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public String toString() {
            synchronized (entries) {
                return String.join("; ", entries);
            }
        }

        @Override
        public void close() {
            stop = true;
            sampler.interrupt();
            try {
                sampler.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Makes sure the reading side of the test has every schema it needs cached. */
    private static void warm(FirewallSerdes serdes, Topics topics) {
        for (var entry : Map.of(topics.audience(), serdes.audience(), topics.quarantine(), serdes.quarantine(),
                topics.suppressed(), serdes.suppressed(), topics.deadLetter(), serdes.deadLetter(),
                topics.contactPoints(), serdes.contactPoint(), topics.consent(), serdes.consentState(),
                topics.registrations(), serdes.registration()).entrySet()) {
            int id = entry.getValue().schemaIdFor(entry.getKey());
            serdes.registry().schemaById(id);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Producing
    // ------------------------------------------------------------------------------------------------------------

    /** A produced contact point and where it must end up. */
    record Sent(int user, String key, byte[] value, Expected expected, String label, ContactPoint decoded,
                Coord coord) {
        Sent(int user, String key, byte[] value, Expected expected, String label) {
            this(user, key, value, expected, label, null, null);
        }

        Sent(int user, String key, byte[] value, Expected expected, String label, ContactPoint decoded) {
            this(user, key, value, expected, label, decoded, null);
        }

        Sent at(Coord where) {
            return new Sent(user, key, value, expected, label, decoded, where);
        }
    }

    /** Everything produced so far. */
    static final class Produced {
        final Topics topics;
        final String policyVersion;
        final Map<Coord, Sent> contacts = new LinkedHashMap<>();
        final Map<String, Coord> byDecisionId = new HashMap<>();
        final Set<String> registrationMatchKeys = new HashSet<>();

        Produced(Topics topics, String policyVersion) {
            this.topics = topics;
            this.policyVersion = policyVersion;
        }

        Sent add(Sent sent, RecordMetadata metadata) {
            Coord coord = Coord.of(metadata);
            Sent placed = sent.at(coord);
            contacts.put(coord, placed);
            byDecisionId.put(decisionId(coord, policyVersion), coord);
            return placed;
        }

        void noteState(Event event, FirewallSerdes serdes) {
            if (event.topic().equals(topics.registrations())) {
                PurposeRegistration r = serdes.registration().decode(event.value());
                registrationMatchKeys.addAll(allMatchKeys(r.getIdentifierType(), r.getValue()));
            }
        }
    }

    /**
     * Users {@code [from, to)} of the scenario: their consent and registrations first (flushed), then their contact
     * points, as FirewallEndToEndIT does.
     */
    private static void produceScenario(KafkaProducer<String, byte[]> producer, ScenarioTraffic traffic,
                                        FirewallSerdes serdes, int from, int to, Produced produced,
                                        boolean withMalformed) throws Exception {
        List<Future<RecordMetadata>> state = new ArrayList<>();
        List<Sent> contacts = new ArrayList<>();
        List<Event> contactEvents = new ArrayList<>();
        for (int i = from; i < to; i++) {
            for (Event event : traffic.user(i)) {
                if (event.expected() == null) {
                    state.add(producer.send(record(event)));
                    produced.noteState(event, serdes);
                } else if (withMalformed || event.expected() != Expected.DEAD_LETTER) {
                    contacts.add(new Sent(i, event.key(), event.value(), event.expected(), "scenario"));
                    contactEvents.add(event);
                }
            }
        }
        producer.flush();
        for (Future<RecordMetadata> f : state) {
            f.get();
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Event event : contactEvents) {
            sent.add(producer.send(record(event)));
        }
        producer.flush();
        for (int k = 0; k < contacts.size(); k++) {
            try {
                produced.add(contacts.get(k), sent.get(k).get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("producing contact point " + k + " failed", e.getCause());
            }
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        return EndToEndSupport.producer(broker.bootstrapServers(), "it-registry-producer-", Map.of());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Consuming and verifying
    // ------------------------------------------------------------------------------------------------------------

    /** Reads the four output topics from the beginning with read_committed. */
    private static OutputCollector outputs(Topics topics, FirewallSerdes serdes) {
        return new OutputCollector(broker.bootstrapServers(), PARTITIONS, topics, serdes, "it-registry-reader-",
                Map.of(), null, null);
    }

    /**
     * Every produced contact point is in exactly one output, the one expected; no output comes from anything not
     * produced; nothing on the ad topic carries a registered (security) identifier.
     */
    private static void verifyEachContactPointInExactlyOneExpectedOutput(Produced produced, OutputCollector outputs) {
        Map<Coord, List<Expected>> outcomes = new HashMap<>();
        List<String> strays = new ArrayList<>();
        for (Output out : outputs.all()) {
            Coord coord = out.source();
            if (out.kind() == Expected.FORWARD) {
                coord = produced.byDecisionId.get(((AudienceIdentifier) out.value()).getDecisionId());
            }
            if (coord == null || !produced.contacts.containsKey(coord)) {
                strays.add(out.kind() + " from " + (coord == null ? "unknown decision id" : coord));
                continue;
            }
            outcomes.computeIfAbsent(coord, c -> new ArrayList<>()).add(out.kind());
        }
        List<String> wrong = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        for (Sent sent : produced.contacts.values()) {
            List<Expected> got = outcomes.getOrDefault(sent.coord(), List.of());
            if (got.isEmpty()) {
                missing.add(describe(sent));
            } else if (got.size() > 1) {
                duplicated.add(describe(sent) + " -> " + got);
            } else if (got.get(0) != sent.expected()) {
                wrong.add(describe(sent) + " -> " + got.get(0) + " " + reasonOf(outputs, sent, produced));
            }
        }
        assertThat(strays).as("outputs for nothing produced").isEmpty();
        assertThat(duplicated).as("contact points with more than one output (%d, first 20: %s)", duplicated.size(),
                first20(duplicated)).isEmpty();
        assertThat(missing).as("contact points without an output (%d, first 20: %s)", missing.size(),
                first20(missing)).isEmpty();
        assertThat(wrong).as("contact points in the wrong output (%d, first 20: %s)", wrong.size(),
                first20(wrong)).isEmpty();

        List<String> leaked = new ArrayList<>();
        for (Output out : outputs.of(Expected.FORWARD)) {
            AudienceIdentifier audience = (AudienceIdentifier) out.value();
            if (produced.registrationMatchKeys.contains(audience.getIdentifierHash())) {
                leaked.add(audience.getUserId() + " " + audience.getIdentifierType());
            }
        }
        assertThat(leaked).as("registered (security) identifiers on the ad topic").isEmpty();
    }

    /** Forwarded records carry exactly their input's user, type and match key (so the input was read correctly). */
    private static void verifyAudienceIsMinimizedFormOfItsInput(Produced produced, OutputCollector outputs) {
        List<String> problems = new ArrayList<>();
        for (Output out : outputs.of(Expected.FORWARD)) {
            AudienceIdentifier audience = (AudienceIdentifier) out.value();
            Sent sent = produced.contacts.get(produced.byDecisionId.get(audience.getDecisionId()));
            ContactPoint input = sent.decoded();
            if (input == null) {
                continue;
            }
            if (!audience.getUserId().equals(input.getUserId())
                    || audience.getIdentifierType() != input.getIdentifierType()
                    || !audience.getIdentifierHash().equals(matchKey(input.getIdentifierType(), input.getValue()))
                    || !audience.getEventTime().equals(input.getEventTime())) {
                problems.add(sent.label() + " user " + sent.user() + " at " + sent.coord());
            }
        }
        assertThat(problems).as("audience records that do not match their input (%d, first 20: %s)",
                problems.size(), first20(problems)).isEmpty();
    }

    private static String reasonOf(OutputCollector outputs, Sent sent, Produced produced) {
        for (Output out : outputs.all()) {
            if (sent.coord().equals(out.source())) {
                Object v = out.value();
                if (v instanceof SuppressedRecord r) {
                    return r.getReason() + " (" + r.getRule() + ")";
                }
                if (v instanceof QuarantineRecord r) {
                    return r.getReason() + " (" + r.getRule() + ")";
                }
                if (v instanceof DeadLetterRecord r) {
                    return r.getReason() + " (" + r.getDetail() + ")";
                }
            }
        }
        return "";
    }

    private static String describe(Sent sent) {
        return sent.label() + " user " + sent.user() + " (" + (sent.user() % 20) + " mod 20) at " + sent.coord()
                + " expected " + sent.expected();
    }

    private static List<String> first20(List<String> items) {
        return items.stream().limit(20).toList();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Setup helpers
    // ------------------------------------------------------------------------------------------------------------

    /** What a test starts from: its own topics (created), config, producer-side serdes, scenario and bookkeeping. */
    record Fixture(Topics topics, FirewallConfig config, FirewallSerdes serdes, ScenarioTraffic traffic,
                   Produced produced) {
        OutputCollector outputs() {
            return RegistryEndToEndIT.outputs(topics, serdes);
        }

        ContactWaves waves(int users) {
            return new ContactWaves(traffic, serdes, topics, users);
        }
    }

    /**
     * Topics prefixed {@code reg-<test>-<unique>.} (created) and application id {@code it-registry-<test>-<unique>}
     * for test {@code test}; the scenario starts an hour ago.
     */
    private static Fixture fixture(String test, Path stateDir, Long maxBlockMs) {
        String unique = unique();
        Topics topics = prefixed("reg-" + test + "-" + unique + ".");
        FirewallConfig config = configFor(topics, "it-registry-" + test + "-" + unique, stateDir, maxBlockMs);
        createTopics(topics);
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        ScenarioTraffic traffic = new ScenarioTraffic(topics, serdes, System.currentTimeMillis() - 3_600_000L);
        return new Fixture(topics, config, serdes, traffic, new Produced(topics, config.policy().version()));
    }

    /**
     * The repository's config with this broker, the shared registry, {@code topics}, a unique application id and
     * state directory, and optionally another registry outage budget.
     */
    private static FirewallConfig configFor(Topics topics, String applicationId, Path stateDir, Long maxBlockMs) {
        FirewallConfig c = fileConfig.withBootstrapServers(broker.bootstrapServers())
                .withSchemaRegistry(SchemaRegistryConfig.parse(Map.of("schema.registry.url", registry.confluentUrl())))
                .withApplicationId(applicationId, stateDir);
        Processing p = c.processing();
        if (maxBlockMs != null) {
            p = p.toBuilder().registryOutageMaxBlock(java.time.Duration.ofMillis(maxBlockMs)).build();
        }
        assertThat(p.guarantee()).isEqualTo(Guarantee.EXACTLY_ONCE_V2);
        return rebuilt(c, topics, p, c.streams());
    }

    private static Topics prefixed(String prefix) {
        return EndToEndSupport.prefixed(fileConfig.topics(), prefix);
    }

    /** The seven topics, co-partitioned ({@value #PARTITIONS} partitions each); consent compacted. */
    private static void createTopics(Topics topics) {
        FirewallTopics.createAll(broker, topics, PARTITIONS);
    }

    private static void awaitRunning(FirewallApp app) throws InterruptedException {
        EndToEndSupport.awaitRunning(app, RUNNING_DEADLINE);
    }

    private static void awaitCondition(String what, Duration deadline, BooleanSupplier condition)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("timed out after %s waiting until %s", deadline, what);
            }
            Thread.sleep(100);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Registry over plain HTTP
    // ------------------------------------------------------------------------------------------------------------

    private static List<String> subjects() throws Exception {
        HttpResponse<String> answer = httpGet(registry.confluentUrl() + "/subjects");
        assertThat(answer.statusCode()).as("GET /subjects: %s", answer.body()).isEqualTo(200);
        List<String> subjects = new ArrayList<>();
        JSON.readTree(answer.body()).forEach(n -> subjects.add(n.asText()));
        return subjects;
    }

    private static Schema schemaByIdOverHttp(int id) throws Exception {
        HttpResponse<String> answer = httpGet(registry.confluentUrl() + "/schemas/ids/" + id);
        assertThat(answer.statusCode()).as("GET /schemas/ids/%d: %s", id, answer.body()).isEqualTo(200);
        return new Schema.Parser().parse(JSON.readTree(answer.body()).path("schema").asText());
    }

    private static HttpResponse<String> setCompatibility(LocalSchemaRegistry reg, String subject, String level)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(reg.confluentUrl() + "/config/" + subject))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", CONTENT_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> httpGet(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------------------------------------------------

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static void log(String format, Object... args) {
        System.out.printf("[RegistryEndToEndIT] " + format + "%n", args);
    }
}
