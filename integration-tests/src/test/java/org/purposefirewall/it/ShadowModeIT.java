package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.purposefirewall.it.EndToEndSupport.decisionId;
import static org.purposefirewall.it.EndToEndSupport.prefixed;
import static org.purposefirewall.it.EndToEndSupport.record;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.fixtures.ScenarioTraffic.Event;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.it.EndToEndSupport.Coord;
import org.purposefirewall.it.EndToEndSupport.Output;
import org.purposefirewall.it.EndToEndSupport.OutputCollector;
import org.purposefirewall.monitoring.MetricNames;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.schema.ShadowDecision;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * Shadow mode on a real broker: the shipped configuration with the shipped example candidate
 * ({@code config/shadow-policy.example.yaml}, which also keeps first-party marketing identifiers from the ad side) as
 * its {@code shadow-policy-file}. Over the scenario traffic, none of which concerns first-party marketing, plus
 * newsletter users whose email was collected for first-party marketing (or whose record declares it), the shadow
 * topic must hold exactly those newsletter contact points, counted here from what the test produced; and every
 * contact point still ends in exactly one enforcing output, as the scenario says.
 */
class ShadowModeIT {

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    private static final int PARTITIONS = 3;
    private static final int SCENARIO_USERS = 400;
    private static final int NEWSLETTER_USERS = 60;
    private static final String FIRST_PARTY = "marketing.advertising.first_party";
    private static final Duration DEADLINE = Duration.ofMinutes(2);
    private static final Duration QUIET = Duration.ofSeconds(3);

    /** A newsletter contact point the candidate must decide otherwise, as the test produced it. */
    private record Disagreement(String user, String shadowRule, String identifierDigest) {
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void shouldWriteExactlyTheCandidatesDisagreementsAndLeaveEveryEnforcingOutputAlone(@TempDir Path dir)
            throws Exception {
        // Given the shipped config, its policy and the shipped candidate as shadow policy, with this test's topics
        String unique = UUID.randomUUID().toString().substring(0, 8);
        Path shipped = Path.of(System.getProperty("user.dir")).resolve("../config").toAbsolutePath().normalize();
        Files.copy(shipped.resolve("policy.yaml"), dir.resolve("policy.yaml"));
        Files.copy(shipped.resolve("shadow-policy.example.yaml"), dir.resolve("candidate.yaml"));
        Path file = dir.resolve("application.yaml");
        Files.writeString(file, Files.readString(shipped.resolve("application.yaml"))
                .replace("policy-file: policy.yaml", "policy-file: policy.yaml\nshadow-policy-file: candidate.yaml")
                .replace("mock://purpose-firewall", "mock://shadow-it-" + unique));
        FirewallConfig loaded = new ConfigLoader().load(file);
        Topics topics = prefixed(loaded.topics(), "shadow-" + unique + ".");
        FirewallConfig base = loaded.withBootstrapServers(BROKER.get().bootstrapServers())
                .withApplicationId("it-shadow-" + unique, dir.resolve("state"));
        FirewallConfig config = EndToEndSupport.rebuilt(base, topics, base.processing(), base.streams())
                .withShadow(base.shadow());
        assertThat(config.shadow()).as("the shadow policy as loaded").isNotNull();
        String candidateHash = HashForm.SHA256.hex(Files.readString(dir.resolve("candidate.yaml")));
        String policyHash = HashForm.SHA256.hex(Files.readString(dir.resolve("policy.yaml")));
        FirewallTopics.createAll(BROKER.get(), topics, PARTITIONS);
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());

