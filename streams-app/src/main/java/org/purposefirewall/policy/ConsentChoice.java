package org.purposefirewall.policy;

/** A user's recorded choice for one purpose (and the purposes below it). */
public enum ConsentChoice {
    GRANTED,
    DENIED;

    /** Two answers for one purpose combined: a denial overrides a grant. */
    public static ConsentChoice denyOverrides(ConsentChoice a, ConsentChoice b) {
        return a == DENIED || b == DENIED ? DENIED : GRANTED;
    }
}
