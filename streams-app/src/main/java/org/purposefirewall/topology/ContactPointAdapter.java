package org.purposefirewall.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.policy.EventTimeBounds;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.Rejection;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.serde.Decoded;

/**
 * Reads a contact point: its user id (key and payload must agree), its own event time, its one identifier (field
 * {@value #IDENTIFIER_FIELD}) and its declared purposes. Its other fields (source system, attributes) are left to
 * the tripwire.
 */
final class ContactPointAdapter implements DataAdapter<ContactPoint> {

    /** The field of ContactPoint that holds the decided identifier. */
    static final String IDENTIFIER_FIELD = "value";
    private static final Set<String> DECIDED_FIELDS = Set.of(IDENTIFIER_FIELD);

    private final IdentifierNormalizer.Configured normalizer;
    private final EventTimeBounds bounds;
    private final PurposeCache purposes = new PurposeCache();

    ContactPointAdapter(IdentifierNormalizer.Configured normalizer, EventTimeBounds bounds) {
        this.normalizer = normalizer;
        this.bounds = bounds;
    }

    @Override
    public Read<DataFacts> read(InputRecord<ContactPoint> in, long now) {
        Decoded<ContactPoint> value = in.value();
        if (value == null) {
            return Read.rejected(Rejection.EMPTY_VALUE, "a contact point has no value");
        }
        if (value instanceof Decoded.Failed<ContactPoint> failed) {
            return Read.undecodable(failed);
        }
        ContactPoint contact = ((Decoded.Ok<ContactPoint>) value).value();
        Rejection problem = Limits.userIdProblem(in.key(), contact.getUserId());
        if (problem != null) {
            return Read.rejected(problem, Limits.userIdDetail(problem));
        }
        long eventTime = contact.getEventTime().toEpochMilli();
        String timeProblem = bounds.problem(eventTime, now);
        if (timeProblem != null) {
            return Read.rejected(Rejection.INVALID_EVENT_TIME, "eventTime: " + timeProblem);
        }
        IdentifierInput identifier = IdentifierInput.of(normalizer, contact.getIdentifierType(), contact.getValue());
        if (identifier.error() != null) {
            return Read.rejected(identifier.error(), identifier.detail());
        }
        List<Purpose> declared = new ArrayList<>(contact.getDeclaredPurposes().size());
        for (String purpose : contact.getDeclaredPurposes()) {
            try {
                declared.add(purposes.parse(purpose));
            } catch (IllegalArgumentException e) {
                return Read.rejected(Rejection.INVALID_PURPOSE, "a declared purpose is invalid: " + e.getMessage(),
                        e.getClass().getName());
            }
        }
        return Read.facts(new DataFacts(in.key(), eventTime,
                List.of(new DataFacts.Identifier(IDENTIFIER_FIELD, contact.getIdentifierType(),
                        identifier.normalized())),
                declared, contact, DECIDED_FIELDS, contact, false));
    }
}
