package org.purposefirewall.policy;

/** Why a decision came out as it did. Reason codes are part of the output contract: never rename one. */
public enum Reason {
    CONSENT_GRANTED(Outcome.FORWARD),
    DECLARED_RESTRICTED_PURPOSE(Outcome.QUARANTINE),
    REGISTERED_FOR_RESTRICTED_PURPOSE(Outcome.QUARANTINE),
    CONSENT_MISSING(Outcome.SUPPRESS),
    OPTED_OUT(Outcome.SUPPRESS),
    CONSENT_DENIED(Outcome.SUPPRESS),
    CONSENT_NOT_GRANTED(Outcome.SUPPRESS),
    LIMIT_AD_TRACKING(Outcome.SUPPRESS);

    private final Outcome outcome;

    Reason(Outcome outcome) {
        this.outcome = outcome;
    }

    /** The only outcome this reason can accompany. */
    public Outcome outcome() {
        return outcome;
    }
}
