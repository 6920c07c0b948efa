package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.AD_PURPOSE;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.grant;
import static org.purposefirewall.topology.FirewallDriver.registration;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.app.StreamsSettings;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Processing;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.config.Topics;
import org.purposefirewall.identity.Sha256;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.registry.RegistryUnavailableException;
import org.purposefirewall.registry.SchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * A schema registry outage is not bad input: records of cached schemas keep flowing, records that need an unseen
 * schema are parked and decided exactly once when the registry answers, and a parked consent or registration record
 * holds the contact points behind it (fail closed).
 */
class RegistryOutageTopologyTest {

    private static final long T = 1_700_000_000_000L;

    @TempDir
    Path stateDir;

    private final String scope = "outage-test-" + UUID.randomUUID();
    private final SwitchableRegistry registry = new SwitchableRegistry(MockSchemaRegistryClient.forScope(scope));
    private final Topics topics = Topics.defaults();
    private FirewallSerdes serdes;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> contactPoints;
    private TestInputTopic<String, byte[]> registrations;
    private TestOutputTopic<String, AudienceIdentifier> audience;
    private TestOutputTopic<String, QuarantineRecord> quarantine;
    private TestOutputTopic<String, DeadLetterRecord> deadLetter;

    /** How far the side-record barrier has settled; the synchronous one unless a test moves it. */
    private final java.util.concurrent.atomic.AtomicLong settled = new java.util.concurrent.atomic.AtomicLong(
            Long.MAX_VALUE);
    private final SideRecordBarrier barrier = new SideRecordBarrier() {
        @Override
        public long now() {
            return FirewallDriver.WALL_CLOCK.toEpochMilli();
        }

        @Override
        public long settledThrough(int partition) {
            return settled.get();
        }
    };

