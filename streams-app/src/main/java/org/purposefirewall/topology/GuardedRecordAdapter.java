package org.purposefirewall.topology;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.policy.EventTimeBounds;
import org.purposefirewall.policy.Rejection;
import org.purposefirewall.serde.Decoded;

/**
 * Reads a record of a guarded topic: a topic of any Avro schema, read with its writer schema from the registry. Its
 * key is the user id; its event time is its Kafka timestamp (the producer's create time, or the broker's log-append
 * time), checked on arrival. Fields whose schema carries {@code "pii": "PHONE" | "EMAIL" | "MOBILE_AD_ID"} (strings,
 * nullable strings, arrays of them, at any depth) are its identifiers; every other string is left to the tripwire,
 * so an unmarked schema is still checked. An identifier field that does not normalize rejects the record, naming the
 * field; so does a record too large or nested too deep to read whole.
 */
final class GuardedRecordAdapter implements DataAdapter<GenericRecord> {

    private final IdentifierNormalizer.Configured normalizer;
    private final EventTimeBounds bounds;

    GuardedRecordAdapter(IdentifierNormalizer.Configured normalizer, EventTimeBounds bounds) {
        this.normalizer = normalizer;
        this.bounds = bounds;
    }

    @Override
    public String arrivalTimeProblem(long timestamp, long now) {
        String problem = bounds.problem(timestamp, now);
        return problem == null ? null : "Kafka timestamp (a guarded record's event time): " + problem;
    }

    @Override
    public Read<DataFacts> read(InputRecord<GenericRecord> in, long now) {
        Decoded<GenericRecord> value = in.value();
        if (value == null) {
            return Read.rejected(Rejection.EMPTY_VALUE, "a guarded record has no value");
        }
        if (value instanceof Decoded.Failed<GenericRecord> failed) {
            return Read.undecodable(failed);
        }
        String userId = in.key();
        if (Limits.isBlank(userId)) {
            return Read.rejected(Rejection.MISSING_USER_ID, "a guarded record's key must hold the user id");
        }
        if (userId.length() > Limits.MAX_USER_ID_CHARS) {
            return Read.rejected(Rejection.USER_ID_TOO_LONG, Limits.userIdDetail(Rejection.USER_ID_TOO_LONG));
        }
        GenericRecord data = ((Decoded.Ok<GenericRecord>) value).value();
        List<DataFacts.Identifier> identifiers = new ArrayList<>();
        Read<DataFacts>[] invalid = new Read[1];
        String stopped = FieldWalker.walk(data, (path, text, pii, mapKey) -> {
            IdentifierKind kind = mapKey ? null : kindOf(pii);
            if (kind == null || invalid[0] != null) {
                return;
            }
            Normalization result = normalizer.normalize(kind, text.toString());
            if (result instanceof Normalization.Invalid bad) {
                invalid[0] = Read.rejected(Rejection.named(bad.error().name()), "field " + path + ": " + bad.detail());
            } else {
                identifiers.add(new DataFacts.Identifier(path, IdentifierInput.typeOf(kind), (Normalization.Ok) result));
            }
        });
        if (invalid[0] != null) {
            return invalid[0];
        }
        if (stopped != null) {
            return Read.rejected(Rejection.UNSCANNABLE_FIELD, unscannable(stopped));
        }
        Set<String> decided = new HashSet<>();
        for (DataFacts.Identifier identifier : identifiers) {
            decided.add(identifier.path());
        }
        return Read.facts(new DataFacts(userId, in.timestamp(), identifiers, List.of(), data, decided, null, true));
    }

    /** The detail of a record the tripwire could not read whole: it cannot be shown free of security data. */
    static String unscannable(String path) {
        return "field " + path + " is too large or too deeply nested for the tripwire to read whole, so the record "
                + "cannot be shown free of security data";
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
}
