package org.purposefirewall.topology;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.processor.api.Record;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.FieldMatch;
import org.purposefirewall.policy.Outcome;
import org.purposefirewall.policy.PurposePolicy;
import org.purposefirewall.policy.RecordFacts;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.serde.AvroDecoder;
import org.purposefirewall.serde.Decoded;

/**
 * Decides the records of one guarded topic: a topic of any Avro schema, read with its writer schema from the
 * registry. Its key is the user id. Fields whose schema carries {@code "pii": "PHONE" | "EMAIL" | "MOBILE_AD_ID"}
 * (strings, nullable strings, arrays of them, at any depth) are the record's identifiers; every other string is
 * tripwire-checked, so an unmarked schema is still checked.
 *
 * <p>One record, one outcome (never both, never lost):
 * <ul>
 *   <li>an identifier field that does not normalize → dead-letter, naming the field;</li>
 *   <li>any identifier or field quarantined (honeytoken, security registration, tripwire) → quarantine, the whole
 *       record, with the field path;</li>
 *   <li>else any identifier suppressed (consent, limit ad tracking), or no identifier at all → suppressed;</li>
 *   <li>else each distinct identifier is forwarded, minimized, to the audience topic.</li>
 * </ul>
 * Event time is the Kafka record timestamp (the producer's create time, or the broker's log-append time); an
 * implausible one is dead-lettered as INVALID_EVENT_TIME.
 */
final class GuardedDecider extends DecidingProcessor<GenericRecord> {

    GuardedDecider(String topic, AvroDecoder<GenericRecord> decoder, long maxParked, RegistryHealth health,
                   Deciding deciding) {
        super(topic, decoder, maxParked, health, deciding);
    }

    /**
     * A guarded record's event time is its Kafka timestamp: an implausible one (a skewed producer clock, none at
     * all) is dead-lettered on arrival, before it is set aside, re-homed or written with.
     */
    @Override
    protected String arrivalTimeProblem(long timestamp) {
        String problem = eventTimeProblem(timestamp);
        return problem == null ? null : "Kafka timestamp (a guarded record's event time): " + problem;
    }

    /** One marked identifier of a record. */
    private record Marked(String path, IdentifierKind kind, Normalization.Ok normalized) {
    }

