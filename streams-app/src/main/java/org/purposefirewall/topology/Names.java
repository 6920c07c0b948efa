package org.purposefirewall.topology;

/**
 * Names of every node and store of the topology. Store names are part of the operational contract: their changelog
 * topics are {@code <application.id>-<store>-changelog}, so renaming one loses its state.
 */
public final class Names {

    public static final String CONTACT_POINTS_SOURCE = "contact-points-source";
    public static final String CONSENT_SOURCE = "consent-source";
    public static final String REGISTRATIONS_SOURCE = "registrations-source";

    public static final String CONSENT_UPDATER = "consent-updater";
    public static final String REGISTRATION_UPDATER = "registration-updater";
    public static final String DECIDER = "purpose-decider";

    public static final String AUDIENCE_SINK = "audience-sink";
    public static final String QUARANTINE_SINK = "quarantine-sink";
    public static final String SUPPRESSED_SINK = "suppressed-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String RECALL_SINK = "recall-sink";

    /** Source node of a guarded topic. */
    public static String guardedSource(String topic) {
        return "guarded-source-" + topic;
    }

    /** Decider node of a guarded topic. */
    public static String guardedDecider(String topic) {
        return "guarded-decider-" + topic;
    }

    /** Versioned store: user id → consent state, queried as of each record's event time. */
    public static final String CONSENT_STORE = "consent-store";
    /** Key-value store: user id + hash form + digest → the identifier's registration history (see IdentifierKeys). */
    public static final String REGISTRATION_STORE = "registration-store";
    /** Key-value store: user id + hash form + digest → what the ad side holds of a forwarded identifier. */
    public static final String EXPOSURE_STORE = "exposure-store";
    /** Key-value store: user id → event times at which the user's consent stopped permitting the ad purpose. */
    public static final String REVOCATION_STORE = "consent-revocations-store";
    /** In-memory, changelogged: data records held for late consent, keyed by hold deadline. */
    public static final String HELD_STORE = "held-store";
    /** In-memory, changelogged: input records set aside until the schema registry answers. */
    public static final String PARKED_STORE = "parked-store";

    private Names() {
    }
}
