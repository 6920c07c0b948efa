package org.purposefirewall.topology;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.policy.ActiveRegistration;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.PurposePolicy;
import org.purposefirewall.policy.RecordFacts;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.MatchedRegistration;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.schema.SuppressedRecord;
import org.purposefirewall.serde.AvroSerde;
import org.purposefirewall.serde.Decoded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides each contact point against the consent and registrations in force at its event time, and sends it to
 * exactly one of the audience, quarantine, suppressed and dead-letter sinks.
 *
 * <p>The audience record is built from the decision alone: user id, type, SHA-256 match key, purpose, policy
 * version and decision id. Nothing else of the input, headers included, reaches the ad side.
 */
final class PurposeDecider extends InputProcessor<ContactPoint> {

    private static final Logger LOG = LoggerFactory.getLogger(PurposeDecider.class);

    private final Policy policy;
    private final String consentTopic;
    private final String registrationsTopic;
    private final IdentifierNormalizer.Configured normalizer;
    private VersionedKeyValueStore<String, ConsentState> consentStore;
    private KeyValueStore<String, RegistrationHistory> registrationStore;

    PurposeDecider(Policy policy, String topic, AvroSerde<ContactPoint> serde, long maxParked, RegistryHealth health,
                   String consentTopic, String registrationsTopic,
                   IdentifierNormalizer.Configured normalizer) {
        super(topic, serde, maxParked, health);
        this.normalizer = normalizer;
        this.policy = policy;
        this.consentTopic = consentTopic;
        this.registrationsTopic = registrationsTopic;
    }

    /**
     * Fail closed during a registry outage: while a consent or registration record of this task is parked, it may
     * be a revocation or a security registration that applies to this record, so contact points wait behind it.
     */
    @Override
    protected boolean mustHold() {
        return hasParked(registrationsTopic) || hasParked(consentTopic);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        super.init(context);
        consentStore = context.getStateStore(Names.CONSENT_STORE);
        registrationStore = context.getStateStore(Names.REGISTRATION_STORE);
    }