    @BeforeEach
    void start() {
        // registry-outage-max-block-ms 0: an unreachable registry parks the record at once.
        FirewallConfig config = new FirewallConfig("pf-outage-test", "unused:9092",
                SchemaRegistryConfig.inMemory(scope), topics,
                Processing.builder().maxTaskIdle(Duration.ZERO).registryOutageMaxBlock(Duration.ZERO).build(),
                IdentityOptions.defaults(), Map.of(), null,
                FirewallDriver.POLICY);
        serdes = FirewallSerdes.create(registry, true);
        Properties props = StreamsSettings.of(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(FirewallTopology.build(config, serdes, 1, barrier), props,
                FirewallDriver.WALL_CLOCK);
        StringSerializer keys = new StringSerializer();
        contactPoints = driver.createInputTopic(topics.contactPoints(), keys, new ByteArraySerializer());
        registrations = driver.createInputTopic(topics.registrations(), keys, new ByteArraySerializer());
        driver.createInputTopic(topics.consent(), keys, serdes.consentState().serializer())
                .pipeInput("alice", consent("alice", T, grant(AD_PURPOSE)), T);
        // The test reads outputs through the registry itself, not through the switch the firewall sees.
        FirewallSerdes reader = FirewallSerdes.create(MockSchemaRegistryClient.forScope(scope), true);
        audience = driver.createOutputTopic(topics.audience(), new StringDeserializer(),
                reader.audience().deserializer());
        quarantine = driver.createOutputTopic(topics.quarantine(), new StringDeserializer(),
                reader.quarantine().deserializer());
        deadLetter = driver.createOutputTopic(topics.deadLetter(), new StringDeserializer(),
                reader.deadLetter().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        MockSchemaRegistryClient.dropScope(scope);
    }

    @Test
    void cachedSchemasKeepFlowingAndAnUnseenSchemaIsDecidedOnceTheRegistryAnswers() {
        // Given the firewall has seen v1 of the contact-point schema, and a producer registered v2
        sendV1Contact("alice", "first@example.com", T + 1);
        byte[] v2Record = encodeWithAddedField(topics.contactPoints(),
                contact("alice", IdentifierType.EMAIL, "v2@example.com", T + 2));

        // When the registry goes down and a v2 record arrives, followed by a v1 record
        registry.down = true;
        contactPoints.pipeInput("alice", v2Record, T + 2);
        sendV1Contact("alice", "third@example.com", T + 3);
        driver.advanceWallClockTime(Duration.ofSeconds(5));

        // Then the v1 records flowed, the v2 record waits, and nothing was dead-lettered
        assertThat(audience.readValuesToList()).extracting(AudienceIdentifier::getIdentifierHash)
                .containsExactly(Sha256.hex("first@example.com"), Sha256.hex("third@example.com"));
        assertThat(deadLetter.isEmpty()).isTrue();

        // When the registry answers again
        registry.down = false;
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        // Then the v2 record is decided, once, with its own coordinates
        List<AudienceIdentifier> released = audience.readValuesToList();
        assertThat(released).extracting(AudienceIdentifier::getIdentifierHash)
                .containsExactly(Sha256.hex("v2@example.com"));
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(audience.isEmpty()).isTrue();
        assertThat(deadLetter.isEmpty()).isTrue();
        assertThat(parkedTotal()).isEqualTo(1.0);
    }

    @Test
    void aContactPointWaitingForTheBarrierIsNotReleasedWhileASideRecordItMayDependOnIsParked() {
        // Given cached schemas, and a contact point read while side records are still on their way
        sendV1Contact("alice", "warm-up@example.com", T + 1);
        audience.readValuesToList();
        settled.set(0);
        byte[] registrationV2 = encodeWithAddedField(topics.registrations(), registration("alice",
                IdentifierType.PHONE, "+1 (415) 555-0100", "essential.service.security.authentication",
                RegistrationAction.REGISTERED, T + 2));
        sendV1Contact("alice", IdentifierType.PHONE, "14155550100", T + 3);

        // When its 2FA registration arrives while the registry is down (parked: read, but not applied), and the
        // barrier then counts it as committed and re-homed
        registry.down = true;
        registrations.pipeInput("alice", registrationV2, T + 2);
        settled.set(Long.MAX_VALUE);
        driver.advanceWallClockTime(Duration.ofSeconds(5));

        // Then the phone still waits: the barrier is not enough while what it counted cannot be read
        assertThat(audience.isEmpty()).isTrue();
        assertThat(quarantine.isEmpty()).isTrue();

        thenOnceTheRegistryAnswersThePhoneIsQuarantinedWithItsOwnOffset(1L);
    }

    @Test
    void aParkedSecurityRegistrationHoldsTheContactPointsBehindIt() {
        // Given the contact-point schema is cached and the registration schema has a version the firewall never saw
        sendV1Contact("alice", "warm-up@example.com", T + 1);
        audience.readValuesToList();
        byte[] registrationV2 = encodeWithAddedField(topics.registrations(), registration("alice",
                IdentifierType.PHONE, "+1 (415) 555-0100", "essential.service.security.authentication",
                RegistrationAction.REGISTERED, T + 2));

        // When the registry is down, the 2FA registration arrives, then the same phone on its way to ads
        registry.down = true;
        registrations.pipeInput("alice", registrationV2, T + 2);
        sendV1Contact("alice", IdentifierType.PHONE, "14155550100", T + 3);
        driver.advanceWallClockTime(Duration.ofSeconds(5));

        // Then the phone is not forwarded while the registration it depends on cannot be read
        assertThat(audience.isEmpty()).isTrue();
        assertThat(quarantine.isEmpty()).isTrue();

        thenOnceTheRegistryAnswersThePhoneIsQuarantinedWithItsOwnOffset(1L);
    }

    /** The registry answers again: the parked registration is applied first, then the phone behind it. */
    private void thenOnceTheRegistryAnswersThePhoneIsQuarantinedWithItsOwnOffset(long offset) {
        registry.down = false;
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(quarantine.readValuesToList()).singleElement().satisfies(q -> {
            assertThat(q.getReason()).isEqualTo("REGISTERED_FOR_RESTRICTED_PURPOSE");
            assertThat(q.getSource().getOffset()).isEqualTo(offset);
        });
        assertThat(audience.isEmpty()).isTrue();
    }

    @Test
    void aParkedRecordWhoseIdTurnsOutUnknownIsDeadLetteredWithItsCoordinates() {
        registry.down = true;
        byte[] unknownId = {0, 0, 0, 0x10, 0x42, 2, 'x'};
        contactPoints.pipeInput("alice", unknownId, T + 1);
        driver.advanceWallClockTime(Duration.ofSeconds(3));
        assertThat(deadLetter.isEmpty()).isTrue();

        registry.down = false;
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        DeadLetterRecord dead = deadLetter.readValue();
        assertThat(dead.getReason()).isEqualTo("UNKNOWN_SCHEMA_ID");
        assertThat(dead.getSource().getTopic()).isEqualTo(topics.contactPoints());
        assertThat(dead.getSource().getOffset()).isEqualTo(0L);
        assertThat(dead.getOriginalValue()).isEqualTo(ByteBuffer.wrap(unknownId));
    }

    private void sendV1Contact(String user, String email, long time) {
        sendV1Contact(user, IdentifierType.EMAIL, email, time);
    }

    private void sendV1Contact(String user, IdentifierType type, String value, long time) {
        contactPoints.pipeInput(user, serdes.contactPoint().encode(topics.contactPoints(),
                contact(user, type, value, time)), time);
    }

    /** The record in the wire format of a new schema version with one more optional field, registered now. */
    private byte[] encodeWithAddedField(String topic, SpecificRecordBase record) {
        Schema v1 = record.getSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : v1.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field("channel", Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING)), "Added in v2.", Schema.Field.NULL_DEFAULT_VALUE));
        Schema v2 = Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, fields);
        int id = registry.register(topic + "-value", v2);
        GenericRecord generic = new GenericData.Record(v2);
        for (Schema.Field f : v1.getFields()) {
            generic.put(f.name(), record.get(f.pos()));
        }
        generic.put("channel", "sms");
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
            GenericData data = record.getSpecificData();
            new GenericDatumWriter<GenericRecord>(v2, data).write(generic, encoder);
            encoder.flush();
            byte[] avro = body.toByteArray();
            return ByteBuffer.allocate(5 + avro.length).put((byte) 0).putInt(id).put(avro).array();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private double parkedTotal() {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(org.purposefirewall.monitoring.MetricNames.total(
                        org.purposefirewall.monitoring.MetricNames.PARKED)))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .sum();
    }

    /** A registry that can be taken down: every call then fails as an unreachable registry does. */
    private static final class SwitchableRegistry implements SchemaRegistryClient {
        private final SchemaRegistryClient delegate;
        volatile boolean down;

        SwitchableRegistry(SchemaRegistryClient delegate) {
            this.delegate = delegate;
        }

        private void check() {
            if (down) {
                throw new RegistryUnavailableException("test: registry down", null);
            }
        }

        @Override
        public int register(String subject, Schema schema) {
            check();
            return delegate.register(subject, schema);
        }

        @Override
        public int idOf(String subject, Schema schema) {
            check();
            return delegate.idOf(subject, schema);
        }

        @Override
        public Schema schemaById(int id) {
            check();
            return delegate.schemaById(id);
        }

        @Override
        public RegisteredSchema latest(String subject) {
            check();
            return delegate.latest(subject);
        }

        @Override
        public boolean isCompatibleWithLatest(String subject, Schema schema) {
            check();
            return delegate.isCompatibleWithLatest(subject, schema);
        }

        @Override
        public void close() {
        }
    }
}
