package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.it.EndToEndSupport.awaitRunning;
import static org.purposefirewall.it.EndToEndSupport.loadApplicationConfig;
import static org.purposefirewall.it.EndToEndSupport.millisSince;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.it.EndToEndSupport.Coord;
import org.purposefirewall.it.EndToEndSupport.OutputCollector;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.kafkalocal.LocalSchemaRegistry;
import org.purposefirewall.monitoring.MetricNames;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.schema.SuppressedRecord;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * A guarded topic end to end: a real KRaft broker, a real schema registry (Apicurio), and records written by a
 * client nobody here wrote, Apicurio's own Avro serializer, in a schema the firewall has never seen. The firewall
 * reads each record with its writer schema from the registry, decides the fields the schema marks {@code "pii"},
 * checks every other string for the user's security identifiers and for honeytokens, and sends each record to
 * exactly one output.
 */
class GuardedTopicEndToEndIT {

    private static final int PARTITIONS = 3;
    private static final int USERS = 1_200;
    private static final Duration OUTPUT_DEADLINE = Duration.ofMinutes(3);
    private static final String HONEYTOKEN_PHONE = "+1 202 555 0147";

    private static final Schema PROFILE_UPDATE = new Schema.Parser().parse("""
            {"type": "record", "name": "ProfileUpdate", "namespace": "com.example.crm", "fields": [
              {"name": "accountRef", "type": "string"},
              {"name": "email", "type": ["null", "string"], "default": null, "pii": "EMAIL"},
              {"name": "phones", "type": {"type": "array", "items": "string"}, "pii": "PHONE"},
              {"name": "support", "type": {"type": "record", "name": "Support", "fields": [
                {"name": "notes", "type": "string"},
                {"name": "tags", "type": {"type": "map", "values": "string"}}
              ]}}
            ]}""");

    private static LocalKafkaBroker broker;
    private static LocalSchemaRegistry registry;