        // And the traffic: the scenario, and newsletter users (consented) whose records the candidate quarantines
        long start = System.currentTimeMillis() - 3_600_000L;
        ScenarioTraffic scenario = new ScenarioTraffic(topics, serdes, start);
        List<Event> side = new ArrayList<>();
        List<Event> contacts = new ArrayList<>();
        Map<Integer, Disagreement> expectedByContact = new HashMap<>();
        for (int i = 0; i < SCENARIO_USERS; i++) {
            for (Event event : scenario.user(i)) {
                (event.expected() == null ? side : contacts).add(event);
            }
        }
        for (int j = 0; j < NEWSLETTER_USERS; j++) {
            String user = "newsletter-" + unique + "-" + j;
            String email = "reader" + j + "@news.example";
            long t = start + j * 10L + 3;
            side.add(consent(topics, serdes, user, t));
            boolean declared = j % 3 == 0;
            if (!declared) {
                side.add(ScenarioTraffic.registration(topics, serdes, user, IdentifierType.EMAIL, email,
                        FIRST_PARTY + ".newsletter", "newsletter-signup", t));
            }
            expectedByContact.put(contacts.size(), new Disagreement(user,
                    declared ? "restricted.declared" : "restricted.registered", HashForm.SHA256.hex(email)));
            contacts.add(new Event(topics.contactPoints(), user, serdes.contactPoint().encode(topics.contactPoints(),
                    ContactPoint.newBuilder().setUserId(user).setIdentifierType(IdentifierType.EMAIL).setValue(email)
                            .setDeclaredPurposes(declared ? List.of(FIRST_PARTY) : List.of())
                            .setSourceSystem("crm-export").setEventTime(Instant.ofEpochMilli(t + 5))
                            .setAttributes(Map.of()).build()), t + 5, Expected.FORWARD));
        }
        Map<Expected, Long> expectedOutcomes = new EnumMap<>(scenario.expectedCounts(SCENARIO_USERS));
        expectedOutcomes.merge(Expected.FORWARD, (long) NEWSLETTER_USERS, Long::sum);

        try (FirewallApp app = new FirewallApp(config, serdes);
             KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(BROKER.get().bootstrapServers(),
                     "it-shadow-producer-", Map.of());
             OutputCollector outputs = new OutputCollector(BROKER.get().bootstrapServers(), PARTITIONS, topics, serdes,
                     "it-shadow-outputs-", Map.of(), null, Duration.ofSeconds(5))) {
            app.start();
            EndToEndSupport.awaitRunning(app, Duration.ofSeconds(90));

            // When the side records, then the contact points, then the end-of-traffic markers are produced
            for (Event event : side) {
                producer.send(record(event));
            }
            producer.flush();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Event event : contacts) {
                sent.add(producer.send(record(event)));
            }
            for (Event marker : scenario.endOfTrafficMarkers(PARTITIONS, scenario.endTime(SCENARIO_USERS))) {
                producer.send(record(marker));
            }
            producer.flush();
            Map<Coord, Expected> produced = new LinkedHashMap<>();
            Map<Coord, Disagreement> expectedShadow = new LinkedHashMap<>();
            Map<String, Coord> byDecisionId = new HashMap<>();
            for (int k = 0; k < sent.size(); k++) {
                Coord coord = Coord.of(sent.get(k).get(30, TimeUnit.SECONDS));
                produced.put(coord, contacts.get(k).expected());
                byDecisionId.put(decisionId(coord, config.policy().version()), coord);
                if (expectedByContact.containsKey(k)) {
                    expectedShadow.put(coord, expectedByContact.get(k));
                }
            }

            // Then every contact point ends in exactly one enforcing output, the one the scenario expects
            outputs.pollUntilAtLeast(produced.size(), DEADLINE);
            outputs.drain(QUIET);
            assertThat(outputs.total()).as("outputs, one per contact point").isEqualTo(produced.size());
            assertThat(outputs.countsAsLongs()).isEqualTo(expectedOutcomes);
            Map<Coord, Expected> decided = new HashMap<>();
            for (Output out : outputs.all()) {
                Coord coord = out.kind() == Expected.FORWARD
                        ? byDecisionId.get(((AudienceIdentifier) out.value()).getDecisionId()) : out.source();
                assertThat(coord).as("an output of a produced contact point").isIn(produced.keySet());
                assertThat(decided.put(coord, out.kind())).as("second output for %s", coord).isNull();
            }
            assertThat(decided).isEqualTo(produced);

