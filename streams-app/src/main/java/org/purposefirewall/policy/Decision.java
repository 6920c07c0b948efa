package org.purposefirewall.policy;

import java.util.Objects;

/**
 * The result of {@link PurposePolicy#decide}: an outcome with the reason, the rule and the policy version that
 * produced it. The detail is for people and never contains an identifier.
 *
 * @param outcome where the record goes
 * @param reason why; always consistent with the outcome
 * @param rule id of the rule that decided (stable, for audit queries)
 * @param detail human-readable explanation without personal data
 * @param matchedPurpose the restricted purpose that matched, for quarantine; otherwise null
 * @param matchedRegistration the registration that matched, if a registration decided; otherwise null
 * @param policyVersion version of the policy that decided
 * @param fieldPath the field the tripwire matched in, for {@link Reason#RESTRICTED_IDENTIFIER_IN_FIELD} and
 *     {@link Reason#HONEYTOKEN}; otherwise null
 * @param honeytoken the label of the honeytoken found, for {@link Reason#HONEYTOKEN}; otherwise null
 */
public record Decision(Outcome outcome,
                       Reason reason,
                       String rule,
                       String detail,
                       Purpose matchedPurpose,
                       ActiveRegistration matchedRegistration,
                       String policyVersion,
                       String fieldPath,
                       String honeytoken) {

    public Decision {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(policyVersion, "policyVersion");
        if (reason.outcome() != outcome) {
            throw new IllegalArgumentException("reason " + reason + " cannot accompany outcome " + outcome);
        }
        if ((reason == Reason.HONEYTOKEN) != (honeytoken != null)) {
            throw new IllegalArgumentException("a honeytoken label comes with reason HONEYTOKEN, and only with it");
        }
    }

    /** A decision that did not come from the tripwire. */
    public Decision(Outcome outcome, Reason reason, String rule, String detail, Purpose matchedPurpose,
                    ActiveRegistration matchedRegistration, String policyVersion) {
        this(outcome, reason, rule, detail, matchedPurpose, matchedRegistration, policyVersion, null, null);
    }
}
