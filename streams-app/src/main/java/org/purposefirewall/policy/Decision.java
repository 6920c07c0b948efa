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
 */
public record Decision(Outcome outcome,
                       Reason reason,
                       String rule,
                       String detail,
                       Purpose matchedPurpose,
                       ActiveRegistration matchedRegistration,
                       String policyVersion) {

    public Decision {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(policyVersion, "policyVersion");
        if (reason.outcome() != outcome) {
            throw new IllegalArgumentException("reason " + reason + " cannot accompany outcome " + outcome);
        }
    }
}
