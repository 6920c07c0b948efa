package org.purposefirewall.policy;

import java.util.List;
import java.util.Objects;

/**
 * Why {@link PurposePolicy} decided as it did, for an assessor: every rule in order with its own result, and the
 * decision. Built by {@link PurposePolicy#explain} and {@link PurposePolicy#explainWithoutIdentifier} from the same
 * rule code as the decision, never on the hot path. Nothing in it is personal data: the policy is never given an
 * identifier or a user id, and the details name purposes, field paths, source systems and honeytoken labels only.
 *
 * <p>Rules after the deciding one are evaluated too: a match there is what would also have applied (for instance a
 * grant behind a denial), though first match means it was not reached.
 *
 * @param checks every rule, in the order the policy asks them, each exactly once
 * @param decision the decision: the deciding rule's, equal to what {@code decide} returns for the same inputs
 * @param index the position in {@code checks} of the deciding rule: the first check that matched
 */
public record Explanation(List<RuleCheck> checks, Decision decision, int index) {

    /**
     * One rule's result.
     *
     * @param rule the rule's id, as in {@link Decision#rule()}
     * @param matched whether the rule matched these inputs, whether or not it was reached
     * @param detail why it matched (the detail of the decision it would make) or did not, without personal data
     */
    public record RuleCheck(String rule, boolean matched, String detail) {

        public RuleCheck {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(detail, "detail");
        }
    }

    public Explanation {
        checks = List.copyOf(Objects.requireNonNull(checks, "checks"));
        Objects.requireNonNull(decision, "decision");
        if (index < 0 || index >= checks.size()) {
            throw new IllegalArgumentException("the deciding index " + index + " is not one of " + checks.size()
                    + " checks");
        }
        RuleCheck deciding = checks.get(index);
        if (!deciding.matched() || !deciding.rule().equals(decision.rule())) {
            throw new IllegalArgumentException("the check at " + index + " is not the decision's matched rule");
        }
        for (int i = 0; i < index; i++) {
            if (checks.get(i).matched()) {
                throw new IllegalArgumentException("rule " + checks.get(i).rule() + " matched before the deciding "
                        + "one: first match wins");
            }
        }
    }

    /** True if the policy reached the check at {@code position}: it is the deciding one or comes before it. */
    public boolean reached(int position) {
        return position <= index;
    }

    /** The deciding rule's check. */
    public RuleCheck deciding() {
        return checks.get(index);
    }
}
