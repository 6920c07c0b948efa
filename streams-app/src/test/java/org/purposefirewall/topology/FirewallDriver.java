package org.purposefirewall.topology;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.purposefirewall.app.StreamsSettings;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Processing;
import org.purposefirewall.config.ShadowPolicy;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.config.Topics;
import org.purposefirewall.identity.Sha256;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.schema.ShadowDecision;
import org.purposefirewall.schema.SuppressedRecord;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * The firewall topology in a {@link TopologyTestDriver} with a fresh {@code mock://} registry scope, the default
 * policy and a fixed wall clock, plus builders for the records tests need. Close it after each test.
 */
final class FirewallDriver implements AutoCloseable {

    static final String AD_PURPOSE = "marketing.advertising.third_party.targeted";
    /** Stands in for the SHA-256 of a policy file; every output must carry it as policyHash. */
    static final String POLICY_HASH = Sha256.hex("test-policy-7 as written in its file");
    static final Policy POLICY = new Policy("test-policy-7", Purpose.parse(AD_PURPOSE),
            List.of(Purpose.parse("essential.service.security"))).withContentHash(POLICY_HASH);
    static final Instant WALL_CLOCK = Instant.parse("2026-11-25T12:00:00Z");

    final String scope = "topology-test-" + UUID.randomUUID();
    final FirewallConfig config;
    final FirewallSerdes serdes;
    final TopologyTestDriver driver;
    final Topics topics;

    final TestInputTopic<String, ContactPoint> contactPoints;
    final TestInputTopic<String, byte[]> rawContactPoints;
    final TestInputTopic<String, ConsentState> consent;
    final TestInputTopic<String, byte[]> rawConsent;
    final TestInputTopic<String, PurposeRegistration> registrations;
    final TestOutputTopic<String, AudienceIdentifier> audience;
    final TestOutputTopic<String, QuarantineRecord> quarantine;
    final TestOutputTopic<String, SuppressedRecord> suppressed;
    final TestOutputTopic<String, DeadLetterRecord> deadLetter;
    final TestOutputTopic<String, AudienceRecall> recalls;
    /** Shadow mode's disagreements; empty (never written) without a shadow policy. */
    final TestOutputTopic<String, ShadowDecision> shadowDecisions;

    FirewallDriver(Path stateDir) {
        this(stateDir, List.of(), Honeytokens.none(), IdentityOptions.defaults());
    }

    /**
     * @param guarded guarded topics beside the contact points
     * @param honeytokens the honeytokens, normalized with {@code identity}
     */
    FirewallDriver(Path stateDir, List<String> guarded, Honeytokens honeytokens, IdentityOptions identity) {
        this(stateDir, guarded, honeytokens, identity, 0L);
    }

    /** @param consentHoldMs how long records of users without consent are held for late consent */
    FirewallDriver(Path stateDir, List<String> guarded, Honeytokens honeytokens, IdentityOptions identity,
                   long consentHoldMs) {
        this(stateDir, guarded, honeytokens, identity, consentHoldMs, SideRecordBarrier.SYNCHRONOUS, null);
    }

    /**
     * @param barrier how far side records count as applied (tests of the barrier move it by hand)
     * @param maxHeld the most records a processor holds, or null for the default
     */
    FirewallDriver(Path stateDir, SideRecordBarrier barrier, Integer maxHeld, long settleMs) {
        this(stateDir, List.of(), Honeytokens.none(), IdentityOptions.defaults(), 0L, barrier, maxHeld, settleMs);
    }

    private FirewallDriver(Path stateDir, List<String> guarded, Honeytokens honeytokens, IdentityOptions identity,
                           long consentHoldMs, SideRecordBarrier barrier, Integer maxHeld) {
        this(stateDir, guarded, honeytokens, identity, consentHoldMs, barrier, maxHeld, null);
    }

    /** @param metrics opens each processor's metrics (the Prometheus recorder, for its tests) */
    FirewallDriver(Path stateDir, FirewallMetrics.Factory metrics) {
        this(stateDir, List.of(), Honeytokens.none(), IdentityOptions.defaults(), 0L, SideRecordBarrier.SYNCHRONOUS,
                null, null, metrics);
    }

    private FirewallDriver(Path stateDir, List<String> guarded, Honeytokens honeytokens, IdentityOptions identity,
                           long consentHoldMs, SideRecordBarrier barrier, Integer maxHeld, Long settleMs) {
        this(stateDir, guarded, honeytokens, identity, consentHoldMs, barrier, maxHeld, settleMs,
                FirewallMetrics.Factory.KAFKA_SENSORS);
    }

    private FirewallDriver(Path stateDir, List<String> guarded, Honeytokens honeytokens, IdentityOptions identity,
                           long consentHoldMs, SideRecordBarrier barrier, Integer maxHeld, Long settleMs,
                           FirewallMetrics.Factory metrics) {
        this(stateDir, guarded, honeytokens, identity, consentHoldMs, barrier, maxHeld, settleMs, metrics, null, null,
                java.util.function.UnaryOperator.identity(), null);
    }

    /**
     * Shadow mode.
     *
     * @param shadow the candidate policy, or null for none
     * @param shadowMode how the candidate decides (one that fails, for tests of failures), or null: as configured
     * @param consentHoldMs how long records of users without consent are held for late consent
     * @param metrics opens each processor's metrics
     */
    FirewallDriver(Path stateDir, ShadowPolicy shadow,
                   java.util.function.Function<IdentifierNormalizer.Configured, ShadowDecider> shadowMode,
                   long consentHoldMs, FirewallMetrics.Factory metrics) {
        this(stateDir, shadow, shadowMode, consentHoldMs, metrics, java.util.function.UnaryOperator.identity());
    }

    /** @param serdesOverride replaces serdes the topology is built with (one that cannot write, for failures) */
    FirewallDriver(Path stateDir, ShadowPolicy shadow,
                   java.util.function.Function<IdentifierNormalizer.Configured, ShadowDecider> shadowMode,
                   long consentHoldMs, FirewallMetrics.Factory metrics,
                   java.util.function.UnaryOperator<FirewallSerdes> serdesOverride) {
        this(stateDir, List.of(), Honeytokens.none(), IdentityOptions.defaults(), consentHoldMs,
                SideRecordBarrier.SYNCHRONOUS, null, null, metrics, shadow, shadowMode, serdesOverride, null);
    }

    /**
     * @param barrier how far side records count as applied (tests of the barrier move it by hand)
     * @param held the records' heap budget in place of the configured one
     */
    FirewallDriver(Path stateDir, SideRecordBarrier barrier, HeldBudget held) {
        this(stateDir, List.of(), Honeytokens.none(), IdentityOptions.defaults(), 0L, barrier, null, 0L,
                FirewallMetrics.Factory.KAFKA_SENSORS, null, null, java.util.function.UnaryOperator.identity(), held);
    }

    private FirewallDriver(Path stateDir, List<String> guarded, Honeytokens honeytokens, IdentityOptions identity,
                           long consentHoldMs, SideRecordBarrier barrier, Integer maxHeld, Long settleMs,
                           FirewallMetrics.Factory metrics, ShadowPolicy shadow,
                           java.util.function.Function<IdentifierNormalizer.Configured, ShadowDecider> shadowMode,
                           java.util.function.UnaryOperator<FirewallSerdes> serdesOverride, HeldBudget held) {
        topics = Topics.defaults().withGuarded(guarded);
        // The driver pipes one record at a time and has no fetch lag: waiting for idle inputs only delays.
        Processing.Builder processing = Processing.builder().maxTaskIdle(Duration.ZERO)
                .consentHold(Duration.ofMillis(consentHoldMs));
        if (maxHeld != null) {
            processing.maxHeldRecords(maxHeld);
        }
        if (settleMs != null) {
            processing.settle(Duration.ofMillis(settleMs));
        }
        config = new FirewallConfig("pf-topology-test", "unused:9092", SchemaRegistryConfig.inMemory(scope),
                topics, processing.build(), identity,
                Map.of(), null, POLICY, honeytokens).withShadow(shadow);
        serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        Properties props = StreamsSettings.of(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        FirewallSerdes built = serdesOverride.apply(serdes);
        Topology topology = held != null ? FirewallTopology.build(config, built, 1, barrier, metrics, held)
                : shadowMode == null ? FirewallTopology.build(config, built, 1, barrier, metrics)
                : FirewallTopology.build(config, built, 1, barrier, metrics, shadowMode);
        driver = new TopologyTestDriver(topology, props, WALL_CLOCK);
        StringSerializer keys = new StringSerializer();
        StringDeserializer keyReader = new StringDeserializer();
        contactPoints = driver.createInputTopic(topics.contactPoints(), keys, serdes.contactPoint().serializer());
        rawContactPoints = driver.createInputTopic(topics.contactPoints(), keys, new ByteArraySerializer());
        consent = driver.createInputTopic(topics.consent(), keys, serdes.consentState().serializer());
        rawConsent = driver.createInputTopic(topics.consent(), keys, new ByteArraySerializer());
        registrations = driver.createInputTopic(topics.registrations(), keys, serdes.registration().serializer());
        audience = driver.createOutputTopic(topics.audience(), keyReader, serdes.audience().deserializer());
        quarantine = driver.createOutputTopic(topics.quarantine(), keyReader, serdes.quarantine().deserializer());
        suppressed = driver.createOutputTopic(topics.suppressed(), keyReader, serdes.suppressed().deserializer());
        deadLetter = driver.createOutputTopic(topics.deadLetter(), keyReader, serdes.deadLetter().deserializer());
        recalls = driver.createOutputTopic(topics.recalls(), keyReader, serdes.recall().deserializer());
        shadowDecisions = driver.createOutputTopic(topics.shadowDecisions(), keyReader,
                serdes.shadowDecision().deserializer());
    }

    /** Pipes a contact point with its event time as the record timestamp. */
    void send(ContactPoint contact) {
        contactPoints.pipeInput(contact.getUserId(), contact, contact.getEventTime());
    }

    void send(ConsentState state) {
        consent.pipeInput(state.getUserId(), state, state.getEffectiveTime());
    }

    void send(PurposeRegistration registration) {
        registrations.pipeInput(registration.getUserId(), registration, registration.getEventTime());
    }

    static ContactPoint contact(String user, IdentifierType type, String value, long eventTime, String... purposes) {
        return ContactPoint.newBuilder()
                .setUserId(user)
                .setIdentifierType(type)
                .setValue(value)
                .setDeclaredPurposes(List.of(purposes))
                .setSourceSystem("ads-audience-sync")
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setAttributes(Map.of("campaign", "spring-sale", "note", "raw value " + value))
                .build();
    }

    static ConsentState consent(String user, long effectiveTime, PurposeConsent... choices) {
        return consent(user, effectiveTime, false, choices);
    }

    static ConsentState consent(String user, long effectiveTime, boolean optOut, PurposeConsent... choices) {
        return ConsentState.newBuilder()
                .setUserId(user)
                .setPurposes(List.of(choices))
                .setOptOutOfTargetedAdvertising(optOut)
                .setOptOutOfSale(false)
                .setSource("test-cmp")
                .setEffectiveTime(Instant.ofEpochMilli(effectiveTime))
                .build();
    }

    static PurposeConsent grant(String purpose) {
        return new PurposeConsent(purpose, ConsentStatus.GRANTED);
    }

    static PurposeConsent deny(String purpose) {
        return new PurposeConsent(purpose, ConsentStatus.DENIED);
    }

    static PurposeRegistration registration(String user, IdentifierType type, String value, String purpose,
                                            RegistrationAction action, long eventTime) {
        return PurposeRegistration.newBuilder()
                .setUserId(user)
                .setIdentifierType(type)
                .setValue(value)
                .setPurpose(purpose)
                .setAction(action)
                .setSourceSystem("two-factor-auth")
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .build();
    }

    /**
     * Pipes a record of any schema to a guarded topic, as a producer with a schema-registry serializer would write
     * it: the schema registered under {@code <topic>-value}, the value in the wire format.
     */
    void sendGuarded(String topic, String key, org.apache.avro.generic.GenericRecord value, long timestamp) {
        driver.createInputTopic(topic, new StringSerializer(), new ByteArraySerializer())
                .pipeInput(key, encodeGeneric(topic, value), timestamp);
    }

    byte[] encodeGeneric(String topic, org.apache.avro.generic.GenericRecord value) {
        int id = serdes.registry().register(topic + "-value", value.getSchema());
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(body, null);
        try {
            new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(value.getSchema())
                    .write(value, encoder);
            encoder.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        byte[] bytes = body.toByteArray();
        return org.purposefirewall.serde.WireFormat.frame(id, bytes, bytes.length);
    }

    /** Total records on the four outputs, read and removed. */
    int drainAllOutputs() {
        return audience.readRecordsToList().size() + quarantine.readRecordsToList().size()
                + suppressed.readRecordsToList().size() + deadLetter.readRecordsToList().size();
    }

    @Override
    public void close() {
        driver.close();
        MockSchemaRegistryClient.dropScope(scope);
    }
}
