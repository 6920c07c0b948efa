package org.purposefirewall.policy;

/**
 * Why an input record was dead-lettered instead of decided: it cannot be read, attributed or timed, so no decision
 * about it can be trusted. Every rejection is a dead letter with this code as its {@code reason}; codes are part of
 * the output contract (the README's dead-letter table lists them): never rename one.
 *
 * <p>The identifier codes are {@code identity.IdentifierError}'s and the decoding codes are
 * {@code serde.SerdeException.Kind}'s, under the same names (a test keeps them in step), so a producer's team reads
 * one list whatever stage refused its record.
 */
public enum Rejection {
    /** A data record or registration without a value (registrations are events: withdraw with WITHDRAWN). */
    EMPTY_VALUE,
    /** The record key or the payload's user id is missing. */
    MISSING_USER_ID,
    /** The user id is longer than a user id can be (the stores' key limit). */
    USER_ID_TOO_LONG,
    /** The record key and the payload's user id differ: topics are keyed, and co-partitioned, by user id. */
    KEY_MISMATCH,
    /** The event time is before the configured floor or too far ahead of the clock. */
    INVALID_EVENT_TIME,
    /** A purpose (declared, consented or registered) is not a purpose at all. */
    INVALID_PURPOSE,
    /** The identifier type is one this firewall does not know (a newer producer's type reads as UNKNOWN). */
    UNKNOWN_IDENTIFIER_TYPE,
    EMPTY_IDENTIFIER,
    TOO_LONG,
    INVALID_PHONE,
    INVALID_EMAIL,
    INVALID_MOBILE_AD_ID,
    /** A digest of a form the policy does not match in ({@code match-hash-forms}). */
    UNSUPPORTED_HASH_FORM,
    /** Too short, or no magic byte: not written by a schema-registry serializer. */
    NOT_WIRE_FORMAT,
    /** The registry has no schema with the record's id. */
    UNKNOWN_SCHEMA_ID,
    /** The writer's schema cannot be read as the firewall's schema for the topic. */
    INCOMPATIBLE_SCHEMA,
    /** The body is not valid Avro for its writer schema. */
    MALFORMED_AVRO,
    /** A field is too large or nested too deep for the tripwire to read whole: it cannot be shown free of security data. */
    UNSCANNABLE_FIELD,
    /** Key and value are more bytes than the firewall copies into a store, an internal topic or an output. */
    RECORD_TOO_LARGE,
    /** A consent change older than the consent history kept behind stream time. */
    LATE_BEYOND_RETENTION,
    /** An unforeseen failure while deciding: fail closed, never forwarded. */
    PROCESSING_ERROR;

    /**
     * The rejection a decoding or normalization stage names by code, or {@link #PROCESSING_ERROR} for a code this
     * enum does not know (which a test rules out for the codes the firewall's own stages produce).
     */
    public static Rejection named(String code) {
        try {
            return valueOf(code);
        } catch (IllegalArgumentException | NullPointerException e) {
            return PROCESSING_ERROR;
        }
    }

    /**
     * Whether a consent record rejected for this reason still counts as a revocation from its time on (rule
     * {@code consent.unreadable}). Fail closed: a consent record that cannot be read may have been a revocation, so
     * the user has no consent from then on, and what was forwarded is recalled. Not when it cannot be attributed
     * ({@code attributable} false: no usable key) and not when it is {@link #LATE_BEYOND_RETENTION} (it is older
     * than every state the store still answers for).
     */
    public boolean revokesConsent(boolean attributable) {
        return attributable && this != LATE_BEYOND_RETENTION;
    }
}