    @Override
    protected void handle(Record<String, Decoded<ContactPoint>> record) {
        Decoded<ContactPoint> value = record.value();
        if (value == null) {
            deadLetter(record, "EMPTY_VALUE", "a contact point has no value", null);
            return;
        }
        if (value instanceof Decoded.Failed<ContactPoint> failed) {
            deadLetter(record, failed);
            return;
        }
        ContactPoint contact = ((Decoded.Ok<ContactPoint>) value).value();
        String problem = userIdProblem(record.key(), contact.getUserId());
        if (problem != null) {
            deadLetter(record, problem, userIdDetail(problem), null);
            return;
        }
        if (contact.getEventTime().toEpochMilli() < 0) {
            deadLetter(record, "INVALID_EVENT_TIME", "eventTime is negative", null);
            return;
        }
        IdentifierInput identifier = IdentifierInput.of(normalizer, contact.getIdentifierType(), contact.getValue());
        if (identifier.error() != null) {
            deadLetter(record, identifier.error(), identifier.detail(), null);
            return;
        }
        List<Purpose> declared = new ArrayList<>(contact.getDeclaredPurposes().size());
        for (String purpose : contact.getDeclaredPurposes()) {
            try {
                declared.add(Purpose.parse(purpose));
            } catch (IllegalArgumentException e) {
                deadLetter(record, "INVALID_PURPOSE", "a declared purpose is invalid: " + e.getMessage(),
                        e.getClass().getName());
                return;
            }
        }

        long eventTime = contact.getEventTime().toEpochMilli();
        String userId = record.key();
        String matchKey = identifier.normalized().sha256Hex();
        RegistrationHistory history = registrationStore.get(StoreKeys.registration(userId, matchKey));
        List<ActiveRegistration> registrations = history == null ? List.of() : history.activeAt(eventTime);
        VersionedRecord<ConsentState> consent = consentStore.get(userId, eventTime);
        RecordFacts facts = new RecordFacts(declared, eventTime, identifier.normalized().limitAdTracking());
        Decision decision = PurposePolicy.decide(policy, facts,
                Optional.ofNullable(consent).map(v -> snapshot(v.value())), registrations);

        SourceCoordinates source = coordinates(eventTime);
        String decisionId = decisionId(source);
        switch (decision.outcome()) {
            case FORWARD -> {
                AudienceIdentifier out = AudienceIdentifier.newBuilder()
                        .setUserId(userId)
                        .setIdentifierType(contact.getIdentifierType())
                        .setIdentifierSha256(matchKey)
                        .setPurpose(policy.adPurpose().value())
                        .setPolicyVersion(decision.policyVersion())
                        .setDecisionId(decisionId)
                        .setEventTime(contact.getEventTime())
                        .build();
                context.forward(new Record<>(userId, out, record.timestamp()), Names.AUDIENCE_SINK);
                metrics.forwarded();
            }
            case QUARANTINE -> {
                ActiveRegistration matched = decision.matchedRegistration();
                QuarantineRecord out = QuarantineRecord.newBuilder()
                        .setDecisionId(decisionId)
                        .setRecord(contact)
                        .setReason(decision.reason().name())
                        .setDetail(decision.detail())
                        .setRule(decision.rule())
                        .setMatchedPurpose(decision.matchedPurpose().value())
                        .setMatchedRegistration(matched == null ? null : new MatchedRegistration(
                                matched.purpose().value(), matched.sourceSystem(),
                                Instant.ofEpochMilli(matched.registeredAt())))
                        .setPolicyVersion(decision.policyVersion())
                        .setSource(source)
                        .setDecisionTime(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                        .build();
                context.forward(new Record<>(userId, out, record.timestamp()), Names.QUARANTINE_SINK);
                metrics.quarantined();
                LOG.atInfo()
                        .addKeyValue("topic", source.getTopic())
                        .addKeyValue("partition", source.getPartition())
                        .addKeyValue("offset", source.getOffset())
                        .addKeyValue("reason", decision.reason())
                        .addKeyValue("rule", decision.rule())
                        .addKeyValue("policyVersion", decision.policyVersion())
                        .log("record quarantined");
            }
            case SUPPRESS -> {
                SuppressedRecord out = SuppressedRecord.newBuilder()
                        .setDecisionId(decisionId)
                        .setUserId(userId)
                        .setIdentifierType(contact.getIdentifierType())
                        .setReason(decision.reason().name())
                        .setDetail(decision.detail())
                        .setRule(decision.rule())
                        .setPolicyVersion(decision.policyVersion())
                        .setSource(source)
                        .setDecisionTime(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                        .build();
                context.forward(new Record<>(userId, out, record.timestamp()), Names.SUPPRESSED_SINK);
                metrics.suppressed();
            }
        }
    }

    /** Deterministic: a replay with the same policy gives every decision the same id. */
    private String decisionId(SourceCoordinates source) {
        String basis = source.getTopic() + '/' + source.getPartition() + '/' + source.getOffset() + '/'
                + policy.version();
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * The consent state as the policy reads it. Choices whose purpose no longer parses cannot occur (the updater
     * rejects them), so parsing here cannot fail.
     */
    private static ConsentSnapshot snapshot(ConsentState state) {
        java.util.Map<Purpose, ConsentChoice> choices = new java.util.HashMap<>();
        for (PurposeConsent choice : state.getPurposes()) {
            ConsentChoice next = switch (choice.getStatus()) {
                case GRANTED -> ConsentChoice.GRANTED;
                case DENIED -> ConsentChoice.DENIED;
            };
            // A purpose listed twice with both answers is a denial: deny overrides allow.
            choices.merge(Purpose.parse(choice.getPurpose()), next,
                    (a, b) -> a == ConsentChoice.DENIED || b == ConsentChoice.DENIED ? ConsentChoice.DENIED : a);
        }
        return new ConsentSnapshot(choices, state.getOptOutOfTargetedAdvertising(), state.getOptOutOfSale());
    }
}