    @Override
    protected void handle(Record<String, Decoded<GenericRecord>> record) {
        Decoded<GenericRecord> value = record.value();
        if (value == null) {
            deadLetter(record, "EMPTY_VALUE", "a guarded record has no value", null);
            return;
        }
        if (value instanceof Decoded.Failed<GenericRecord> failed) {
            deadLetter(record, failed);
            return;
        }
        String userId = record.key();
        if (isBlank(userId)) {
            deadLetter(record, "MISSING_USER_ID", "a guarded record's key must hold the user id", null);
            return;
        }
        if (userId.length() > MAX_USER_ID_CHARS) {
            deadLetter(record, "USER_ID_TOO_LONG", userIdDetail("USER_ID_TOO_LONG"), null);
            return;
        }
        GenericRecord data = ((Decoded.Ok<GenericRecord>) value).value();
        long eventTime = record.timestamp();

        List<Marked> identifiers = new ArrayList<>();
        String[] invalid = new String[3];
        String stopped = FieldWalker.walk(data, (path, text, pii, mapKey) -> {
            IdentifierKind kind = mapKey ? null : kindOf(pii);
            if (kind == null || invalid[0] != null) {
                return;
            }
            Normalization result = normalizer.normalize(kind, text.toString());
            if (result instanceof Normalization.Invalid bad) {
                invalid[0] = bad.error().name();
                invalid[1] = path;
                invalid[2] = bad.detail();
            } else {
                identifiers.add(new Marked(path, kind, (Normalization.Ok) result));
            }
        });
        if (invalid[0] != null) {
            deadLetter(record, invalid[0], "field " + invalid[1] + ": " + invalid[2], null);
            return;
        }
        Set<String> decided = new HashSet<>();
        for (Marked marked : identifiers) {
            decided.add(marked.path());
        }
        Tripwire.Result scan = tripwire.scan(registrations, userId, eventTime, data, decided);
        String unscannable = stopped != null ? stopped : scan.unscannablePath();
        if (unscannable != null) {
            deadLetterUnscannable(record, unscannable);
            return;
        }
        List<FieldMatch> matches = new ArrayList<>(scan.matches());
        for (Marked marked : identifiers) {
            String label = honeytokens.labelOf(marked.normalized());
            if (label != null) {
                matches.add(0, new FieldMatch(marked.path(), List.of(), label));
            }
        }
        SourceCoordinates source = coordinates(eventTime);
        var consent = consentAt(userId, eventTime);
        if (identifiers.isEmpty()) {
            Decision decision = PurposePolicy.decideWithoutIdentifier(policy,
                    new RecordFacts(List.of(), eventTime, false, matches));
            route(record, userId, value.raw(), decision, decision.fieldPath(), IdentifierType.UNKNOWN, source);
            return;
        }
        Decision suppressed = null;
        Marked suppressedIdentifier = null;
        List<Decision> forwards = new ArrayList<>(identifiers.size());
        List<Registrations.Histories> histories = new ArrayList<>(identifiers.size());
        for (Marked marked : identifiers) {
            RecordFacts facts = new RecordFacts(List.of(), eventTime, marked.normalized().limitAdTracking(), matches);
            Registrations.Histories registered = registrations.of(userId, marked.normalized().keys());
            histories.add(registered);
            Decision decision = PurposePolicy.decide(policy, facts, consent, registered.activeAt(eventTime));
            if (decision.outcome() == Outcome.QUARANTINE) {
                String path = decision.fieldPath() != null ? decision.fieldPath() : marked.path();
                quarantine(record, userId, null, value.raw(), decision, path, source);
                return;
            }
            if (decision.outcome() == Outcome.SUPPRESS && suppressed == null) {
                suppressed = decision;
                suppressedIdentifier = marked;
            }
            forwards.add(decision);
        }
        if (suppressed != null) {
            if (!holdForConsent(record, suppressed)) {
                suppress(record, userId, type(suppressedIdentifier.kind()), suppressed, source);
            }
            return;
        }
        // Each distinct identifier once: the same phone in two fields is one audience member.
        Map<String, Integer> distinct = new LinkedHashMap<>();
        for (int i = 0; i < identifiers.size(); i++) {
            distinct.putIfAbsent(identifiers.get(i).normalized().keys().forwardKey(), i);
        }
        for (int i : distinct.values()) {
            Marked marked = identifiers.get(i);
            forwardAudience(record, userId, type(marked.kind()), marked.normalized().keys(), histories.get(i),
                    forwards.get(i), decisionId(source, marked.path()), java.time.Instant.ofEpochMilli(eventTime));
        }
        metrics.forwarded();
    }

    private void route(Record<String, Decoded<GenericRecord>> record, String userId, byte[] raw, Decision decision,
                       String path, IdentifierType type, SourceCoordinates source) {
        if (decision.outcome() == Outcome.QUARANTINE) {
            quarantine(record, userId, null, raw, decision, path, source);
        } else {
            suppress(record, userId, type, decision, source);
        }
    }

    /** The identifier kind a {@code "pii"} property names, or null for none or another kind of personal data. */
    static IdentifierKind kindOf(String pii) {
        if (pii == null) {
            return null;
        }
        return switch (pii) {
            case "PHONE" -> IdentifierKind.PHONE;
            case "EMAIL" -> IdentifierKind.EMAIL;
            case "MOBILE_AD_ID" -> IdentifierKind.MOBILE_AD_ID;
            default -> null;
        };
    }

    private static IdentifierType type(IdentifierKind kind) {
        return switch (kind) {
            case PHONE -> IdentifierType.PHONE;
            case EMAIL -> IdentifierType.EMAIL;
            case MOBILE_AD_ID -> IdentifierType.MOBILE_AD_ID;
        };
    }
}
