package org.purposefirewall.topology;

import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.policy.EventTimeBounds;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.Rejection;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.serde.Decoded;

/**
 * Reads a registration (a collection or withdrawal event) into the event to record under every key its identifier
 * has. Registrations that cannot be read are rejected with the reason; operators must repair and replay them, since
 * until then the identifier they name is not known to be restricted (see the README, "Operations").
 */
final class RegistrationAdapter {

    private static final int MAX_SOURCE_LENGTH = 256;

    /** A registration event of {@code userId}'s identifier, under every key it has. */
    record Registration(String userId, MatchKeys keys, Purpose purpose, RegistrationHistory.Event event) {
    }

    private final IdentifierNormalizer.Configured normalizer;
    private final EventTimeBounds bounds;

    RegistrationAdapter(IdentifierNormalizer.Configured normalizer, EventTimeBounds bounds) {
        this.normalizer = normalizer;
        this.bounds = bounds;
    }

    Read<Registration> read(InputRecord<PurposeRegistration> in, long now) {
        Decoded<PurposeRegistration> value = in.value();
        if (value == null) {
            return Read.rejected(Rejection.EMPTY_VALUE, "a registration record has no value; registrations are "
                    + "events, withdraw with action WITHDRAWN");
        }
        if (value instanceof Decoded.Failed<PurposeRegistration> failed) {
            return Read.undecodable(failed);
        }
        PurposeRegistration registration = ((Decoded.Ok<PurposeRegistration>) value).value();
        Rejection problem = Limits.userIdProblem(in.key(), registration.getUserId());
        if (problem != null) {
            return Read.rejected(problem, Limits.userIdDetail(problem));
        }
        IdentifierInput identifier = IdentifierInput.of(normalizer, registration.getIdentifierType(),
                registration.getValue());
        if (identifier.error() != null) {
            return Read.rejected(identifier.error(), identifier.detail());
        }
        Purpose purpose;
        try {
            purpose = Purpose.parse(registration.getPurpose());
        } catch (IllegalArgumentException e) {
            return Read.rejected(Rejection.INVALID_PURPOSE, "the registration's purpose is invalid: "
                    + e.getMessage(), e.getClass().getName());
        }
        long eventTime = registration.getEventTime().toEpochMilli();
        String timeProblem = bounds.problem(eventTime, now);
        if (timeProblem != null) {
            return Read.rejected(Rejection.INVALID_EVENT_TIME, "eventTime: " + timeProblem);
        }
        String source = registration.getSourceSystem();
        if (source.length() > MAX_SOURCE_LENGTH) {
            source = source.substring(0, MAX_SOURCE_LENGTH);
        }
        return Read.facts(new Registration(in.key(), identifier.normalized().keys(), purpose,
                new RegistrationHistory.Event(purpose.value(),
                        registration.getAction() == RegistrationAction.REGISTERED, eventTime, source)));
    }
}
