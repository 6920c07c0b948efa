package org.purposefirewall.topology;

import java.nio.charset.StandardCharsets;
import org.purposefirewall.policy.Rejection;

/**
 * The sizes the firewall never exceeds in what it writes, and the user-id checks every input shares.
 */
final class Limits {

    /**
     * The most bytes of an input record's key and value the firewall copies anywhere: into a dead letter or
     * quarantine record, the set-aside store and its changelog, or the internal side-records topic. With any envelope
     * (and the user id a second time as a record key) that stays below the producer's and the topics' default 1 MiB
     * limit, so no input, however large, makes a record the broker refuses. A larger input is dead-lettered on
     * arrival as RECORD_TOO_LARGE, naming its coordinates (the input topic still has it).
     */
    static final int MAX_COPIED_BYTES = 900_000;

    /** Longest detail or field path written into an output or a log line. */
    static final int MAX_DETAIL_CHARS = 1_000;

    /** Longest user id, in characters: any such id fits the registration store's two-byte length prefix. */
    static final int MAX_USER_ID_CHARS = IdentifierKeys.MAX_USER_ID_BYTES / 3;

    private Limits() {
    }

    /** The bytes of key and value that {@link #MAX_COPIED_BYTES} bounds. */
    static long size(String key, byte[] value) {
        return (key == null ? 0L : key.getBytes(StandardCharsets.UTF_8).length) + (value == null ? 0L : value.length);
    }

    /**
     * {@code text} cut to {@link #MAX_DETAIL_CHARS}: details and paths name fields, purposes and schema parts that a
     * producer controls, and must never make an output too large for the brokers or a log line unbounded.
     */
    static String bounded(String text) {
        return text == null || text.length() <= MAX_DETAIL_CHARS ? text
                : text.substring(0, MAX_DETAIL_CHARS) + "... (" + text.length() + " characters)";
    }

    /**
     * The key a record travels home under on {@link Names#SIDE_RECORDS_TOPIC}: its user id; "" for none, or for a key
     * longer than a user id can be (it is dead-lettered at home, and its envelope keeps it: carried once, not twice).
     */
    static String homeKey(String key) {
        return key == null || key.length() > MAX_USER_ID_CHARS ? "" : key;
    }

    /** A key usable as a user id: present, and not longer than a user id can be. */
    static boolean attributable(String key) {
        return !isBlank(key) && key.length() <= MAX_USER_ID_CHARS;
    }

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** Why a record's user id is unusable, or null if key and payload agree on one. */
    static Rejection userIdProblem(String key, String payloadUserId) {
        if (isBlank(key) || isBlank(payloadUserId)) {
            return Rejection.MISSING_USER_ID;
        }
        if (key.length() > MAX_USER_ID_CHARS) {
            return Rejection.USER_ID_TOO_LONG;
        }
        return key.equals(payloadUserId) ? null : Rejection.KEY_MISMATCH;
    }

    static String userIdDetail(Rejection problem) {
        return switch (problem) {
            case MISSING_USER_ID -> "the record key and the payload's userId must both hold the user id";
            case USER_ID_TOO_LONG -> "the user id is longer than " + MAX_USER_ID_CHARS + " characters";
            default -> "the record key differs from the payload's userId; topics are co-partitioned by user id";
        };
    }
}
