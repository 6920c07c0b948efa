package org.purposefirewall.topology;

/**
 * Names of every node and store of the topology. Store names are part of the operational contract: their changelog
 * topics are {@code <application.id>-<store>-changelog}, so renaming one loses its state.
 */
public final class Names {

    public static final String CONTACT_POINTS_SOURCE = "contact-points-source";
    public static final String CONSENT_SOURCE = "consent-source";
    public static final String REGISTRATIONS_SOURCE = "registrations-source";

    /** Intake sub-topology: wraps each side record, whole, with its coordinates, for its home partition. */
    public static final String CONSENT_INTAKE = "consent-intake";
    public static final String REGISTRATIONS_INTAKE = "registrations-intake";
    public static final String SIDE_RECORDS_MERGE = "side-records-merge";
    /** Repartition name of the internal topic {@code <application.id>-side-records-repartition}. */
    public static final String SIDE_RECORDS = "side-records";
    /**
     * The internal topic, as the topology names it (Kafka Streams prefixes the application id): every side record,
     * and every data record read off its home partition, on its way to its user's home partition.
     */
    public static final String SIDE_RECORDS_TOPIC = SIDE_RECORDS + "-repartition";
    /** Source of the internal topic in the deciding sub-topology (named by Kafka Streams after the topic). */
    public static final String SIDE_RECORDS_SOURCE = SIDE_RECORDS_TOPIC + "-source";
    /** Hands each re-homed record to the processor of its input topic, with its original coordinates. */
    public static final String DISPATCHER = "side-records-dispatcher";
    /** Deciders' sink into the internal topic, for data records read off their home partition. */
    public static final String REHOME_SINK = "rehome-sink";

    public static final String CONSENT_UPDATER = "consent-updater";
    public static final String REGISTRATION_UPDATER = "registration-updater";
    public static final String DECIDER = "purpose-decider";

    public static final String AUDIENCE_SINK = "audience-sink";
    public static final String QUARANTINE_SINK = "quarantine-sink";
    public static final String SUPPRESSED_SINK = "suppressed-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String RECALL_SINK = "recall-sink";
    /** Shadow mode only: the candidate policy's disagreements (see {@code ShadowDecider}). */
    public static final String SHADOW_SINK = "shadow-decisions-sink";

    /** The internal topic's full name on the brokers: {@code <application.id>-side-records-repartition}. */
    public static String sideRecordsTopic(String applicationId) {
        return applicationId + "-" + SIDE_RECORDS_TOPIC;
    }

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
    /**
     * Key-value store: user id → present, for every user with a registration stored (and "" once it covers the
     * whole registration store): a user without any costs one read instead of one per key of each identifier.
     */
    public static final String REGISTERED_USERS_STORE = "registered-users-store";
    /** Key-value store: user id + hash form + digest → what the ad side holds of a forwarded identifier. */
    public static final String EXPOSURE_STORE = "exposure-store";
    /** Key-value store: user id → event times at which the user's consent stopped permitting the ad purpose. */
    public static final String REVOCATION_STORE = "consent-revocations-store";
    /**
     * Persistent, cached, changelogged: every record that waits instead of being decided now (for the schema
     * registry, for side records, for late consent), whole, with its coordinates; see {@code SetAside}.
     */
    public static final String SET_ASIDE_STORE = "set-aside-store";

    private Names() {
    }
}