    @BeforeAll
    static void start() {
        broker = LocalKafkaBroker.start();
        registry = LocalSchemaRegistry.start(LocalSchemaRegistry.locateJar());
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

    /** What each user's profile update is, by user index modulo 4 (and 40 for honeytokens). */
    private enum Kind { RECOVERY_EMAIL_IN_NOTES, TWO_IDENTIFIERS, SHA1_EMAIL, NO_CONSENT, HONEYTOKEN }

    private static Kind kindOf(int i) {
        if (i % 40 == 3) {
            return Kind.HONEYTOKEN;
        }
        return Kind.values()[i % 4];
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void recordsOfAForeignSchemaAndSerializerAreDecidedTripwireCheckedAndNeverLost(@TempDir Path stateDir)
            throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String guarded = "guard-" + unique + ".crm.profile-updates";
        Topics topics = EndToEndSupport.prefixed(loadApplicationConfig().topics(), "guard-" + unique + ".")
                .withGuarded(List.of(guarded));
        FirewallTopics.createAll(broker, topics, PARTITIONS);
        broker.createTopic(guarded, PARTITIONS);
        FirewallConfig base = loadApplicationConfig().withBootstrapServers(broker.bootstrapServers())
                .withSchemaRegistry(SchemaRegistryConfig.parse(Map.of("schema.registry.url", registry.confluentUrl())))
                .withApplicationId("it-guarded-" + unique, stateDir);
        Honeytokens honeytokens = Honeytokens.of(List.of(
                new Honeytokens.Token("canary-phone-1", IdentifierKind.PHONE, HONEYTOKEN_PHONE)),
                IdentifierNormalizer.of(base.identity()));
        FirewallConfig config = new FirewallConfig(base.applicationId(), base.bootstrapServers(),
                base.schemaRegistry(), topics, base.processing(), base.identity(), base.streams(), base.policyFile(),
                base.policy(), honeytokens);
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        long t0 = System.currentTimeMillis() - 3_600_000L;

        Map<Coord, Kind> sent = new HashMap<>();
        Set<String> recoveryDigests = new HashSet<>();
        try (FirewallApp app = new FirewallApp(config, serdes);
             KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(broker.bootstrapServers(),
                     "it-guarded-", Map.of());
             AvroKafkaSerializer<GenericRecord> theirs = apicurioSerializer();
             OutputCollector outputs = new OutputCollector(broker.bootstrapServers(), PARTITIONS, topics, serdes,
                     "it-guarded-reader-", Map.of(), "GuardedTopicEndToEndIT", null)) {
            long t = System.nanoTime();
            app.start();
            awaitRunning(app, Duration.ofSeconds(120));

            // Side inputs first (by event time): consent for every user but the NO_CONSENT ones, and a recovery
            // email registered for security for the RECOVERY_EMAIL_IN_NOTES ones.
            for (int i = 0; i < USERS; i++) {
                String user = user(i);
                if (kindOf(i) != Kind.NO_CONSENT) {
                    ConsentState consent = ConsentState.newBuilder().setUserId(user)
                            .setPurposes(List.of(new PurposeConsent("marketing.advertising", ConsentStatus.GRANTED)))
                            .setOptOutOfTargetedAdvertising(false).setOptOutOfSale(false).setSource("it-cmp")
                            .setEffectiveTime(Instant.ofEpochMilli(t0)).build();
                    producer.send(new ProducerRecord<>(topics.consent(), null, t0, user,
                            serdes.consentState().encode(topics.consent(), consent)));
                }
                if (kindOf(i) == Kind.RECOVERY_EMAIL_IN_NOTES) {
                    PurposeRegistration registration = PurposeRegistration.newBuilder().setUserId(user)
                            .setIdentifierType(IdentifierType.EMAIL).setValue(recoveryEmail(i))
                            .setPurpose("essential.service.security.recovery")
                            .setAction(RegistrationAction.REGISTERED).setSourceSystem("account-recovery")
                            .setEventTime(Instant.ofEpochMilli(t0 + 1)).build();
                    producer.send(new ProducerRecord<>(topics.registrations(), null, t0 + 1, user,
                            serdes.registration().encode(topics.registrations(), registration)));
                    for (HashForm form : HashForm.values()) {
                        recoveryDigests.add(form.hex(recoveryEmail(i)));
                    }
                }
            }
            // Acknowledged before the guarded records are sent: the firewall applies side records committed before a
            // data record is read (README, "Event time"); one sent alongside it, unacknowledged, may land after it.
            producer.flush();
            // The guarded records, written by Apicurio's serializer
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks =
                    new ArrayList<>();
            List<Kind> kinds = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                byte[] value = theirs.serialize(guarded, profile(i));
                acks.add(producer.send(new ProducerRecord<>(guarded, null, t0 + 1_000 + i, user(i), value)));
                kinds.add(kindOf(i));
            }
            producer.flush();
            for (int i = 0; i < acks.size(); i++) {
                sent.put(Coord.of(acks.get(i).get()), kinds.get(i));
            }

            long quarantine = count(Kind.RECOVERY_EMAIL_IN_NOTES) + count(Kind.HONEYTOKEN);
            long audience = 2 * count(Kind.TWO_IDENTIFIERS) + count(Kind.SHA1_EMAIL);
            long suppressed = count(Kind.NO_CONSENT);
            outputs.pollUntilAtLeast(quarantine + audience + suppressed, OUTPUT_DEADLINE);
            outputs.drain(Duration.ofSeconds(3));
            System.out.printf("[GuardedTopicEndToEndIT] %d guarded records decided in %d ms: %s%n", USERS,
                    millisSince(t), outputs.counts());

            // Exact counts per output, nothing dead-lettered
            assertThat(outputs.countsAsLongs()).isEqualTo(Map.of(Expected.FORWARD, audience,
                    Expected.QUARANTINE, quarantine, Expected.SUPPRESS, suppressed, Expected.DEAD_LETTER, 0L));
            // Each quarantined or suppressed record is the one expected, by its source coordinates, once
            Set<Coord> seen = new HashSet<>();
            for (EndToEndSupport.Output out : outputs.of(Expected.QUARANTINE)) {
                QuarantineRecord q = (QuarantineRecord) out.value();
                Coord source = Coord.of(q.getSource());
                assertThat(seen.add(source)).as("one output for %s", source).isTrue();
                Kind kind = sent.get(source);
                if (kind == Kind.HONEYTOKEN) {
                    assertThat(q.getReason()).isEqualTo("HONEYTOKEN");
                    assertThat(q.getHoneytoken()).isEqualTo("canary-phone-1");
                    assertThat(q.getFieldPath()).isEqualTo("phones[1]");
                } else {
                    assertThat(kind).isEqualTo(Kind.RECOVERY_EMAIL_IN_NOTES);
                    assertThat(q.getReason()).isEqualTo("RESTRICTED_IDENTIFIER_IN_FIELD");
                    assertThat(q.getFieldPath()).isEqualTo("support.notes");
                }
                assertThat(q.getOriginalValue()).isNotNull();
            }
            for (EndToEndSupport.Output out : outputs.of(Expected.SUPPRESS)) {
                SuppressedRecord s = (SuppressedRecord) out.value();
                Coord source = Coord.of(s.getSource());
                assertThat(seen.add(source)).as("one output for %s", source).isTrue();
                assertThat(sent.get(source)).isEqualTo(Kind.NO_CONSENT);
                assertThat(s.getReason()).isEqualTo("CONSENT_MISSING");
            }
            // The ad side gets hashes only, SHA-1 where the producer sent SHA-1, and never a recovery email
            Map<HashAlgorithm, Long> algorithms = new HashMap<>();
            for (EndToEndSupport.Output out : outputs.of(Expected.FORWARD)) {
                AudienceIdentifier a = (AudienceIdentifier) out.value();
                algorithms.merge(a.getHashAlgorithm(), 1L, Long::sum);
                assertThat(recoveryDigests).doesNotContain(a.getIdentifierHash());
                assertThat(a.getIdentifierHash()).matches("[0-9a-f]{40}|[0-9a-f]{64}");
            }
            assertThat(algorithms).isEqualTo(Map.of(HashAlgorithm.SHA256, 2 * count(Kind.TWO_IDENTIFIERS),
                    HashAlgorithm.SHA1, count(Kind.SHA1_EMAIL)));
            assertThat(honeytokenHits(app)).isEqualTo((double) count(Kind.HONEYTOKEN));
            assertThat(app.failed()).isFalse();
        }
    }

