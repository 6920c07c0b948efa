package org.purposefirewall.policy;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The decision function. Pure and thread-safe: the same inputs always give the same decision.
 *
 * <p>Rules, first match wins:
 * <ol>
 *   <li>{@code honeytoken}: a field of the record, the decided identifier included, holds a honeytoken →
 *       QUARANTINE. It comes first because it is the strongest evidence of a leak.</li>
 *   <li>{@code restricted.declared}: the producer declared a restricted purpose → QUARANTINE.</li>
 *   <li>{@code restricted.registered}: the identifier is registered for a restricted purpose at the record's event
 *       time → QUARANTINE. A security registration wins over any consent.</li>
 *   <li>{@code restricted.tripwire}: another field of the record holds an identifier of the same user registered
 *       for a restricted purpose at the record's event time → QUARANTINE. The record carries security data
 *       whatever it declares.</li>
 *   <li>{@code purpose.unknown}: the producer declared a well-formed purpose that is not in the policy's taxonomy
 *       ({@link Taxonomy}) → SUPPRESS. Unknown is never forwarded; it comes after the restricted rules so that a
 *       record that is also security data is still quarantined.</li>
 *   <li>{@code identifier.limit-ad-tracking}: the identifier is the all-zero mobile advertising id (the device asked
 *       to limit ad tracking) → SUPPRESS. It beats any grant.</li>
 *   <li>{@code consent.missing}: no consent state at the record's event time → SUPPRESS.</li>
 *   <li>{@code consent.invalid}: a consent signal of that state cannot be trusted (a malformed, expired or
 *       unsupported TCF or GPP string) → SUPPRESS. Never guessed.</li>
 *   <li>{@code consent.opt-out}: an opt-out is set (targeted advertising, sale or sharing, or Global Privacy
 *       Control) → SUPPRESS. An opt-out beats any grant.</li>
 *   <li>{@code consent.denied}: a denial on the ad purpose, above it or below it → SUPPRESS. Deny overrides
 *       allow at every level of the taxonomy.</li>
 *   <li>{@code consent.not-granted}: no grant on the ad purpose or above it → SUPPRESS. A grant on a purpose outside
 *       the taxonomy grants nothing (a denial there still denies, above).</li>
 *   <li>{@code consent.granted}: otherwise → FORWARD.</li>
 * </ol>
 */
public final class PurposePolicy {

    private PurposePolicy() {
    }

    public static Decision decide(Policy policy,
                                  RecordFacts facts,
                                  Optional<ConsentSnapshot> consent,
                                  List<ActiveRegistration> registrations) {
        Decision honeytoken = honeytoken(policy, facts);
        if (honeytoken != null) {
            return honeytoken;
        }
        for (Purpose declared : facts.declaredPurposes()) {
            Purpose restricted = policy.restrictedPurposeCovering(declared);
            if (restricted != null) {
                return new Decision(Outcome.QUARANTINE, Reason.DECLARED_RESTRICTED_PURPOSE, "restricted.declared",
                        "the producer declared purpose " + declared + ", which is restricted under " + restricted,
                        restricted, null, policy.version());
            }
        }
        for (ActiveRegistration registration : registrations) {
            Purpose restricted = policy.restrictedPurposeCovering(registration.purpose());
            if (restricted != null) {
                return new Decision(Outcome.QUARANTINE, Reason.REGISTERED_FOR_RESTRICTED_PURPOSE,
                        "restricted.registered",
                        "the identifier was collected for " + registration.purpose() + " by "
                                + registration.sourceSystem() + ", which is restricted under " + restricted,
                        restricted, registration, policy.version());
            }
        }
        Decision tripwire = tripwire(policy, facts);
        if (tripwire != null) {
            return tripwire;
        }
        for (Purpose declared : facts.declaredPurposes()) {
            if (!policy.knows(declared)) {
                return suppress(policy, Reason.PURPOSE_UNKNOWN, "purpose.unknown",
                        "the producer declared purpose " + declared + ", which is not in the policy's taxonomy "
                                + "(known-purposes)");
            }
        }
        if (facts.limitAdTracking()) {
            return suppress(policy, Reason.LIMIT_AD_TRACKING, "identifier.limit-ad-tracking",
                    "the mobile advertising id is the all-zero id: the device asked to limit ad tracking");
        }
        if (consent.isEmpty()) {
            return suppress(policy, Reason.CONSENT_MISSING, "consent.missing",
                    "no consent state for the user at the record's event time");
        }
        ConsentSnapshot snapshot = consent.get();
        if (snapshot.problem() != null) {
            return suppress(policy, Reason.CONSENT_INVALID, "consent.invalid",
                    "the consent state cannot be trusted: " + snapshot.problem());
        }
        if (snapshot.optedOutOfTargetedAdvertising() || snapshot.optedOutOfSale()
                || snapshot.globalPrivacyControl()) {
            return suppress(policy, Reason.OPTED_OUT, "consent.opt-out",
                    snapshot.optedOutOfTargetedAdvertising() ? "the user opted out of targeted advertising"
                            : snapshot.optedOutOfSale() ? "the user opted out of sale or sharing"
                            : "the user's browser sent Global Privacy Control (an opt-out of sale and sharing)");
        }
        boolean granted = false;
        Purpose ignoredGrant = null;
        for (Map.Entry<Purpose, ConsentChoice> choice : snapshot.choices().entrySet()) {
            Purpose purpose = choice.getKey();
            // A denial counts wherever it overlaps, known or not: an unknown word may narrow consent, never widen it.
            if (choice.getValue() == ConsentChoice.DENIED && purpose.overlaps(policy.adPurpose())) {
                return suppress(policy, Reason.CONSENT_DENIED, "consent.denied",
                        "the user denied " + purpose + ", which overlaps " + policy.adPurpose());
            }
            if (choice.getValue() == ConsentChoice.GRANTED && policy.adPurpose().isWithin(purpose)) {
                if (policy.knows(purpose)) {
                    granted = true;
                } else {
                    ignoredGrant = purpose;
                }
            }
        }
        if (!granted) {
            return suppress(policy, Reason.CONSENT_NOT_GRANTED, "consent.not-granted",
                    "no grant covers " + policy.adPurpose() + (ignoredGrant == null ? ""
                            : " (the grant on " + ignoredGrant + " counts for nothing: it is not in the policy's "
                                    + "taxonomy)"));
        }
        return new Decision(Outcome.FORWARD, Reason.CONSENT_GRANTED, "consent.granted",
                "consent covers " + policy.adPurpose(), null, null, policy.version());
    }

