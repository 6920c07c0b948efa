package org.purposefirewall.monitor;

import java.time.Instant;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.MatchedRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SourceCoordinates;

/**
 * What the monitor may show of a quarantined or dead-lettered record: reasons, rules, coordinates, times, the
 * identifier's type and the first {@value #DIGEST_PREFIX_HEX} hex digits of its digest. Never a raw value, a full
 * digest, a user id, a dead letter's payload or a quarantined record's attributes; every text is bounded. Pure and
 * thread-safe.
 */
public final class Redaction {

    /** Hex digits of the digest shown: enough to tell records apart, far too few to be matched against. */
    public static final int DIGEST_PREFIX_HEX = 8;
    /** Longest text (reason, rule, field path, label, topic) shown; longer ones are cut with an ellipsis. */
    public static final int MAX_LABEL = 120;
    /** Longest dead-letter detail shown. */
    public static final int MAX_DETAIL = 240;

    /** Shown where the record does not carry what a column asks. */
    public static final String NONE = "";

    private final IdentifierNormalizer.Configured normalizer;

    public Redaction(IdentifierNormalizer.Configured normalizer) {
        this.normalizer = normalizer;
    }

    /**
     * One quarantined record as shown.
     *
     * @param identifierType PHONE, EMAIL, MOBILE_AD_ID, or empty for a guarded topic's record (its identifier is in
     *     the original bytes, never decoded here)
     * @param digest the digest form and prefix of the record's declared identifier ({@code sha256:1a2b3c4d}), the form
     *     it arrived in for a hashed one ({@code md5:…}); empty when there is none
     * @param sourceSystem the matched registration's source system; empty when the record declared the purpose or hit
     *     a honeytoken
     */
    public record QuarantineRow(long decisionTime, long eventTime, String reason, String rule, String identifierType,
                                String digest, String fieldPath, String honeytoken, String matchedPurpose,
                                String sourceSystem, String policyVersion, String topic, int partition,
                                long offset) {
    }

    /** One dead-lettered record as shown: never its key or value bytes. */
    public record DeadLetterRow(long decisionTime, long eventTime, String reason, String detail, String errorClass,
                                String topic, int partition, long offset) {
    }

    public QuarantineRow quarantine(QuarantineRecord q) {
        ContactPoint input = q.getRecord();
        String type = NONE;
        String digest = NONE;
        if (input != null) {
            IdentifierType t = input.getIdentifierType();
            type = t == null ? NONE : t.name();
            digest = digestPrefix(t, input.getValue());
        }
        MatchedRegistration registration = q.getMatchedRegistration();
        SourceCoordinates source = q.getSource();
        return new QuarantineRow(millis(q.getDecisionTime()), source == null ? 0 : millis(source.getTimestamp()),
                label(q.getReason()), label(q.getRule()), type, digest, label(q.getFieldPath()),
                label(q.getHoneytoken()), label(q.getMatchedPurpose()),
                registration == null ? NONE : label(registration.getSourceSystem()), label(q.getPolicyVersion()),
                source == null ? NONE : label(source.getTopic()), source == null ? -1 : source.getPartition(),
                source == null ? -1 : source.getOffset());
    }

    public DeadLetterRow deadLetter(DeadLetterRecord d) {
        SourceCoordinates source = d.getSource();
        return new DeadLetterRow(millis(d.getDecisionTime()), source == null ? 0 : millis(source.getTimestamp()),
                label(d.getReason()), cut(d.getDetail(), MAX_DETAIL), label(d.getErrorClass()),
                source == null ? NONE : label(source.getTopic()), source == null ? -1 : source.getPartition(),
                source == null ? -1 : source.getOffset());
    }

    /**
     * The digest form and first {@value #DIGEST_PREFIX_HEX} hex digits of the identifier's SHA-256 match key (of
     * its normalized form), or of the digest it arrived as; empty if it does not normalize.
     */
    public String digestPrefix(IdentifierType type, String value) {
        if (type == null || value == null || type == IdentifierType.UNKNOWN) {
            return NONE;
        }
        IdentifierKind kind;
        try {
            kind = IdentifierKind.valueOf(type.name());
        } catch (IllegalArgumentException e) {
            return NONE;
        }
        if (!(normalizer.normalize(kind, value) instanceof Normalization.Ok ok)) {
            return NONE;
        }
        HashForm form = ok.sha256Hex() != null ? HashForm.SHA256 : ok.keys().arrivedAs();
        String hex = form == null ? null : ok.keys().get(form);
        if (hex == null || hex.length() < DIGEST_PREFIX_HEX) {
            return NONE;
        }
        return form.name().toLowerCase(java.util.Locale.ROOT) + ":" + hex.substring(0, DIGEST_PREFIX_HEX);
    }

    /**
     * A user id as the first 12 hex digits of its SHA-256: stable across runs and reports, so one user's records can
     * be followed, but not the id.
     */
    public static String user(String userId) {
        return userId == null ? NONE : HashForm.SHA256.hex(userId).substring(0, 12);
    }

    /** A digest as its form and first {@value #DIGEST_PREFIX_HEX} hex digits ({@code sha256:1a2b3c4d}). */
    public static String digest(String form, String hex) {
        if (hex == null || hex.length() < DIGEST_PREFIX_HEX) {
            return NONE;
        }
        return form.toLowerCase(java.util.Locale.ROOT) + ":" + hex.substring(0, DIGEST_PREFIX_HEX)
                .toLowerCase(java.util.Locale.ROOT);
    }

    static String label(String text) {
        return cut(text, MAX_LABEL);
    }

    static String cut(String text, int max) {
        if (text == null) {
            return NONE;
        }
        String oneLine = text.replaceAll("\\p{Cntrl}", " ");
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1) + "…";
    }

    private static long millis(Instant t) {
        return t == null ? 0 : t.toEpochMilli();
    }
}