            // And the shadow topic holds exactly the newsletter contact points, each with both decisions, redacted
            List<ConsumerRecord<String, byte[]>> shadowRecords = readShadow(topics, expectedShadow.size());
            Map<Coord, ShadowDecision> shadow = new LinkedHashMap<>();
            for (ConsumerRecord<String, byte[]> r : shadowRecords) {
                ShadowDecision d = serdes.shadowDecision().decode(r.value());
                assertThat(shadow.put(Coord.of(d.getSource()), d)).as("second shadow record for %s", d.getSource())
                        .isNull();
                assertThat(r.key()).isEqualTo(d.getUserDigest());
            }
            assertThat(shadow.keySet()).containsExactlyInAnyOrderElementsOf(expectedShadow.keySet());
            Set<String> newsletterUsers = new HashSet<>();
            for (Map.Entry<Coord, Disagreement> e : expectedShadow.entrySet()) {
                ShadowDecision d = shadow.get(e.getKey());
                Disagreement expected = e.getValue();
                newsletterUsers.add(expected.user());
                assertThat(d.getUserDigest()).isEqualTo(HashForm.SHA256.hex(expected.user()).substring(0, 12));
                assertThat(d.getIdentifierType()).isEqualTo(IdentifierType.EMAIL);
                assertThat(d.getIdentifierDigestPrefix()).isEqualTo(expected.identifierDigest().substring(0, 8));
                assertThat(List.of(d.getEnforcingOutcome(), d.getEnforcingRule(), d.getShadowOutcome(),
                        d.getShadowRule())).containsExactly("FORWARD", "consent.granted", "QUARANTINE",
                        expected.shadowRule());
                assertThat(d.getEnforcingPolicyVersion()).isEqualTo(config.policy().version());
                assertThat(d.getEnforcingPolicyHash()).isEqualTo(policyHash);
                assertThat(d.getShadowPolicyVersion()).isEqualTo("2026-12-01.1-candidate");
                assertThat(d.getShadowPolicyHash()).isEqualTo(candidateHash);
                assertThat(d.getShadowError()).isNull();
                assertThat(d.toString()).doesNotContain(expected.user(), expected.identifierDigest(), "@news.example");
            }
            assertThat(newsletterUsers).hasSize(NEWSLETTER_USERS);

            // And the sensors counted them, and no failure
            assertThat(sensor(app, MetricNames.SHADOW_DISAGREEMENTS)).isEqualTo(expectedShadow.size());
            assertThat(sensor(app, MetricNames.SHADOW_FAILURES)).isZero();
            assertThat(app.failed()).isFalse();
        }
    }

    /** Reads the shadow topic read_committed until {@code expected} records, then a quiet period for strays. */
    private static List<ConsumerRecord<String, byte[]>> readShadow(Topics topics, int expected) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.get().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topics.shadowDecisions(), p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (records.size() < expected) {
                if (System.nanoTime() - end > 0) {
                    fail("only %d of %d shadow records within %s", records.size(), expected, DEADLINE);
                }
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            long quiet = System.nanoTime() + QUIET.toNanos();
            while (System.nanoTime() - quiet < 0) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** A Kafka Streams sensor of the firewall, summed over tasks. */
    private static double sensor(FirewallApp app, String operation) {
        double sum = 0;
        for (var e : app.streams().metrics().entrySet()) {
            if (e.getKey().group().equals(MetricNames.GROUP) && e.getKey().name().equals(MetricNames.total(operation))) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }

    private static Event consent(Topics topics, FirewallSerdes serdes, String user, long t) {
        ConsentState state = ConsentState.newBuilder().setUserId(user)
                .setPurposes(List.of(new PurposeConsent(ScenarioTraffic.AD_GRANT, ConsentStatus.GRANTED)))
                .setOptOutOfTargetedAdvertising(false).setOptOutOfSale(false).setSource("newsletter-cmp")
                .setEffectiveTime(Instant.ofEpochMilli(t)).build();
        return new Event(topics.consent(), user, serdes.consentState().encode(topics.consent(), state), t, null);
    }
}
