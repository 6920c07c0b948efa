package org.purposefirewall.policy;

/**
 * What a difference between the service's decision for a record ("then") and a replay's ("now") means. A replay
 * decides each record with hindsight (every side record up to its event time applied first, whenever it arrived)
 * and possibly under a candidate policy, so a difference is either a consequence of the candidate policy or a
 * record the service decided without a side record that arrived too late; both are what an investigation asks
 * for. Pure: {@link #of} is total over every pair of fates.
 */
public enum ReplayChange {

    /** Forwarded then, quarantined now: a restricted (security) identifier reached the ad side. */
    EXPOSURE("exposure", "forwarded then, quarantined now: a restricted identifier reached the ad side"),
    /** Forwarded then, suppressed now: the ad side got an identifier without the consent the record needs now. */
    FORWARDED_WITHOUT_CONSENT("forwarded-without-consent",
            "forwarded then, suppressed now: the ad side got it without the consent it needs now"),
    /** Forwarded then, dead-lettered now. */
    FORWARDED_NOW_REJECTED("forwarded-now-rejected", "forwarded then, dead-lettered now"),
    /** Not forwarded then, forwarded now: what the candidate would newly send to the ad side. */
    NEWLY_FORWARDED("newly-forwarded", "not forwarded then, forwarded now: review before the policy goes live"),
    /** Suppressed then, quarantined now. */
    NEWLY_QUARANTINED("newly-quarantined", "suppressed then, quarantined now"),
    /** Quarantined then, suppressed now. */
    RELEASED_FROM_QUARANTINE("released-from-quarantine", "quarantined then, suppressed now"),
    /** Dead-lettered then, quarantined or suppressed now. */
    NOW_DECIDED("now-decided", "dead-lettered then, decided (not forwarded) now"),
    /** Quarantined or suppressed then, dead-lettered now. */
    NOW_REJECTED("now-rejected", "decided (not forwarded) then, dead-lettered now"),
    /** No output of the service names the record: not decided yet (lag), or lost. */
    UNDECIDED_THEN("undecided-then", "the service wrote no output for the record: it lags, or the record was lost"),
    /** The service wrote outputs of more than one kind for the record: "never both" was broken. */
    SEVERAL_OUTCOMES_THEN("several-outcomes-then",
            "the service wrote outputs of more than one kind for the record"),
    /** The replay reached no decision for the record (it still waited, e.g. for the schema registry). */
    UNDECIDED_NOW("undecided-now", "the replay reached no decision for the record"),
    /** The replay wrote outputs of more than one kind for the record: a fault of the firewall's code. */
    SEVERAL_OUTCOMES_NOW("several-outcomes-now", "the replay wrote outputs of more than one kind for the record");

    /** Where one record went. */
    public enum Fate {
        FORWARDED, QUARANTINED, SUPPRESSED, DEAD_LETTERED,
        /** No output names the record. */
        NONE,
        /** Outputs of more than one kind name the record. */
        SEVERAL
    }

    private final String code;
    private final String meaning;

    ReplayChange(String code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** Stable id for reports and queries. */
    public String code() {
        return code;
    }

    /** One sentence for people. */
    public String meaning() {
        return meaning;
    }

    /** True if the service's output put the record on the ad side and the replay would not have. */
    public boolean reachedAdSideThen() {
        return this == EXPOSURE || this == FORWARDED_WITHOUT_CONSENT || this == FORWARDED_NOW_REJECTED;
    }

    /**
     * The change from {@code then} to {@code now}, or null when the fates are the same (the record agrees). The
     * service's own faults come first: a record it never decided, or decided twice, is that whatever the replay says.
     */
    public static ReplayChange of(Fate then, Fate now) {
        if (then == Fate.SEVERAL) {
            return SEVERAL_OUTCOMES_THEN;
        }
        if (then == Fate.NONE) {
            return now == Fate.NONE ? null : UNDECIDED_THEN;
        }
        if (now == Fate.NONE) {
            return UNDECIDED_NOW;
        }
        if (now == Fate.SEVERAL) {
            return SEVERAL_OUTCOMES_NOW;
        }
        if (then == now) {
            return null;
        }
        if (then == Fate.FORWARDED) {
            return switch (now) {
                case QUARANTINED -> EXPOSURE;
                case SUPPRESSED -> FORWARDED_WITHOUT_CONSENT;
                default -> FORWARDED_NOW_REJECTED;
            };
        }
        if (now == Fate.FORWARDED) {
            return NEWLY_FORWARDED;
        }
        if (then == Fate.DEAD_LETTERED) {
            return NOW_DECIDED;
        }
        if (now == Fate.DEAD_LETTERED) {
            return NOW_REJECTED;
        }
        return then == Fate.SUPPRESSED ? NEWLY_QUARANTINED : RELEASED_FROM_QUARANTINE;
    }
}
