package org.purposefirewall.policy;

import java.util.List;
import java.util.Optional;

/**
 * When an identifier already forwarded to the ad side must be recalled, and when a side record came too late to be
 * applied before a decision. Pure: the topology reads exposures and histories and asks; it decides nothing itself.
 *
 * <p>Rules:
 * <ul>
 *   <li>{@code recall.consent-ended}: consent for the ad purpose ended at a time T and held until U (the next
 *       permitting state, or never) → every exposure of the user first forwarded before U is recalled, once per
 *       exposure. The ad side may not keep what it held while consent was gone.</li>
 *   <li>{@code recall.registered}: the identifier was registered for a purpose the policy restricts → each of its
 *       exposures, in whichever form it was forwarded, is recalled once, whenever it was forwarded.</li>
 *   <li>{@code recall.after-forward}: a record forwarded for its own event time t, when consent is already known to
 *       have ended, or the identifier to have been registered for a restricted purpose, at a time after t → recalled
 *       at once: the forward was right for its time, but the ad side may not keep it.</li>
 *   <li>{@code late.side-record}: a side record whose effective time is at or before the last time an exposure it
 *       recalls was forwarded came too late: that forward was wrong for its own event time (counted as
 *       {@code late-side-records}; the firewall's guarantee bounds when this can happen).</li>
 * </ul>
 */
public final class RecallRules {

    private RecallRules() {
    }

    /**
     * Whether the user's consent, as {@code consent} states it, permits the ad purpose; the decision says why not.
     * The consent rules of {@link PurposePolicy#decide} alone, for a record with no other facts.
     */
    public static Decision consentForAds(Policy policy, ConsentSnapshot consent, long effectiveTime) {
        return PurposePolicy.decide(policy, new RecordFacts(List.of(), effectiveTime, false),
                Optional.of(consent), List.of());
    }

    /** Rule {@code recall.consent-ended}: whether an exposure first forwarded at {@code first} is recalled. */
    public static boolean consentEndedRecalls(long first, long until) {
        return until == Long.MAX_VALUE || first < until;
    }

    /** Rule {@code recall.registered}: whether a registration for {@code purpose} recalls the identifier's exposures. */
    public static boolean registrationRecalls(Policy policy, Purpose purpose, boolean registered) {
        return registered && policy.restrictedPurposeCovering(purpose) != null;
    }

    /**
     * Rule {@code recall.after-forward}: whether a forward for {@code forwardedAt} is recalled at once, given the
     * earliest known time after it at which consent ended or the identifier was registered for a restricted purpose
     * ({@code -1}: none).
     */
    public static boolean recallsAfterForward(long forwardedAt, long endedAfter) {
        return endedAfter > forwardedAt;
    }

    /**
     * Rule {@code late.side-record}: whether a side record effective at {@code causeTime} that recalls an exposure
     * last forwarded at {@code lastForwarded} arrived too late to be applied before that forward.
     */
    public static boolean late(long causeTime, long lastForwarded) {
        return lastForwarded >= causeTime;
    }
}
