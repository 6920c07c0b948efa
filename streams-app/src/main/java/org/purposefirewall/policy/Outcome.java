package org.purposefirewall.policy;

/** Where a decided record goes. Dead-lettering is not a decision: it is what happens to input that cannot be decided. */
public enum Outcome {
    /** Minimized and sent to the ad side. */
    FORWARD,
    /** Stopped: the identifier was collected or declared for a restricted purpose. */
    QUARANTINE,
    /** Stopped: no consent that allows the ad purpose. */
    SUPPRESS
}
