package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.purposefirewall.it.EndToEndSupport.awaitRunning;
import static org.purposefirewall.it.EndToEndSupport.loadApplicationConfig;
import static org.purposefirewall.it.EndToEndSupport.millisSince;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.it.EndToEndSupport.Coord;
import org.purposefirewall.it.EndToEndSupport.Output;
import org.purposefirewall.it.EndToEndSupport.OutputCollector;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.schema.SuppressedRecord;
import org.purposefirewall.serde.FirewallSerdes;
import org.purposefirewall.serde.WireFormat;

/**
 * Issue 9: no single record, whatever its content, stops the firewall. On a real broker, every input topic
 * (contact points, consent, registrations and one guarded topic) gets every kind of poison, each followed by a good
 * record: implausible event times (2100, before 2000, negative), a far-future and an absent Kafka timestamp on the
 * input itself, empty, blank, null and 100 kB keys, a key that differs from the payload's user id, a 100,000-digit
 * identifier, a ~900 kB and a ~1.5 MB value, garbage bytes, unknown and foreign schema ids, tombstones, unknown enum
 * symbols, a purpose that is not one, a free-text field that made the tripwire quadratic and a record nested too
 * deeply to decode. Each poison lands where the design says (dead-lettered with its reason, or decided by the rules
 * that apply to it), each good record after it is decided correctly, every record ends in exactly one output, the
 * firewall stays RUNNING throughout, and a restart onto an empty state directory (restoring every changelog) runs on.
 *
 * <p>Input topics allow what a producer may send them (timestamps of any age, values up to 2 MB); output and
 * internal topics keep the broker defaults (1 MiB, timestamps at most an hour ahead), so every output and changelog
 * record the firewall writes must fit them.
 */
class PoisonRecordsIT {

    private static final int PARTITIONS = 2;
    private static final long Y2100 = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();
    private static final long Y1999 = Instant.parse("1999-12-31T00:00:00Z").toEpochMilli();
    /** Marks a record sent with no Kafka timestamp at all (-1, as clients other than Java's can write). */
    private static final long NO_TIMESTAMP = Long.MIN_VALUE;
    private static final String SECURITY = "essential.service.security.authentication";
    private static final int NEAR_LIMIT = 880_000;
    private static final int OVER_LIMIT = 1_500_000;
    private static final Map<String, String> INPUT_TOPIC_CONFIG = Map.of(
            "message.timestamp.after.max.ms", String.valueOf(Long.MAX_VALUE),
            "max.message.bytes", "2000000");

    private static final Schema SIGNUP = new Schema.Parser().parse("""
            {"type": "record", "name": "Signup", "namespace": "com.example.poison", "fields": [
              {"name": "phone", "type": "string", "pii": "PHONE"},
              {"name": "notes", "type": "string"}
            ]}""");
    private static final Schema NODE = new Schema.Parser().parse("""
            {"type": "record", "name": "Node", "namespace": "com.example.poison", "fields": [
              {"name": "next", "type": ["null", "Node"], "default": null}
            ]}""");

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    /** What one produced record must end in: an output kind and reason, or nothing (a side record applied). */
    private record Expect(String label, Coord coord, Expected kind, String reason, String decisionId) {
    }

