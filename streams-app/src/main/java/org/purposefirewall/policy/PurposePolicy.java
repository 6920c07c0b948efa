package org.purposefirewall.policy;

import java.util.ArrayList;
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
 *
 * <p>Each rule is one constant of the private enum {@code Rule}, self-contained: it looks at the inputs alone,
 * never at what an earlier rule found, and answers its {@link Decision} if it matches, or null. {@link #decide} asks
 * the rules in order and returns the first answer; {@link #explain} asks every rule, also those after the deciding
 * one, and reports each result. Both run the same rule code, so an explanation cannot drift from the decision it explains. Because each
 * rule stands alone, {@code consent.not-granted} and {@code consent.granted} test for a grant themselves
 * ({@code consent.granted}: a trusted consent state with a grant on the ad purpose or above it, in the taxonomy);
 * in first-match order that is exactly "otherwise".
 */
public final class PurposePolicy {

    /** The rules for a record with an identifier to decide, in the order {@link #decide} asks them. */
    private static final Rule[] WITH_IDENTIFIER = {
        Rule.HONEYTOKEN, Rule.RESTRICTED_DECLARED, Rule.RESTRICTED_REGISTERED, Rule.RESTRICTED_TRIPWIRE,
        Rule.PURPOSE_UNKNOWN, Rule.LIMIT_AD_TRACKING, Rule.CONSENT_MISSING, Rule.CONSENT_INVALID,
        Rule.CONSENT_OPT_OUT, Rule.CONSENT_DENIED, Rule.CONSENT_NOT_GRANTED, Rule.CONSENT_GRANTED,
    };

    /** The rules for a record that holds no identifier, in the order {@link #decideWithoutIdentifier} asks them. */
    private static final Rule[] WITHOUT_IDENTIFIER = {Rule.HONEYTOKEN, Rule.RESTRICTED_TRIPWIRE, Rule.IDENTIFIER_NONE};

    private PurposePolicy() {
    }

    /** The decision for one identifier of a record: the first rule that matches. Allocates only the decision. */
    public static Decision decide(Policy policy,
                                  RecordFacts facts,
                                  Optional<ConsentSnapshot> consent,
                                  List<ActiveRegistration> registrations) {
        return first(WITH_IDENTIFIER, policy, facts, consent, registrations);
    }

    /**
     * The decision for a record that holds no identifier to forward: the {@code honeytoken} and
     * {@code restricted.tripwire} rules apply as for any record; otherwise {@code identifier.none} → SUPPRESS.
     */
    public static Decision decideWithoutIdentifier(Policy policy, RecordFacts facts) {
        return first(WITHOUT_IDENTIFIER, policy, facts, Optional.empty(), List.of());
    }

    /**
     * Every rule of {@link #decide}, in order, with its result for these inputs, and the decision: for an assessor,
     * not the hot path. Its {@link Explanation#decision()} equals {@code decide(policy, facts, consent,
     * registrations)}.
     */
    public static Explanation explain(Policy policy,
                                      RecordFacts facts,
                                      Optional<ConsentSnapshot> consent,
                                      List<ActiveRegistration> registrations) {
        return explain(WITH_IDENTIFIER, policy, facts, consent, registrations);
    }

    /** Every rule of {@link #decideWithoutIdentifier}, in order, with its result, and the decision. */
    public static Explanation explainWithoutIdentifier(Policy policy, RecordFacts facts) {
        return explain(WITHOUT_IDENTIFIER, policy, facts, Optional.empty(), List.of());
    }

    /** The ids of the rules of {@link #decide}, in order. */
    public static List<String> rules() {
        return ids(WITH_IDENTIFIER);
    }

    /** The ids of the rules of {@link #decideWithoutIdentifier}, in order. */
    public static List<String> rulesWithoutIdentifier() {
        return ids(WITHOUT_IDENTIFIER);
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

    private static Decision first(Rule[] rules, Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                                  List<ActiveRegistration> registrations) {
        for (Rule rule : rules) {
            Decision decision = rule.apply(policy, facts, consent, registrations);
            if (decision != null) {
                return decision;
            }
        }
        // Unreachable: the last rules between them match every input. Thrown, not forwarded: fail closed.
        throw new IllegalStateException("no rule of the policy matched");
    }

    private static Explanation explain(Rule[] rules, Policy policy, RecordFacts facts,
                                       Optional<ConsentSnapshot> consent, List<ActiveRegistration> registrations) {
        List<Explanation.RuleCheck> checks = new ArrayList<>(rules.length);
        Decision deciding = null;
        int index = -1;
        for (int i = 0; i < rules.length; i++) {
            Rule rule = rules[i];
            Decision decision = rule.apply(policy, facts, consent, registrations);
            if (decision != null && deciding == null) {
                deciding = decision;
                index = i;
            }
            checks.add(new Explanation.RuleCheck(rule.id, decision != null,
                    decision != null ? decision.detail() : rule.unmatched(policy, facts, consent, registrations)));
        }
        if (deciding == null) {
            throw new IllegalStateException("no rule of the policy matched");
        }
        return new Explanation(checks, deciding, index);
    }

    private static List<String> ids(Rule[] rules) {
        List<String> ids = new ArrayList<>(rules.length);
        for (Rule rule : rules) {
            ids.add(rule.id);
        }
        return List.copyOf(ids);
    }

    /**
     * One rule: {@link #apply} is its decision if it matches, else null, and runs on the hot path; {@link #unmatched}
     * says why it did not match, without personal data, and runs only for {@link #explain}. A rule that needs no
     * consent or registrations ignores them; the rules of a record without an identifier are given none.
     */
    private enum Rule {

        HONEYTOKEN("honeytoken") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                for (FieldMatch match : facts.fieldMatches()) {
                    if (match.honeytoken() != null) {
                        return new Decision(Outcome.QUARANTINE, Reason.HONEYTOKEN, id,
                                "field " + match.path() + " holds honeytoken '" + match.honeytoken()
                                        + "': security data is flowing toward the ad side",
                                policy.restrictedPurposes().get(0), null, policy.version(), match.path(),
                                match.honeytoken());
                    }
                }
                return null;
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                return "no field of the record holds a honeytoken";
            }
        },

        RESTRICTED_DECLARED("restricted.declared") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                for (Purpose declared : facts.declaredPurposes()) {
                    Purpose restricted = policy.restrictedPurposeCovering(declared);
                    if (restricted != null) {
                        return new Decision(Outcome.QUARANTINE, Reason.DECLARED_RESTRICTED_PURPOSE, id,
                                "the producer declared purpose " + declared + ", which is restricted under "
                                        + restricted,
                                restricted, null, policy.version());
                    }
                }
                return null;
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                return facts.declaredPurposes().isEmpty() ? "the producer declared no purpose"
                        : "no declared purpose is restricted (declared: " + joined(facts.declaredPurposes()) + ")";
            }
        },

        RESTRICTED_REGISTERED("restricted.registered") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                for (ActiveRegistration registration : registrations) {
                    Purpose restricted = policy.restrictedPurposeCovering(registration.purpose());
                    if (restricted != null) {
                        return new Decision(Outcome.QUARANTINE, Reason.REGISTERED_FOR_RESTRICTED_PURPOSE, id,
                                "the identifier was collected for " + registration.purpose() + " by "
                                        + registration.sourceSystem() + ", which is restricted under " + restricted,
                                restricted, registration, policy.version());
                    }
                }
                return null;
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                if (registrations.isEmpty()) {
                    return "the identifier has no registration in force at the record's event time";
                }
                StringBuilder registered = new StringBuilder();
                for (ActiveRegistration registration : registrations) {
                    registered.append(registered.isEmpty() ? "" : ", ").append(registration.purpose())
                            .append(" by ").append(registration.sourceSystem());
                }
                return "no registration of the identifier is for a restricted purpose (registered for: "
                        + registered + ")";
            }
        },

        RESTRICTED_TRIPWIRE("restricted.tripwire") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                for (FieldMatch match : facts.fieldMatches()) {
                    for (ActiveRegistration registration : match.registrations()) {
                        Purpose restricted = policy.restrictedPurposeCovering(registration.purpose());
                        if (restricted != null) {
                            return new Decision(Outcome.QUARANTINE, Reason.RESTRICTED_IDENTIFIER_IN_FIELD, id,
                                    "field " + match.path() + " holds an identifier of this user collected for "
                                            + registration.purpose() + " by " + registration.sourceSystem()
                                            + ", which is restricted under " + restricted,
                                    restricted, registration, policy.version(), match.path(), null);
                        }
                    }
                }
                return null;
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                return "no other field holds an identifier of this user registered for a restricted purpose";
            }
        },

        PURPOSE_UNKNOWN("purpose.unknown") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                for (Purpose declared : facts.declaredPurposes()) {
                    if (!policy.knows(declared)) {
                        return suppress(policy, Reason.PURPOSE_UNKNOWN, id,
                                "the producer declared purpose " + declared + ", which is not in the policy's "
                                        + "taxonomy (known-purposes)");
                    }
                }
                return null;
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                return facts.declaredPurposes().isEmpty() ? "the producer declared no purpose"
                        : "every declared purpose is in the policy's taxonomy";
            }
        },

        LIMIT_AD_TRACKING("identifier.limit-ad-tracking") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                return facts.limitAdTracking() ? suppress(policy, Reason.LIMIT_AD_TRACKING, id,
                        "the mobile advertising id is the all-zero id: the device asked to limit ad tracking") : null;
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                return "the identifier is not the all-zero mobile advertising id";
            }
        },

        CONSENT_MISSING("consent.missing") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                return consent.isEmpty() ? suppress(policy, Reason.CONSENT_MISSING, id,
                        "no consent state for the user at the record's event time") : null;
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                return "a consent state is in force at the record's event time";
            }
        },

        CONSENT_INVALID("consent.invalid") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                if (consent.isEmpty() || consent.get().problem() == null) {
                    return null;
                }
                return suppress(policy, Reason.CONSENT_INVALID, id,
                        "the consent state cannot be trusted: " + consent.get().problem());
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                return consent.isEmpty() ? NO_STATE : "the consent state's signals can be trusted";
            }
        },

        CONSENT_OPT_OUT("consent.opt-out") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                if (consent.isEmpty()) {
                    return null;
                }
                ConsentSnapshot snapshot = consent.get();
                if (!snapshot.optedOutOfTargetedAdvertising() && !snapshot.optedOutOfSale()
                        && !snapshot.globalPrivacyControl()) {
                    return null;
                }
                return suppress(policy, Reason.OPTED_OUT, id,
                        snapshot.optedOutOfTargetedAdvertising() ? "the user opted out of targeted advertising"
                                : snapshot.optedOutOfSale() ? "the user opted out of sale or sharing"
                                : "the user's browser sent Global Privacy Control (an opt-out of sale and sharing)");
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                return consent.isEmpty() ? NO_STATE : "no opt-out is set (targeted advertising, sale or sharing, "
                        + "Global Privacy Control)";
            }
        },

        CONSENT_DENIED("consent.denied") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                if (consent.isEmpty()) {
                    return null;
                }
                for (Map.Entry<Purpose, ConsentChoice> choice : consent.get().choices().entrySet()) {
                    // A denial counts wherever it overlaps, known or not: an unknown word may narrow consent, never
                    // widen it.
                    if (choice.getValue() == ConsentChoice.DENIED && choice.getKey().overlaps(policy.adPurpose())) {
                        return suppress(policy, Reason.CONSENT_DENIED, id,
                                "the user denied " + choice.getKey() + ", which overlaps " + policy.adPurpose());
                    }
                }
                return null;
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                return consent.isEmpty() ? NO_STATE : "no denial overlaps " + policy.adPurpose();
            }
        },

        CONSENT_NOT_GRANTED("consent.not-granted") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                if (consent.isEmpty() || grant(policy, consent.get()) != null) {
                    return null;
                }
                Purpose ignored = ignoredGrant(policy, consent.get());
                return suppress(policy, Reason.CONSENT_NOT_GRANTED, id,
                        "no grant covers " + policy.adPurpose() + (ignored == null ? ""
                                : " (the grant on " + ignored + " counts for nothing: it is not in the policy's "
                                        + "taxonomy)"));
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                return consent.isEmpty() ? NO_STATE
                        : "the grant on " + grant(policy, consent.get()) + " covers " + policy.adPurpose();
            }
        },

        CONSENT_GRANTED("consent.granted") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                // Standing alone, the rule asks for a trusted state with a grant; after the rules above, that is
                // "otherwise".
                if (consent.isEmpty() || consent.get().problem() != null || grant(policy, consent.get()) == null) {
                    return null;
                }
                return new Decision(Outcome.FORWARD, Reason.CONSENT_GRANTED, id,
                        "consent covers " + policy.adPurpose(), null, null, policy.version());
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                if (consent.isEmpty()) {
                    return NO_STATE;
                }
                return consent.get().problem() != null ? "the consent state cannot be trusted, so no grant in it counts"
                        : "no grant covers " + policy.adPurpose();
            }
        },

        IDENTIFIER_NONE("identifier.none") {
            @Override
            Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                           List<ActiveRegistration> registrations) {
                return suppress(policy, Reason.NO_IDENTIFIER, id,
                        "the record holds no identifier the firewall could forward");
            }

            @Override
            String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                             List<ActiveRegistration> registrations) {
                throw new IllegalStateException("rule identifier.none always matches");
            }
        };

        private static final String NO_STATE = "no consent state at the record's event time";

        /** Stable id, for audit queries and the decision's {@link Decision#rule()}. */
        final String id;

        Rule(String id) {
            this.id = id;
        }

        /** This rule's decision if it matches, else null. On the hot path: builds no text unless it matches. */
        abstract Decision apply(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                                List<ActiveRegistration> registrations);

        /** Why this rule did not match these inputs, without personal data. Only for {@link #explain}. */
        abstract String unmatched(Policy policy, RecordFacts facts, Optional<ConsentSnapshot> consent,
                                  List<ActiveRegistration> registrations);
    }

    /**
     * The first grant on the ad purpose or above it that is in the policy's taxonomy, or null. A grant outside the
     * taxonomy grants nothing.
     */
    private static Purpose grant(Policy policy, ConsentSnapshot snapshot) {
        for (Map.Entry<Purpose, ConsentChoice> choice : snapshot.choices().entrySet()) {
            Purpose purpose = choice.getKey();
            if (choice.getValue() == ConsentChoice.GRANTED && policy.adPurpose().isWithin(purpose)
                    && policy.knows(purpose)) {
                return purpose;
            }
        }
        return null;
    }

    /** The last grant on the ad purpose or above it that is outside the policy's taxonomy, or null. */
    private static Purpose ignoredGrant(Policy policy, ConsentSnapshot snapshot) {
        Purpose ignored = null;
        for (Map.Entry<Purpose, ConsentChoice> choice : snapshot.choices().entrySet()) {
            Purpose purpose = choice.getKey();
            if (choice.getValue() == ConsentChoice.GRANTED && policy.adPurpose().isWithin(purpose)
                    && !policy.knows(purpose)) {
                ignored = purpose;
            }
        }
        return ignored;
    }

    private static String joined(List<Purpose> purposes) {
        StringBuilder text = new StringBuilder();
        for (Purpose purpose : purposes) {
            text.append(text.isEmpty() ? "" : ", ").append(purpose);
        }
        return text.toString();
    }

    private static Decision suppress(Policy policy, Reason reason, String rule, String detail) {
        return new Decision(Outcome.SUPPRESS, reason, rule, detail, null, null, policy.version());
    }
}
