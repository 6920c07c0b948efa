package org.purposefirewall.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Record;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.policy.ActiveRegistration;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.FieldMatch;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.PurposePolicy;
import org.purposefirewall.policy.RecordFacts;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.serde.AvroSerde;
import org.purposefirewall.serde.Decoded;

/**
 * Decides each contact point against the consent and registrations in force at its event time, after the tripwire
 * has checked its other fields (source system, attributes), and sends it to exactly one of the audience, quarantine,
 * suppressed and dead-letter sinks.
 */
final class PurposeDecider extends DecidingProcessor<ContactPoint> {

    /** The field of ContactPoint that holds the decided identifier. */
    static final String IDENTIFIER_FIELD = "value";
    private static final Set<String> DECIDED_FIELDS = Set.of(IDENTIFIER_FIELD);

    PurposeDecider(String topic, AvroSerde<ContactPoint> serde, long maxParked, RegistryHealth health,
                   Deciding deciding) {
        super(topic, serde, maxParked, health, deciding);
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
        String timeProblem = eventTimeProblem(contact.getEventTime().toEpochMilli());
        if (timeProblem != null) {
            deadLetter(record, "INVALID_EVENT_TIME", "eventTime: " + timeProblem, null);
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
                declared.add(purpose(purpose));
            } catch (IllegalArgumentException e) {
                deadLetter(record, "INVALID_PURPOSE", "a declared purpose is invalid: " + e.getMessage(),
                        e.getClass().getName());
                return;
            }
        }

        long eventTime = contact.getEventTime().toEpochMilli();
        String userId = record.key();
        Normalization.Ok normalized = identifier.normalized();
        Tripwire.Result scan = tripwire.scan(registrations, userId, eventTime, contact, DECIDED_FIELDS);
        if (scan.unscannablePath() != null) {
            deadLetterUnscannable(record, scan.unscannablePath());
            return;
        }
        List<FieldMatch> matches = new ArrayList<>(scan.matches());
        String label = honeytokens.labelOf(normalized);
        if (label != null) {
            matches.add(0, new FieldMatch(IDENTIFIER_FIELD, List.of(), label));
        }
        Registrations.Histories histories = registrations.of(userId, normalized.keys());
        List<ActiveRegistration> active = histories.activeAt(eventTime);
        RecordFacts facts = new RecordFacts(declared, eventTime, normalized.limitAdTracking(), matches);
        Decision decision = PurposePolicy.decide(policy, facts, consentAt(userId, eventTime), active);

        SourceCoordinates source = coordinates(eventTime);
        switch (decision.outcome()) {
            case FORWARD -> {
                forwardAudience(record, userId, contact.getIdentifierType(), normalized.keys(), histories, decision,
                        decisionId(source, null), contact.getEventTime());
                metrics.forwarded();
            }
            case QUARANTINE -> quarantine(record, userId, contact, null, decision, decision.fieldPath(), source);
            case SUPPRESS -> {
                if (!holdForConsent(record, decision)) {
                    suppress(record, userId, contact.getIdentifierType(), decision, source);
                }
            }
        }
    }
}