    private final List<Expect> expects = new ArrayList<>();
    private Topics topics;
    private String guarded;
    private FirewallSerdes serdes;
    private KafkaProducer<String, byte[]> producer;
    private String policyVersion;
    private long t0;
    private int phones;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void noSingleRecordStopsTheFirewallAndEachEndsWhereTheDesignSays(@TempDir Path stateDir) throws Exception {
        long started = System.nanoTime();
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String scope = "poison-it-" + unique;
        guarded = "poison-" + unique + ".crm.signups";
        topics = EndToEndSupport.prefixed(loadApplicationConfig().topics(), "poison-" + unique + ".")
                .withGuarded(List.of(guarded));
        for (String input : List.of(topics.contactPoints(), topics.registrations(), guarded)) {
            BROKER.get().createTopic(input, PARTITIONS, INPUT_TOPIC_CONFIG);
        }
        Map<String, String> consentConfig = new HashMap<>(INPUT_TOPIC_CONFIG);
        consentConfig.put("cleanup.policy", "compact");
        BROKER.get().createTopic(topics.consent(), PARTITIONS, consentConfig);
        Map<String, Integer> outputs = new LinkedHashMap<>();
        for (String output : List.of(topics.audience(), topics.quarantine(), topics.suppressed(),
                topics.deadLetter(), topics.recalls())) {
            outputs.put(output, PARTITIONS);
        }
        BROKER.get().createTopics(outputs, Map.of());

        FirewallConfig base = loadApplicationConfig();
        SchemaRegistryConfig registry = base.schemaRegistry().withUrl("mock://" + scope);
        FirewallConfig config = base.withBootstrapServers(BROKER.get().bootstrapServers()).withSchemaRegistry(registry)
                .withApplicationId("it-poison-" + unique, stateDir.resolve("first")).withTopics(topics);
        serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        policyVersion = config.policy().version();
        t0 = System.currentTimeMillis();

        Watch watch = null;
        try (KafkaProducer<String, byte[]> p = EndToEndSupport.producer(BROKER.get().bootstrapServers(), "it-poison-",
                Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_000_000, ProducerConfig.LINGER_MS_CONFIG, 0))) {
            producer = p;
            FirewallApp app = new FirewallApp(config, serdes);
            try {
                app.start();
                awaitRunning(app, Duration.ofSeconds(90));
                watch = new Watch(app);
                System.out.printf("[PoisonRecordsIT] firewall RUNNING after %d ms%n", millisSince(started));

                // The issue's report: a lone bad registration on a quiet firewall produced nothing within 12 s.
                long lone = loneRegistrationLatency(watch, "", "registration with an empty user id",
                        "MISSING_USER_ID", registration("", phone(), t0 - 50_000));
                long digits = loneRegistrationLatency(watch, "lone-digits",
                        "registration with a 100,000-digit identifier", "TOO_LONG",
                        registration("lone-digits", "9".repeat(100_000), t0 - 50_000));
                System.out.printf("[PoisonRecordsIT] lone dead letters after %d ms (empty user id) and %d ms "
                        + "(100,000 digits)%n", lone, digits);
                assertThat(Math.max(lone, digits)).as("a lone bad registration is dead-lettered within 5 s")
                        .isLessThan(5_000);

                // Side records first (consent and registrations, poisons and good ones), then the data records,
                // so that every side record is committed before the data records that depend on it are read.
                List<Runnable> data = new ArrayList<>();
                for (String user : consentedDataUsers()) {
                    send("consent of " + user, topics.consent(), user, null, grantState(user, t0 - 60_000), null,
                            null);
                }
                consentPoisons(data);
                registrationPoisons(data);
                producer.flush();
                data.forEach(Runnable::run);
                contactPointPoisons();
                guardedPoisons();
                producer.flush();
                System.out.printf("[PoisonRecordsIT] %d records produced after %d ms%n", expects.size(),
                        millisSince(started));

                verify(watch, Duration.ofSeconds(60));
                System.out.printf("[PoisonRecordsIT] every record in its output after %d ms%n", millisSince(started));
            } finally {
                if (watch != null) {
                    watch.stop();
                }
                app.close();
            }
            assertThat(watch.problems()).as("the firewall stayed RUNNING while it read every poison").isEmpty();

            // A restart onto an empty state directory restores every changelog the poisons went near, and decides on.
            FirewallConfig restarted = config.withApplicationId(config.applicationId(), stateDir.resolve("second"));
            FirewallApp again = new FirewallApp(restarted, serdes);
            Watch second = null;
            try {
                again.start();
                awaitRunning(again, Duration.ofSeconds(90));
                second = new Watch(again);
                int from = expects.size();
                send("after restart: consented user", topics.contactPoints(), "c-good-0", null,
                        cp("c-good-0", IdentifierType.EMAIL, "c-good-0@mail.example", t0 - 5_000),
                        Expected.FORWARD, "CONSENT_GRANTED");
                send("after restart: registered phone", topics.contactPoints(), "r-good-0", null,
                        cp("r-good-0", IdentifierType.PHONE, registeredPhone("r-good-0"), t0 - 5_000),
                        Expected.QUARANTINE, "REGISTERED_FOR_RESTRICTED_PURPOSE");
                producer.flush();
                verify(second, Duration.ofSeconds(60), from);
            } finally {
                if (second != null) {
                    second.stop();
                }
                again.close();
            }
            assertThat(second.problems()).as("the restarted firewall stayed RUNNING").isEmpty();
            System.out.printf("[PoisonRecordsIT] restart decided on; %d ms in all%n", millisSince(started));
        } finally {
            MockSchemaRegistryClient.dropScope(scope);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The poisons, per input topic. Each is followed by a good record whose decision shows the firewall went on.
    // ------------------------------------------------------------------------------------------------------------

    private void contactPointPoisons() {
        String cp = topics.contactPoints();
        long now = t0 - 5_000;
        poison(cp, "event time in 2100", "cp-2100", null, cp("cp-2100", IdentifierType.EMAIL, "a@mail.example",
                Y2100), Expected.DEAD_LETTER, "INVALID_EVENT_TIME");
        good(cp);
        poison(cp, "event time before 2000", "cp-1999", null, cp("cp-1999", IdentifierType.EMAIL, "a@mail.example",
                Y1999), Expected.DEAD_LETTER, "INVALID_EVENT_TIME");
        good(cp);
        poison(cp, "negative event time", "cp-neg", null, cp("cp-neg", IdentifierType.EMAIL, "a@mail.example",
                -5_000), Expected.DEAD_LETTER, "INVALID_EVENT_TIME");
        good(cp);
        poison(cp, "Kafka timestamp in 2100", "cp-good-kts", Y2100, cp("cp-good-kts", IdentifierType.EMAIL,
                "kts@mail.example", now), Expected.FORWARD, "CONSENT_GRANTED");
        good(cp);
        poison(cp, "no Kafka timestamp", "cp-good-nots", NO_TIMESTAMP, cp("cp-good-nots", IdentifierType.EMAIL,
                "nots@mail.example", now), Expected.FORWARD, "CONSENT_GRANTED");
        good(cp);
        keyPoisons(cp, user -> cp(user, IdentifierType.EMAIL, "k@mail.example", now), () -> good(cp));
        poison(cp, "100,000-digit identifier", "cp-digits", null, cp("cp-digits", IdentifierType.PHONE,
                "4".repeat(100_000), now), Expected.DEAD_LETTER, "TOO_LONG");
        good(cp);
        poison(cp, "~900 kB value", "cp-good-big", null, withAttribute(cp("cp-good-big", IdentifierType.EMAIL,
                "big@mail.example", now), text(NEAR_LIMIT)), Expected.FORWARD, "CONSENT_GRANTED");
        good(cp);
        poison(cp, "~1.5 MB value", "cp-good-huge", null, withAttribute(cp("cp-good-huge", IdentifierType.EMAIL,
                "huge@mail.example", now), text(OVER_LIMIT)), Expected.DEAD_LETTER, "RECORD_TOO_LARGE");
        good(cp);
        wirePoisons(cp, "cp-wire", encodeFor(topics.consent(), grantState("x", now)), () -> good(cp));
        poisonRaw(cp, "tombstone", "cp-tomb", null, null, Expected.DEAD_LETTER, "EMPTY_VALUE");
        good(cp);
        poisonRaw(cp, "unknown identifier type", "cp-idfa", null, unknownIdentifierType("cp-idfa", now),
                Expected.DEAD_LETTER, "UNKNOWN_IDENTIFIER_TYPE");
        good(cp);
        ContactPoint badPurpose = cp("cp-purpose", IdentifierType.EMAIL, "p@mail.example", now);
        badPurpose.setDeclaredPurposes(List.of("Not a purpose!"));
        poison(cp, "purpose that is not a dotted purpose", "cp-purpose", null, badPurpose, Expected.DEAD_LETTER,
                "INVALID_PURPOSE");
        good(cp);
        // Thousands of '=' before an '@' made the tripwire try every tail as an address: quadratic in the length.
        poison(cp, "free text the tripwire once read in quadratic time", "cp-good-eq", null,
                withAttribute(cp("cp-good-eq", IdentifierType.EMAIL, "eq@mail.example", now),
                        "=".repeat(200_000) + "@mail.example"), Expected.FORWARD, "CONSENT_GRANTED");
        good(cp);
    }

    private void guardedPoisons() {
        long now = t0 - 5_000;
        // On a guarded topic the Kafka timestamp is the event time.
        poisonRaw(guarded, "Kafka timestamp (its event time) in 2100", "g-2100", Y2100, signup(phone(), "hello"),
                Expected.DEAD_LETTER, "INVALID_EVENT_TIME");
        good(guarded);
        poisonRaw(guarded, "Kafka timestamp (its event time) before 2000", "g-1999", Y1999, signup(phone(), "hi"),
                Expected.DEAD_LETTER, "INVALID_EVENT_TIME");
        good(guarded);
        poisonRaw(guarded, "no Kafka timestamp (no event time)", "g-nots", NO_TIMESTAMP, signup(phone(), "hi"),
                Expected.DEAD_LETTER, "INVALID_EVENT_TIME");
        good(guarded);
        for (String[] key : new String[][] {{"empty user id", ""}, {"blank user id", "   "}, {"null key", null}}) {
            poisonRaw(guarded, key[0], key[1], now, signup(phone(), "hi"), Expected.DEAD_LETTER, "MISSING_USER_ID");
            good(guarded);
        }
        poisonRaw(guarded, "100 kB user id", "u".repeat(100_000), now, signup(phone(), "hi"), Expected.DEAD_LETTER,
                "USER_ID_TOO_LONG");
        good(guarded);
        poisonRaw(guarded, "100,000-digit identifier", "g-digits", now, signup("5".repeat(100_000), "hi"),
                Expected.DEAD_LETTER, "TOO_LONG");
        good(guarded);
        String bigPhone = phone();
        poisonRaw(guarded, "~900 kB value", "g-good-big", now, signup(bigPhone, text(NEAR_LIMIT)), Expected.FORWARD,
                "CONSENT_GRANTED");
        good(guarded);
        poisonRaw(guarded, "~1.5 MB value", "g-huge", now, signup(phone(), text(OVER_LIMIT)), Expected.DEAD_LETTER,
                "RECORD_TOO_LARGE");
        good(guarded);
        wirePoisons(guarded, "g-wire", framed(serdes.registry().register("poison-string-value",
                Schema.create(Schema.Type.STRING)), new byte[] {2, 'x'}), () -> good(guarded));
        poisonRaw(guarded, "tombstone", "g-tomb", now, null, Expected.DEAD_LETTER, "EMPTY_VALUE");
        good(guarded);
        poisonRaw(guarded, "record nested 100,000 deep", "g-deep", now, deeplyNested(100_000), Expected.DEAD_LETTER,
                "MALFORMED_AVRO");
        good(guarded);
    }

    private void consentPoisons(List<Runnable> data) {
        String c = topics.consent();
        long effective = t0 - 60_000;
        poison(c, "effective time in 2100", "c-2100", null, grantState("c-2100", Y2100), Expected.DEAD_LETTER,
                "INVALID_EVENT_TIME");
        goodConsent(data);
        poison(c, "effective time before 2000", "c-1999", null, grantState("c-1999", Y1999), Expected.DEAD_LETTER,
                "INVALID_EVENT_TIME");
        goodConsent(data);
        poison(c, "negative effective time", "c-neg", null, grantState("c-neg", -5_000), Expected.DEAD_LETTER,
                "INVALID_EVENT_TIME");
        goodConsent(data);
        // Decided by their own effective time, whatever the Kafka timestamp: the grant applies.
        poison(c, "Kafka timestamp in 2100", "c-kts", Y2100, grantState("c-kts", effective), null, null);
        data.add(() -> check("data after a consent with a Kafka timestamp in 2100", "c-kts", Expected.FORWARD,
                "CONSENT_GRANTED"));
        goodConsent(data);
        poison(c, "no Kafka timestamp", "c-nots", NO_TIMESTAMP, grantState("c-nots", effective), null, null);
        data.add(() -> check("data after a consent without a Kafka timestamp", "c-nots", Expected.FORWARD,
                "CONSENT_GRANTED"));
        goodConsent(data);
        keyPoisons(c, user -> grantState(user, effective), () -> goodConsent(data));
        ConsentState digits = grantState("c-tcf", effective);
        digits.setTcfString("7".repeat(100_000));
        poison(c, "100,000-digit consent string", "c-tcf", null, digits, null, null);
        data.add(() -> check("data after a 100,000-digit consent string", "c-tcf", Expected.SUPPRESS,
                "CONSENT_INVALID"));
        goodConsent(data);
        ConsentState big = grantState("c-big", effective);
        big.setSource(text(NEAR_LIMIT));
        poison(c, "~900 kB value", "c-big", null, big, null, null);
        data.add(() -> check("data after a ~900 kB consent", "c-big", Expected.FORWARD, "CONSENT_GRANTED"));
        goodConsent(data);
        ConsentState huge = grantState("c-huge", effective);
        huge.setSource(text(OVER_LIMIT));
        poison(c, "~1.5 MB value", "c-huge", null, huge, Expected.DEAD_LETTER, "RECORD_TOO_LARGE");
        goodConsent(data);
        wirePoisons(c, "c-wire", encodeFor(topics.contactPoints(), cp("x", IdentifierType.EMAIL,
                "x@mail.example", effective)), () -> goodConsent(data));
        // A tombstone is "no consent from here on", by design not a dead letter.
        poison(c, "grant before a tombstone", "c-tomb", null, grantState("c-tomb", effective), null, null);
        poisonRaw(c, "tombstone", "c-tomb", t0 - 30_000, null, null, null);
        data.add(() -> check("data after a consent tombstone", "c-tomb", Expected.SUPPRESS, "CONSENT_MISSING"));
        goodConsent(data);
        poisonRaw(c, "unknown consent status", "c-enum", null, unknownConsentStatus("c-enum", effective),
                Expected.DEAD_LETTER, "INCOMPATIBLE_SCHEMA");
        goodConsent(data);
        ConsentState badPurpose = grantState("c-purpose", effective);
        badPurpose.setPurposes(List.of(new PurposeConsent("Not a purpose!", ConsentStatus.GRANTED)));
        poison(c, "purpose that is not a dotted purpose", "c-purpose", null, badPurpose, Expected.DEAD_LETTER,
                "INVALID_PURPOSE");
        goodConsent(data);
    }

    private void registrationPoisons(List<Runnable> data) {
        String r = topics.registrations();
        long time = t0 - 50_000;
        poison(r, "event time in 2100", "r-2100", null, registration("r-2100", phone(), Y2100), Expected.DEAD_LETTER,
                "INVALID_EVENT_TIME");
        goodRegistration(data);
        poison(r, "event time before 2000", "r-1999", null, registration("r-1999", phone(), Y1999),
                Expected.DEAD_LETTER, "INVALID_EVENT_TIME");
        goodRegistration(data);
        poison(r, "negative event time", "r-neg", null, registration("r-neg", phone(), -5_000),
                Expected.DEAD_LETTER, "INVALID_EVENT_TIME");
        goodRegistration(data);
        appliedRegistration(data, "Kafka timestamp in 2100", "r-kts", Y2100, null);
        goodRegistration(data);
        appliedRegistration(data, "no Kafka timestamp", "r-nots", NO_TIMESTAMP, null);
        goodRegistration(data);
        keyPoisons(r, user -> registration(user, phone(), time), () -> goodRegistration(data));
        poison(r, "100,000-digit identifier", "r-digits", null, registration("r-digits", "6".repeat(100_000), time),
                Expected.DEAD_LETTER, "TOO_LONG");
        goodRegistration(data);
        appliedRegistration(data, "~900 kB value", "r-big", null, text(NEAR_LIMIT));
        goodRegistration(data);
        PurposeRegistration huge = registration("r-huge", phone(), time);
        huge.setSourceSystem(text(OVER_LIMIT));
        poison(r, "~1.5 MB value", "r-huge", null, huge, Expected.DEAD_LETTER, "RECORD_TOO_LARGE");
        goodRegistration(data);
        wirePoisons(r, "r-wire", encodeFor(topics.consent(), grantState("x", time)), () -> goodRegistration(data));
        poisonRaw(r, "tombstone", "r-tomb", null, null, Expected.DEAD_LETTER, "EMPTY_VALUE");
        goodRegistration(data);
        poisonRaw(r, "unknown identifier type", "r-idfa", null, unknownRegistrationSymbol("r-idfa", time, "IDFA",
                "REGISTERED"), Expected.DEAD_LETTER, "UNKNOWN_IDENTIFIER_TYPE");
        goodRegistration(data);
        poisonRaw(r, "unknown action", "r-action", null, unknownRegistrationSymbol("r-action", time, "PHONE",
                "SUSPENDED"), Expected.DEAD_LETTER, "INCOMPATIBLE_SCHEMA");
        goodRegistration(data);
        PurposeRegistration badPurpose = registration("r-purpose", phone(), time);
        badPurpose.setPurpose("Not a purpose!");
        poison(r, "purpose that is not a dotted purpose", "r-purpose", null, badPurpose, Expected.DEAD_LETTER,
                "INVALID_PURPOSE");
        goodRegistration(data);
    }

    /** Empty, blank, null, 100 kB keys and a key that is not the payload's user id; {@code after} follows each. */
    private void keyPoisons(String topic, java.util.function.Function<String, Object> payload, Runnable after) {
        String prefix = topic.equals(topics.contactPoints()) ? "cp" : topic.equals(topics.consent()) ? "c" : "r";
        String[][] keys = {{"empty user id", ""}, {"blank user id", "   "}, {"null key", null}};
        for (String[] key : keys) {
            if (key[1] == null && topic.equals(topics.consent())) {
                continue;  // a compacted topic refuses records without a key: this one cannot reach the firewall
            }
            poison(topic, key[0], key[1], null, payload.apply(key[1] == null ? prefix + "-null" : key[1]),
                    Expected.DEAD_LETTER, "MISSING_USER_ID");
            after.run();
        }
        String long100k = prefix.charAt(0) + "x".repeat(100_000);
        poison(topic, "100 kB user id", long100k, null, payload.apply(long100k), Expected.DEAD_LETTER,
                "USER_ID_TOO_LONG");
        after.run();
        poison(topic, "key differs from the payload's user id", prefix + "-mismatch", null,
                payload.apply(prefix + "-someone-else"), Expected.DEAD_LETTER, "KEY_MISMATCH");
        after.run();
    }

    /** Bytes that are no record: garbage, garbage behind a real header, an unknown id, another schema's id. */
    private void wirePoisons(String topic, String key, byte[] foreign, Runnable after) {
        int ownId = topic.equals(guarded) ? serdes.registry().register(guarded + "-value", SIGNUP)
                : serdes.registry().register(topic + "-value", topic.equals(topics.contactPoints())
                        ? ContactPoint.getClassSchema() : topic.equals(topics.consent())
                        ? ConsentState.getClassSchema() : PurposeRegistration.getClassSchema());
        Long time = topic.equals(guarded) ? t0 - 5_000 : null;
        byte[] garbage = new byte[64];
        new java.util.Random(9).nextBytes(garbage);
        garbage[0] = 0x7F;
        byte[] malformed = new byte[24];
        java.util.Arrays.fill(malformed, (byte) 0xFF);
        String[][] kinds = {{"garbage bytes", "NOT_WIRE_FORMAT"}, {"garbage behind a valid header", "MALFORMED_AVRO"},
                {"unknown schema id", "UNKNOWN_SCHEMA_ID"}, {"another schema's id", "INCOMPATIBLE_SCHEMA"}};
        byte[][] values = {garbage, framed(ownId, malformed), framed(987_654, new byte[] {2, 'u'}), foreign};
        for (int i = 0; i < kinds.length; i++) {
            poisonRaw(topic, kinds[i][0], key + "-" + i, time, values[i], Expected.DEAD_LETTER, kinds[i][1]);
            after.run();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Good records, and the data records that show a side record was applied
    // ------------------------------------------------------------------------------------------------------------

    /** A good data record after a poison: its user consented, so it is forwarded. */
    private void good(String topic) {
        int n = topic.equals(guarded) ? guardedGoods++ : contactGoods++;
        String user = (topic.equals(guarded) ? "g-good-" : "cp-good-") + n;
        if (topic.equals(guarded)) {
            poisonRaw(topic, "good record " + n, user, t0 - 5_000, signup(phone(), "all fine"), Expected.FORWARD,
                    "CONSENT_GRANTED");
        } else {
            poison(topic, "good record " + n, user, null, cp(user, IdentifierType.EMAIL, user + "@mail.example",
                    t0 - 5_000), Expected.FORWARD, "CONSENT_GRANTED");
        }
    }

    private int contactGoods;
    private int guardedGoods;
    private int consentGoods;
    private int registrationGoods;

    /** Users of data records that must be forwarded: granted before any data record is sent. */
    private static List<String> consentedDataUsers() {
        List<String> users = new ArrayList<>(List.of("cp-good-kts", "cp-good-nots", "cp-good-big", "cp-good-eq",
                "g-good-big"));
        for (int i = 0; i < 40; i++) {
            users.add("cp-good-" + i);
            users.add("g-good-" + i);
        }
        return users;
    }

    private void goodConsent(List<Runnable> data) {
        int n = consentGoods++;
        String user = "c-good-" + n;
        poison(topics.consent(), "good consent " + n, user, null, grantState(user, t0 - 60_000), null, null);
        data.add(() -> check("data after good consent " + n, user, Expected.FORWARD, "CONSENT_GRANTED"));
    }

    private void goodRegistration(List<Runnable> data) {
        int n = registrationGoods++;
        appliedRegistration(data, "good registration " + n, "r-good-" + n, null, null);
    }

    /** A registration that must apply: the user's contact point with that phone is then quarantined. */
    private void appliedRegistration(List<Runnable> data, String label, String user, Long timestamp, String source) {
        PurposeRegistration r = registration(user, registeredPhone(user), t0 - 50_000);
        if (source != null) {
            r.setSourceSystem(source);
        }
        poison(topics.registrations(), label, user, timestamp, r, null, null);
        data.add(() -> send("data after registration: " + label, topics.contactPoints(), user, null,
                cp(user, IdentifierType.PHONE, registeredPhone(user), t0 - 5_000), Expected.QUARANTINE,
                "REGISTERED_FOR_RESTRICTED_PURPOSE"));
    }

    private final Map<String, String> registeredPhones = new HashMap<>();

    private String registeredPhone(String user) {
        return registeredPhones.computeIfAbsent(user, u -> phone());
    }

    private void check(String label, String user, Expected kind, String reason) {
        send(label, topics.contactPoints(), user, null, cp(user, IdentifierType.EMAIL, user + "@mail.example",
                t0 - 5_000), kind, reason);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Producing and checking
    // ------------------------------------------------------------------------------------------------------------

    private void poison(String topic, String label, String key, Long timestamp, Object value, Expected kind,
                        String reason) {
        poisonRaw(topic, label, key, timestamp, encodeFor(topic, value), kind, reason);
    }

    private void poisonRaw(String topic, String label, String key, Long timestamp, byte[] value, Expected kind,
                           String reason) {
        send(topicLabel(topic) + ": " + label, topic, key, timestamp, value, kind, reason);
    }

    private String topicLabel(String topic) {
        return topic.equals(topics.contactPoints()) ? "contact points" : topic.equals(topics.consent()) ? "consent"
                : topic.equals(topics.registrations()) ? "registrations" : "guarded";
    }

    private void send(String label, String topic, String key, Long timestamp, Object value, Expected kind,
                      String reason) {
        byte[] bytes = value instanceof byte[] b ? b : value == null ? null : encodeFor(topic, value);
        ProducerRecord<String, byte[]> record = timestamp != null && timestamp == NO_TIMESTAMP
                ? new ProducerRecord<>(topic, null, null, key, bytes) {
                    @Override
                    public Long timestamp() {
                        return -1L;
                    }
                }
                : new ProducerRecord<>(topic, null, timestamp, key, bytes);
        RecordMetadata metadata;
        try {
            metadata = producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot produce " + label + ": " + e.getMessage(), e);
        }
        Coord coord = Coord.of(metadata);
        String id = null;
        if (kind == Expected.FORWARD) {
            String basis = coord.topic() + '/' + coord.partition() + '/' + coord.offset() + '/' + policyVersion
                    + (topic.equals(guarded) ? "/phone" : "");
            id = UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString();
        }
        expects.add(new Expect(label, coord, kind, reason, id));
    }

    /**
     * Sends one bad registration alone, on a quiet firewall, and returns how long it took until its dead letter was
     * readable (read_committed), measured by a reader that was already caught up.
     */
    private long loneRegistrationLatency(Watch watch, String key, String label, String reason,
                                         PurposeRegistration value) {
        try (OutputCollector collector = new OutputCollector(BROKER.get().bootstrapServers(), PARTITIONS, topics, serdes,
                "it-poison-lone-", Map.of(), null, null)) {
            collector.drain(Duration.ofMillis(500));
            int before = collector.of(Expected.DEAD_LETTER).size();
            long start = System.nanoTime();
            send("registrations: lone " + label, topics.registrations(), key, null, encodeFor(topics.registrations(),
                    value), Expected.DEAD_LETTER, reason);
            long end = start + Duration.ofSeconds(30).toNanos();
            while (collector.of(Expected.DEAD_LETTER).size() == before) {
                assertThat(watch.problems()).as("the firewall runs").isEmpty();
                assertThat(System.nanoTime() - end).as("%s dead-lettered within 30 s", label).isNegative();
                collector.pollOnce(Duration.ofMillis(20));
            }
            long took = millisSince(start);
            DeadLetterRecord dead = (DeadLetterRecord) collector.of(Expected.DEAD_LETTER).get(before).value();
            assertThat(dead.getReason()).isEqualTo(reason);
            return took;
        }
    }

    private void verify(Watch watch, Duration deadline) {
        verify(watch, deadline, 0);
    }

    /**
     * Reads the outputs (from the beginning) until every expectation from index {@code from} on has its output, then
     * checks those: exactly one output each, of the right kind and reason, and none where a side record was applied.
     * Any output that answers no expectation at all is a problem too.
     */
    private void verify(Watch watch, Duration deadline, int from) {
        List<Expect> wanted = expects.subList(from, expects.size());
        long outputs = wanted.stream().filter(e -> e.kind() != null).count();
        Map<Coord, Expect> byCoord = new HashMap<>();
        Map<String, Expect> byDecisionId = new HashMap<>();
        for (Expect e : expects) {
            byCoord.put(e.coord(), e);
            if (e.decisionId() != null) {
                byDecisionId.put(e.decisionId(), e);
            }
        }
        Map<Expect, List<Output>> found = new HashMap<>();
        List<String> strays = new ArrayList<>();
        try (OutputCollector collector = new OutputCollector(BROKER.get().bootstrapServers(), PARTITIONS, topics, serdes,
                "it-poison-reader-", Map.of(), null, null)) {
            long end = System.nanoTime() + deadline.toNanos();
            while (answered(wanted, found) < outputs) {
                if (!watch.problems().isEmpty()) {
                    fail("the firewall stopped while reading the poisons: %s; outputs so far %s, dead letters %s",
                            watch.problems(), collector.counts(), collector.deadLetterReasons());
                }
                if (System.nanoTime() - end > 0) {
                    List<String> missing = new ArrayList<>();
                    for (Expect e : wanted) {
                        if (e.kind() != null && !found.containsKey(e)) {
                            missing.add(e.label() + " (" + e.kind() + " " + e.reason() + ")");
                        }
                    }
                    fail("outputs missing after %s: %s", deadline, missing);
                }
                collector.pollOnce(Duration.ofMillis(100));
                collect(collector, byCoord, byDecisionId, found, strays);
            }
            collector.drain(Duration.ofMillis(1_500));
            collect(collector, byCoord, byDecisionId, found, strays);
        }
        List<String> problems = new ArrayList<>(strays);
        for (Expect e : wanted) {
            List<Output> outs = found.getOrDefault(e, List.of());
            if (e.kind() == null) {
                if (!outs.isEmpty()) {
                    problems.add(e.label() + ": expected no output (a side record applied), got " + describe(outs));
                }
                continue;
            }
            if (outs.size() != 1 || outs.get(0).kind() != e.kind() || !reason(outs.get(0)).equals(e.reason())) {
                problems.add(e.label() + ": expected exactly one " + e.kind() + " " + e.reason() + ", got "
                        + describe(outs));
            }
        }
        assertThat(problems).as("each record in exactly one output, the one the design says").isEmpty();
    }

    private static long answered(List<Expect> wanted, Map<Expect, List<Output>> found) {
        return wanted.stream().filter(e -> e.kind() != null && found.containsKey(e)).count();
    }

    /** Files every output read so far under the expectation it answers. */
    private static void collect(OutputCollector collector, Map<Coord, Expect> byCoord,
                                Map<String, Expect> byDecisionId, Map<Expect, List<Output>> found,
                                List<String> strays) {
        found.clear();
        strays.clear();
        for (Output out : collector.all()) {
            Expect e = out.kind() == Expected.FORWARD
                    ? byDecisionId.get(((org.purposefirewall.schema.AudienceIdentifier) out.value()).getDecisionId())
                    : byCoord.get(out.source());
            if (e == null) {
                strays.add("an output no record here asked for: " + describe(List.of(out)));
                continue;
            }
            found.computeIfAbsent(e, k -> new ArrayList<>()).add(out);
        }
    }

    private static String reason(Output out) {
        return switch (out.kind()) {
            case FORWARD -> "CONSENT_GRANTED";
            case QUARANTINE -> ((QuarantineRecord) out.value()).getReason();
            case SUPPRESS -> ((SuppressedRecord) out.value()).getReason();
            case DEAD_LETTER -> ((DeadLetterRecord) out.value()).getReason();
        };
    }

    private static String describe(List<Output> outs) {
        List<String> parts = new ArrayList<>();
        for (Output out : outs) {
            String detail = out.value() instanceof DeadLetterRecord d ? " (" + d.getDetail() + ")" : "";
            parts.add(out.kind() + " " + reason(out) + detail + (out.source() == null ? "" : " @" + out.source()));
        }
        return parts.toString();
    }

    /** Watches the firewall from the moment it is RUNNING: any other state, or a failure, is a problem. */
    private static final class Watch {
        private final List<String> problems = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        Watch(FirewallApp app) {
            thread = new Thread(() -> {
                while (running) {
                    KafkaStreams.State state = app.streams().state();
                    if (state != KafkaStreams.State.RUNNING && problems.size() < 10) {
                        problems.add("state " + state);
                    }
                    if (app.failed() && problems.stream().noneMatch(p -> p.equals("failed"))) {
                        problems.add("failed");
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "poison-it-watch");
            thread.setDaemon(true);
            thread.start();
        }

        List<String> problems() {
            return problems;
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(2_000);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Records
    // ------------------------------------------------------------------------------------------------------------

    private String phone() {
        return String.format("+44 7700 900%03d", phones++);
    }

    private static String text(int bytes) {
        StringBuilder s = new StringBuilder(bytes);
        while (s.length() < bytes) {
            s.append("lorem ipsum dolor sit amet ");
        }
        return s.substring(0, bytes);
    }

    private static ContactPoint cp(String user, IdentifierType type, String value, long time) {
        return ContactPoint.newBuilder().setUserId(user).setIdentifierType(type).setValue(value)
                .setDeclaredPurposes(List.of()).setSourceSystem("ads-sync").setEventTime(Instant.ofEpochMilli(time))
                .setAttributes(Map.of()).build();
    }

    private static ContactPoint withAttribute(ContactPoint contact, String text) {
        contact.setAttributes(Map.of("note", text));
        return contact;
    }

    private static ConsentState grantState(String user, long time) {
        return ConsentState.newBuilder().setUserId(user)
                .setPurposes(List.of(new PurposeConsent("marketing.advertising", ConsentStatus.GRANTED)))
                .setSource("it-cmp").setEffectiveTime(Instant.ofEpochMilli(time)).build();
    }

    private static PurposeRegistration registration(String user, String phone, long time) {
        return PurposeRegistration.newBuilder().setUserId(user).setIdentifierType(IdentifierType.PHONE)
                .setValue(phone).setPurpose(SECURITY).setAction(RegistrationAction.REGISTERED)
                .setSourceSystem("two-factor-auth").setEventTime(Instant.ofEpochMilli(time)).build();
    }

    private byte[] encodeFor(String topic, Object value) {
        if (value instanceof ContactPoint c) {
            return serdes.contactPoint().encode(topic.equals(topics.contactPoints()) ? topic : "poison-cp", c);
        }
        if (value instanceof ConsentState s) {
            return serdes.consentState().encode(topic.equals(topics.consent()) ? topic : "poison-consent", s);
        }
        if (value instanceof PurposeRegistration r) {
            return serdes.registration().encode(topic, r);
        }
        throw new IllegalArgumentException("no encoding for " + value);
    }

    private byte[] signup(String phone, String notes) {
        GenericRecord record = new GenericData.Record(SIGNUP);
        record.put("phone", phone);
        record.put("notes", notes);
        return generic(guarded + "-value", record);
    }

    private byte[] deeplyNested(int depth) {
        int id = serdes.registry().register("poison-node-value", NODE);
        byte[] body = new byte[depth + 1];
        java.util.Arrays.fill(body, (byte) 2);
        body[depth] = 0;
        return framed(id, body);
    }

    /** A contact point of a newer producer whose IdentifierType has a symbol this firewall does not know. */
    private byte[] unknownIdentifierType(String user, long time) {
        Schema writer = withSymbol(ContactPoint.getClassSchema(), "\"MOBILE_AD_ID\"", "\"MOBILE_AD_ID\",\"IDFA\"");
        GenericRecord record = new GenericData.Record(writer);
        record.put("userId", user);
        record.put("identifierType", new GenericData.EnumSymbol(writer.getField("identifierType").schema(), "IDFA"));
        record.put("value", "ABCD-1234");
        record.put("declaredPurposes", List.of());
        record.put("sourceSystem", "ads-sync");
        record.put("eventTime", time);
        record.put("attributes", Map.of());
        return generic("poison-cp-idfa-value", record);
    }

    private byte[] unknownConsentStatus(String user, long time) {
        Schema writer = withSymbol(ConsentState.getClassSchema(), "\"GRANTED\",\"DENIED\"",
                "\"GRANTED\",\"DENIED\",\"LEGITIMATE_INTEREST\"");
        Schema choice = writer.getField("purposes").schema().getElementType();
        GenericRecord purpose = new GenericData.Record(choice);
        purpose.put("purpose", "marketing.advertising");
        purpose.put("status", new GenericData.EnumSymbol(choice.getField("status").schema(), "LEGITIMATE_INTEREST"));
        GenericRecord record = new GenericData.Record(writer);
        record.put("userId", user);
        record.put("purposes", List.of(purpose));
        record.put("optOutOfTargetedAdvertising", false);
        record.put("optOutOfSale", false);
        record.put("source", "it-cmp");
        record.put("tcfString", null);
        record.put("gppString", null);
        record.put("globalPrivacyControl", false);
        record.put("effectiveTime", time);
        return generic("poison-consent-enum-value", record);
    }

    private byte[] unknownRegistrationSymbol(String user, long time, String type, String action) {
        Schema writer = type.equals("IDFA")
                ? withSymbol(PurposeRegistration.getClassSchema(), "\"MOBILE_AD_ID\"", "\"MOBILE_AD_ID\",\"IDFA\"")
                : withSymbol(PurposeRegistration.getClassSchema(), "\"REGISTERED\",\"WITHDRAWN\"",
                        "\"REGISTERED\",\"WITHDRAWN\",\"" + action + "\"");
        GenericRecord record = new GenericData.Record(writer);
        record.put("userId", user);
        record.put("identifierType", new GenericData.EnumSymbol(writer.getField("identifierType").schema(), type));
        record.put("value", type.equals("PHONE") ? "+44 7700 900999" : "ABCD-1234");
        record.put("purpose", SECURITY);
        record.put("action", new GenericData.EnumSymbol(writer.getField("action").schema(), action));
        record.put("sourceSystem", "two-factor-auth");
        record.put("eventTime", time);
        return generic("poison-registration-" + type + "-" + action + "-value", record);
    }

    private static Schema withSymbol(Schema schema, String symbols, String more) {
        String json = schema.toString();
        assertThat(json).contains(symbols);
        return new Schema.Parser().parse(json.replace(symbols, more));
    }

    private byte[] generic(String subject, GenericRecord record) {
        int id = serdes.registry().register(subject, record.getSchema());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
        try {
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return framed(id, body.toByteArray());
    }

    private static byte[] framed(int id, byte[] body) {
        return WireFormat.frame(id, body, body.length);
    }
}
