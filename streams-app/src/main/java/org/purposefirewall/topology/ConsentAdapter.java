package org.purposefirewall.topology;

import java.util.HashMap;
import java.util.Map;
import org.purposefirewall.consent.ConsentDecoder;
import org.purposefirewall.consent.ConsentSignals;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.EventTimeBounds;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.Rejection;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.serde.Decoded;

/**
 * Reads a consent record into the user's consent state from its effective time on, decoded once (TCF and GPP
 * strings included) so data records read a ready state. A tombstone is "no consent". A bad consent string is not a
 * rejection: it is the user's consent record, read as "no consent" with the reason every decision will carry.
 */
final class ConsentAdapter {

    /** Most purposes a consent state may list (each at most 256 characters): its stored form stays small. */
    static final int MAX_PURPOSES = 1_000;

    /**
     * A consent change.
     *
     * @param snapshot the state from {@code effectiveTime} on; null for a tombstone (no consent from then on)
     */
    record Change(String userId, long effectiveTime, ConsentSnapshot snapshot) {
    }

    private final ConsentDecoder decoder;
    private final EventTimeBounds bounds;

    ConsentAdapter(ConsentDecoder decoder, EventTimeBounds bounds) {
        this.decoder = decoder;
        this.bounds = bounds;
    }

    Read<Change> read(InputRecord<ConsentState> in, long now) {
        String key = in.key();
        if (Limits.isBlank(key)) {
            return Read.rejected(Rejection.MISSING_USER_ID, "a consent record without a key cannot be attributed");
        }
        if (key.length() > Limits.MAX_USER_ID_CHARS) {
            return Read.rejected(Rejection.USER_ID_TOO_LONG, Limits.userIdDetail(Rejection.USER_ID_TOO_LONG));
        }
        Decoded<ConsentState> value = in.value();
        if (value == null) {
            return Read.facts(new Change(key, in.timestamp(), null));
        }
        if (value instanceof Decoded.Failed<ConsentState> failed) {
            return Read.undecodable(failed);
        }
        ConsentState state = ((Decoded.Ok<ConsentState>) value).value();
        Rejection problem = Limits.userIdProblem(key, state.getUserId());
        if (problem != null) {
            return Read.rejected(problem, Limits.userIdDetail(problem));
        }
        long effective = state.getEffectiveTime().toEpochMilli();
        String timeProblem = bounds.problem(effective, now);
        if (timeProblem != null) {
            // Its own time cannot be believed, so it counts as a revocation from the (safe) time it was read at.
            return Read.rejected(Rejection.INVALID_EVENT_TIME, "effectiveTime: " + timeProblem);
        }
        if (state.getPurposes().size() > MAX_PURPOSES) {
            // Its decoded state would outgrow what a store's changelog record may hold.
            return Read.rejected(Rejection.INVALID_PURPOSE, "a consent state lists more than " + MAX_PURPOSES
                    + " purposes");
        }
        Map<Purpose, ConsentChoice> choices = new HashMap<>();
        for (PurposeConsent choice : state.getPurposes()) {
            try {
                ConsentChoice next = choice.getStatus() == ConsentStatus.GRANTED ? ConsentChoice.GRANTED
                        : ConsentChoice.DENIED;
                // A purpose listed twice with both answers is a denial: deny overrides allow.
                choices.merge(Purpose.parse(choice.getPurpose()), next, ConsentChoice::denyOverrides);
            } catch (IllegalArgumentException e) {
                return Read.rejected(Rejection.INVALID_PURPOSE, "a consent choice names an invalid purpose: "
                        + e.getMessage(), e.getClass().getName());
            }
        }
        ConsentSnapshot snapshot = decoder.decode(new ConsentSignals(choices, state.getOptOutOfTargetedAdvertising(),
                state.getOptOutOfSale(), state.getGlobalPrivacyControl(), state.getTcfString(), state.getGppString(),
                effective));
        return Read.facts(new Change(key, effective, snapshot));
    }
}
