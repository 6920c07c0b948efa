package org.purposefirewall.replay;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.purposefirewall.monitor.Redaction;
import org.purposefirewall.policy.ReplayChange.Fate;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.schema.SuppressedRecord;

/**
 * One output of the firewall for one input record, reduced to what a report may show (as the quarantine monitor
 * shows it): the fate, rule, reason, policy version and hash, the identifier's type and a digest prefix, the field
 * path, the user as a digest prefix. Never an identifier, a full digest, a user id or a payload. The service's
 * outputs and a replay's are read through the same factories, so both sides of a comparison mean the same.
 *
 * @param source the input's coordinates, or null for an ad record written before ad records carried them
 * @param decisionId the output's decision id (matches an ad record without coordinates to its input)
 * @param eventTime the input's event time, epoch ms, or -1 if the output does not say
 */
public record Output(Source source, String decisionId, Fate fate, String rule, String reason, String policyVersion,
                     String policyHash, String identifierType, String digest, String fieldPath, String user,
                     long eventTime) {

    /** Where an input record was read. */
    public record Source(String topic, int partition, long offset) {
        @Override
        public String toString() {
            return topic + "/" + partition + "@" + offset;
        }
    }

    static Output of(AudienceIdentifier a) {
        return new Output(source(a.getSource()), a.getDecisionId(), Fate.FORWARDED, null, null, a.getPolicyVersion(),
                a.getPolicyHash(), name(a.getIdentifierType()),
                Redaction.digest(a.getHashAlgorithm().name(), a.getIdentifierHash()), null,
                Redaction.user(a.getUserId()), a.getEventTime() == null ? -1 : a.getEventTime().toEpochMilli());
    }

    static Output of(QuarantineRecord q, Redaction redaction) {
        ContactPoint input = q.getRecord();
        return new Output(source(q.getSource()), q.getDecisionId(), Fate.QUARANTINED, q.getRule(), q.getReason(),
                q.getPolicyVersion(), q.getPolicyHash(), input == null ? null : name(input.getIdentifierType()),
                input == null ? null : blank(redaction.digestPrefix(input.getIdentifierType(), input.getValue())),
                q.getFieldPath(), Redaction.user(q.getUserId()), time(q.getSource()));
    }

    static Output of(SuppressedRecord s) {
        return new Output(source(s.getSource()), s.getDecisionId(), Fate.SUPPRESSED, s.getRule(), s.getReason(),
                s.getPolicyVersion(), s.getPolicyHash(), name(s.getIdentifierType()), null, null,
                Redaction.user(s.getUserId()), time(s.getSource()));
    }

    static Output of(DeadLetterRecord d) {
        return new Output(source(d.getSource()), null, Fate.DEAD_LETTERED, null, d.getReason(), null, null, null,
                null, null, null, time(d.getSource()));
    }

    /**
     * The decision id the firewall gives the one ad record of a contact point at these coordinates under a policy
     * version (see the firewall's {@code Outputs.decisionId}): how an ad record without coordinates is matched.
     */
    static String contactPointDecisionId(Source at, String policyVersion) {
        String basis = at.topic() + '/' + at.partition() + '/' + at.offset() + '/' + policyVersion;
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * This output with its repeated texts (rule, reason, policy version and hash, type, field path, topic) shared
     * through {@code pool}: a replay holds one output per record of the service, and these repeat on almost all.
     */
    Output shared(java.util.Map<String, String> pool) {
        Source at = source == null ? null : new Source(pool(pool, source.topic()), source.partition(),
                source.offset());
        return new Output(at, decisionId, fate, pool(pool, rule), pool(pool, reason), pool(pool, policyVersion),
                pool(pool, policyHash), pool(pool, identifierType), digest, pool(pool, fieldPath), user, eventTime);
    }

    private static String pool(java.util.Map<String, String> pool, String s) {
        return s == null ? null : pool.computeIfAbsent(s, k -> k);
    }

    Output at(Source other) {
        return new Output(other, decisionId, fate, rule, reason, policyVersion, policyHash, identifierType, digest,
                fieldPath, user, eventTime);
    }

    private static Source source(SourceCoordinates c) {
        return c == null ? null : new Source(c.getTopic(), c.getPartition(), c.getOffset());
    }

    private static long time(SourceCoordinates c) {
        return c == null || c.getTimestamp() == null ? -1 : c.getTimestamp().toEpochMilli();
    }

    private static String name(Enum<?> e) {
        return e == null ? null : e.name();
    }

    private static String blank(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
