package org.purposefirewall.policy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One record's outcome over all of its identifiers (rule {@code verdict.combined}): one record, one outcome.
 * <ul>
 *   <li>any identifier quarantined → QUARANTINE, by the first such decision (security data beats everything);</li>
 *   <li>else any identifier suppressed → SUPPRESS, by the first such decision (fail closed: one identifier without
 *       consent keeps the whole record from the ad side);</li>
 *   <li>else FORWARD each distinct identifier once (the same phone in two fields is one audience member), in field
 *       order.</li>
 * </ul>
 *
 * @param outcome where the record goes
 * @param deciding the decision that decided a QUARANTINE or SUPPRESS, or the first identifier's for FORWARD
 * @param index which identifier's decision that is (its position in the input list); -1 for a record without an
 *     identifier
 * @param forwarded for FORWARD, the positions of the identifiers to forward, each distinct one once; else empty
 */
public record Verdict(Outcome outcome, Decision deciding, int index, List<Integer> forwarded) {

    /** The id of the combining rule, for audit and {@code explain}. */
    public static final String RULE = "verdict.combined";

    private static final List<Integer> ONLY_FIRST = List.of(0);

    public Verdict {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(deciding, "deciding");
        forwarded = List.copyOf(forwarded);
        if (deciding.outcome() != outcome) {
            throw new IllegalArgumentException("a " + outcome + " verdict decided by a " + deciding.outcome());
        }
        if ((outcome == Outcome.FORWARD) == forwarded.isEmpty()) {
            throw new IllegalArgumentException("identifiers are forwarded exactly when the verdict is FORWARD");
        }
    }

    /**
     * Combines the decisions of one record's identifiers.
     *
     * @param decisions one decision per identifier, in field order; at least one
     * @param forwardKeys the digest each identifier would be forwarded as, same order (equal keys: one identifier)
     */
    public static Verdict of(List<Decision> decisions, List<String> forwardKeys) {
        if (decisions.isEmpty() || decisions.size() != forwardKeys.size()) {
            throw new IllegalArgumentException("one forward key per decision, and at least one decision");
        }
        int suppressed = -1;
        for (int i = 0; i < decisions.size(); i++) {
            Outcome outcome = decisions.get(i).outcome();
            if (outcome == Outcome.QUARANTINE) {
                return new Verdict(Outcome.QUARANTINE, decisions.get(i), i, List.of());
            }
            if (outcome == Outcome.SUPPRESS && suppressed < 0) {
                suppressed = i;
            }
        }
        if (suppressed >= 0) {
            return new Verdict(Outcome.SUPPRESS, decisions.get(suppressed), suppressed, List.of());
        }
        if (decisions.size() == 1) {
            return new Verdict(Outcome.FORWARD, decisions.get(0), 0, ONLY_FIRST);
        }
        Set<String> seen = new HashSet<>();
        List<Integer> distinct = new ArrayList<>(decisions.size());
        for (int i = 0; i < forwardKeys.size(); i++) {
            if (seen.add(forwardKeys.get(i))) {
                distinct.add(i);
            }
        }
        return new Verdict(Outcome.FORWARD, decisions.get(0), 0, distinct);
    }

    /**
     * Which identifier's decision won and why, for an assessor ({@code explain}); identifiers are counted from 1 in
     * field order and never named. Built on demand, never on the hot path.
     */
    public String detail() {
        if (index < 0) {
            return "the record holds no identifier: its one decision (" + deciding.rule() + ") is the verdict";
        }
        String which = "identifier " + (index + 1);
        return switch (outcome) {
            case QUARANTINE -> which + " is the first quarantined (" + deciding.rule()
                    + "): any identifier quarantined quarantines the whole record";
            case SUPPRESS -> which + " is the first suppressed (" + deciding.rule()
                    + ") and none is quarantined: one identifier not forwarded keeps the whole record from the ad "
                    + "side";
            case FORWARD -> "every identifier is forwarded (" + deciding.rule() + "); " + forwarded.size()
                    + (forwarded.size() == 1 ? " distinct identifier, forwarded once"
                            : " distinct identifiers, each forwarded once");
        };
    }

    /** The verdict of a record that holds no identifier: its one decision ({@link PurposePolicy#decideWithoutIdentifier}). */
    public static Verdict withoutIdentifier(Decision decision) {
        if (decision.outcome() == Outcome.FORWARD) {
            throw new IllegalArgumentException("a record without an identifier has nothing to forward");
        }
        return new Verdict(decision.outcome(), decision, -1, List.of());
    }
}
