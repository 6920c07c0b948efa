package org.purposefirewall.policy;

/** Why a decision came out as it did. Reason codes are part of the output contract: never rename one. */
public enum Reason {
    CONSENT_GRANTED(Outcome.FORWARD),
    DECLARED_RESTRICTED_PURPOSE(Outcome.QUARANTINE),
    REGISTERED_FOR_RESTRICTED_PURPOSE(Outcome.QUARANTINE),
    /** A field other than the decided identifier holds an identifier registered for a restricted purpose. */
    RESTRICTED_IDENTIFIER_IN_FIELD(Outcome.QUARANTINE),
    /** A field holds a honeytoken: security data is flowing toward the ad side. */
    HONEYTOKEN(Outcome.QUARANTINE),
    CONSENT_MISSING(Outcome.SUPPRESS),
    /** A consent signal is present but cannot be trusted (malformed, expired, unsupported): no consent. */
    CONSENT_INVALID(Outcome.SUPPRESS),
    OPTED_OUT(Outcome.SUPPRESS),
    CONSENT_DENIED(Outcome.SUPPRESS),
    CONSENT_NOT_GRANTED(Outcome.SUPPRESS),
    LIMIT_AD_TRACKING(Outcome.SUPPRESS),
    /**
     * The record declares a well-formed purpose that is not in the policy's taxonomy ({@link Taxonomy}): unknown is
     * never forwarded. (Text that is not a purpose at all is dead-lettered as {@code INVALID_PURPOSE} instead.)
     */
    PURPOSE_UNKNOWN(Outcome.SUPPRESS),
    /** The record holds no identifier to forward (a guarded topic's schema marks none, or all are absent). */
    NO_IDENTIFIER(Outcome.SUPPRESS),
    /**
     * The firewall could not confirm in time that every side record (consent, registration) committed before the
     * record was read had been applied, and it cannot hold more records waiting: never forwarded on a guess.
     */
    SIDE_RECORDS_PENDING(Outcome.SUPPRESS);

    private final Outcome outcome;

    Reason(Outcome outcome) {
        this.outcome = outcome;
    }

    /** The only outcome this reason can accompany. */
    public Outcome outcome() {
        return outcome;
    }
}