    /**
     * The decision for a record that holds no identifier to forward: the {@code honeytoken} and
     * {@code restricted.tripwire} rules apply as for any record; otherwise {@code identifier.none} → SUPPRESS.
     */
    public static Decision decideWithoutIdentifier(Policy policy, RecordFacts facts) {
        Decision honeytoken = honeytoken(policy, facts);
        if (honeytoken != null) {
            return honeytoken;
        }
        Decision tripwire = tripwire(policy, facts);
        if (tripwire != null) {
            return tripwire;
        }
        return suppress(policy, Reason.NO_IDENTIFIER, "identifier.none",
                "the record holds no identifier the firewall could forward");
    }

    /**
     * The decision for a record that cannot wait for the side records that must be applied before it (rule
     * {@code barrier.pending}): SUPPRESS. Fail closed: without them, a consent revocation or a security registration
     * of the user may be unseen.
     */
    public static Decision sideRecordsPending(Policy policy) {
        return suppress(policy, Reason.SIDE_RECORDS_PENDING, "barrier.pending", "side records committed before "
                + "the record was read were not yet applied, and the firewall holds no more records waiting for them");
    }

    private static Decision honeytoken(Policy policy, RecordFacts facts) {
        for (FieldMatch match : facts.fieldMatches()) {
            if (match.honeytoken() != null) {
                return new Decision(Outcome.QUARANTINE, Reason.HONEYTOKEN, "honeytoken",
                        "field " + match.path() + " holds honeytoken '" + match.honeytoken()
                                + "': security data is flowing toward the ad side",
                        policy.restrictedPurposes().get(0), null, policy.version(), match.path(),
                        match.honeytoken());
            }
        }
        return null;
    }

    private static Decision tripwire(Policy policy, RecordFacts facts) {
        for (FieldMatch match : facts.fieldMatches()) {
            for (ActiveRegistration registration : match.registrations()) {
                Purpose restricted = policy.restrictedPurposeCovering(registration.purpose());
                if (restricted != null) {
                    return new Decision(Outcome.QUARANTINE, Reason.RESTRICTED_IDENTIFIER_IN_FIELD,
                            "restricted.tripwire",
                            "field " + match.path() + " holds an identifier of this user collected for "
                                    + registration.purpose() + " by " + registration.sourceSystem()
                                    + ", which is restricted under " + restricted,
                            restricted, registration, policy.version(), match.path(), null);
                }
            }
        }
        return null;
    }

    private static Decision suppress(Policy policy, Reason reason, String rule, String detail) {
        return new Decision(Outcome.SUPPRESS, reason, rule, detail, null, null, policy.version());
    }
}
