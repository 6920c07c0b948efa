package org.purposefirewall.topology;

import java.util.List;
import java.util.Optional;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.policy.ActiveRegistration;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Explanation;
import org.purposefirewall.policy.FieldMatch;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.Verdict;

/**
 * Everything one data record was decided on, for {@code explain}: read from the same stores at the same event time
 * as the decision, with each rule's result from the policy's own rule code ({@link Explanation}). It holds the user
 * id and match keys: whoever prints it must redact them. Built only when a {@link DecisionObserver} is attached.
 *
 * @param topic where the record was read
 * @param userId the user (not redacted)
 * @param declared the purposes its producer declared
 * @param fieldMatches what the tripwire and the honeytoken check found in its fields
 * @param identifiers each identifier it would forward, with what was read for it; empty if it has none
 * @param withoutIdentifier the explanation of a record without an identifier, else null
 * @param verdict the record's one outcome
 */
public record DecisionTrace(String topic, int partition, long offset, String userId, long eventTime,
                            List<Purpose> declared, List<FieldMatch> fieldMatches, List<IdentifierTrace> identifiers,
                            Explanation withoutIdentifier, Verdict verdict) {

    /**
     * One identifier's facts.
     *
     * @param path its field
     * @param type PHONE, EMAIL, MOBILE_AD_ID
     * @param keys its match keys in every form (not redacted)
     * @param limitAdTracking the all-zero mobile advertising id
     * @param consent the user's consent state at the record's event time, if any
     * @param registrations every registration in force at the record's event time, with the form it was found under
     * @param explanation each rule in order with its result, and the decision for this identifier
     */
    public record IdentifierTrace(String path, String type, MatchKeys keys, boolean limitAdTracking,
                                  Optional<ConsentSnapshot> consent, List<FormMatch> registrations,
                                  Explanation explanation) {
    }

    /** A registration found under one of an identifier's match keys. */
    public record FormMatch(HashForm form, String hex, ActiveRegistration registration) {
    }
}