    private static long count(Kind kind) {
        long n = 0;
        for (int i = 0; i < USERS; i++) {
            if (kindOf(i) == kind) {
                n++;
            }
        }
        return n;
    }

    private static String user(int i) {
        return "user-" + i;
    }

    private static String recoveryEmail(int i) {
        return "recovery." + i + "@mail.example";
    }

    private static GenericRecord profile(int i) {
        GenericRecord support = new GenericData.Record(PROFILE_UPDATE.getField("support").schema());
        support.put("tags", Map.of("tier", "gold"));
        GenericRecord profile = new GenericData.Record(PROFILE_UPDATE);
        profile.put("accountRef", "acct-" + i);
        profile.put("support", support);
        String email = "User." + i + "@Shop.Example";
        switch (kindOf(i)) {
            case RECOVERY_EMAIL_IN_NOTES -> {
                profile.put("email", email);
                profile.put("phones", List.of());
                support.put("notes", "Customer asked us to use <" + recoveryEmail(i).toUpperCase() + "> instead.");
            }
            case TWO_IDENTIFIERS -> {
                profile.put("email", email);
                profile.put("phones", List.of(String.format("+44 20 7946 %04d", i % 10_000)));
                support.put("notes", "");
            }
            case SHA1_EMAIL -> {
                profile.put("email", HashForm.SHA1.hex(email.toLowerCase()).toUpperCase());
                profile.put("phones", List.of());
                support.put("notes", "prefers email");
            }
            case NO_CONSENT -> {
                profile.put("email", email);
                profile.put("phones", List.of());
                support.put("notes", "");
            }
            case HONEYTOKEN -> {
                profile.put("email", email);
                profile.put("phones", List.of("+44 20 7946 0001", HONEYTOKEN_PHONE));
                support.put("notes", "");
            }
        }
        return profile;
    }

    private static AvroKafkaSerializer<GenericRecord> apicurioSerializer() {
        Map<String, Object> settings = new HashMap<>();
        settings.put(SerdeConfig.REGISTRY_URL, registry.apicurioV2Url());
        settings.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, "true");
        settings.put(SerdeConfig.USE_ID, "contentId");
        settings.put(SerdeConfig.ENABLE_HEADERS, "false");
        settings.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, "true");
        AvroKafkaSerializer<GenericRecord> serializer = new AvroKafkaSerializer<>();
        serializer.configure(settings, false);
        return serializer;
    }

    private static double honeytokenHits(FirewallApp app) {
        double sum = 0;
        for (var e : app.streams().metrics().entrySet()) {
            if (e.getKey().group().equals(MetricNames.GROUP)
                    && e.getKey().name().equals(MetricNames.total(MetricNames.HONEYTOKEN_HITS))) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }
}
