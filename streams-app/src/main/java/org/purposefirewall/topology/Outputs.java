package org.purposefirewall.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.policy.ActiveRegistration;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.EventTimeBounds;
import org.purposefirewall.policy.Reason;
import org.purposefirewall.policy.Rejection;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.MatchedRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.ShadowDecision;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.schema.SuppressedRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Every record the firewall writes, with its metric and its log line, in one place: this is where "every input
 * record ends in exactly one output" can be read. A processor hands each input record to exactly one of
 * {@link #deadLetter}, {@link #quarantine}, {@link #suppress}, {@link #forward} (one audience record per distinct
 * identifier, then {@link #forwarded} once), {@link #rehome} or, for side records, applies it to its stores; recalls
 * ({@link #recall}) are outputs of the side record or forward that causes them. Logs carry coordinates and reasons,
 * never keys, values or identifiers. One per processor instance; confined to its stream thread.
 */
final class Outputs {

    private static final Logger LOG = LoggerFactory.getLogger(Outputs.class);

    private final ProcessorContext<String, Object> context;
    private final FirewallMetrics metrics;
    private final String policyVersion;
    private final String policyHash;
    private final String adTopic;
    private final EventTimeBounds bounds;
    private final Set<Integer> misroutedPartitionsLogged = new HashSet<>();

    /**
     * @param policyVersion stamped on every decision and recall, and part of every decision id
     * @param policyHash SHA-256 of the policy file's bytes, stamped next to the version so each output names the
     *     exact policy text; null for a policy not read from a file
     */
    Outputs(ProcessorContext<String, Object> context, FirewallMetrics metrics, String policyVersion,
            String policyHash, String adTopic, EventTimeBounds bounds) {
        this.context = context;
        this.metrics = metrics;
        this.policyVersion = policyVersion;
        this.policyHash = policyHash;
        this.adTopic = adTopic;
        this.bounds = bounds;
    }

    FirewallMetrics metrics() {
        return metrics;
    }

    /** The processing clock (Kafka Streams' wall clock; the test driver's mock time). */
    long now() {
        return context.currentSystemTimeMs();
    }

    /**
     * Sends the record, whole, to the dead-letter topic with its reason. Written with a timestamp the brokers accept
     * whatever the record's own (a guarded record's implausible one is only named in its coordinates). A record too
     * large to copy keeps only its coordinates.
     */
    void deadLetter(InputRecord<?> in, Rejection reason, String detail, String errorClass) {
        detail = Limits.bounded(detail);
        SourceCoordinates source = in.at().at(in.timestamp());
        byte[] raw = in.raw();
        byte[] key = in.key() == null ? null : in.key().getBytes(StandardCharsets.UTF_8);
        int copied = (raw == null ? 0 : raw.length) + (key == null ? 0 : key.length);
        boolean copy = copied <= Limits.MAX_COPIED_BYTES;
        DeadLetterRecord dead = DeadLetterRecord.newBuilder()
                .setReason(reason.name())
                .setDetail(copy ? detail : detail + " (key and value, " + copied + " bytes, are not copied here: "
                        + "read them at the source coordinates)")
                .setErrorClass(errorClass)
                .setSource(source)
                .setOriginalKey(copy && key != null ? ByteBuffer.wrap(key) : null)
                .setOriginalValue(copy && raw != null ? ByteBuffer.wrap(raw) : null)
                .setDecisionTime(Instant.ofEpochMilli(now()))
                .build();
        // A key no user id can be (too long) is not written as the output's key either: it could exceed the limit.
        String outKey = in.key() != null && in.key().length() <= Limits.MAX_USER_ID_CHARS ? in.key() : null;
        context.forward(new Record<>(outKey, dead, bounds.safe(in.timestamp(), -1L, now())), Names.DEAD_LETTER_SINK);
        metrics.deadLettered(in.at().topic(), reason.name());
        LOG.atWarn()
                .addKeyValue("topic", source.getTopic())
                .addKeyValue("partition", source.getPartition())
                .addKeyValue("offset", source.getOffset())
                .addKeyValue("reason", reason)
                .addKeyValue("detail", detail)
                .log("record dead-lettered");
    }

    /**
     * Sends one minimized identifier to the ad topic: user id, type, digest, purpose, policy version and hash,
     * decision id and the input's coordinates, nothing else of the input (headers included).
     */
    void forward(InputRecord<?> in, String userId, IdentifierType type, MatchKeys keys, Decision decision,
                 String adPurpose, String decisionId, long eventTime) {
        AudienceIdentifier out = AudienceIdentifier.newBuilder()
                .setUserId(userId)
                .setIdentifierType(type)
                .setIdentifierHash(keys.forwardKey())
                .setHashAlgorithm(algorithm(keys.forwardForm()))
                .setPurpose(adPurpose)
                .setPolicyVersion(decision.policyVersion())
                .setDecisionId(decisionId)
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setPolicyHash(policyHash)
                .setSource(in.at().at(eventTime))
                .build();
        context.forward(new Record<>(userId, out, in.timestamp()), Names.AUDIENCE_SINK);
    }

    /** Counts a record whose identifiers were forwarded ({@link #forward} once per distinct identifier). */
    void forwarded(InputRecord<?> in, Decision decision) {
        metrics.forwarded(in.at().topic(), decision.reason().name(), decision.rule());
    }

    /**
     * Sends the record to the quarantine topic and logs it; a honeytoken also raises its high-severity event.
     *
     * @param contact the contact point, for the contact-points topic; else null
     * @param original the value as read, for a guarded topic; else null
     * @param fieldPath where the matching identifier sits, or null
     */
    void quarantine(InputRecord<?> in, String userId, ContactPoint contact, byte[] original, Decision decision,
                    String fieldPath, long eventTime) {
        SourceCoordinates source = in.at().at(eventTime);
        ActiveRegistration matched = decision.matchedRegistration();
        // Whole, for investigation, unless that would make an output the broker refuses: then the coordinates.
        int size = original != null ? original.length : in.raw() == null ? 0 : in.raw().length;
        boolean copy = size <= Limits.MAX_COPIED_BYTES;
        String path = Limits.bounded(fieldPath);
        QuarantineRecord out = QuarantineRecord.newBuilder()
                .setDecisionId(decisionId(in.at(), null))
                .setRecord(copy ? contact : null)
                .setReason(decision.reason().name())
                .setDetail(copy ? Limits.bounded(decision.detail()) : Limits.bounded(decision.detail())
                        + " (the record, " + size + " bytes, is not copied here: read it at the source coordinates)")
                .setRule(decision.rule())
                .setMatchedPurpose(decision.matchedPurpose().value())
                .setMatchedRegistration(matched == null ? null : new MatchedRegistration(
                        matched.purpose().value(), matched.sourceSystem(), Instant.ofEpochMilli(matched.registeredAt())))
                .setPolicyVersion(decision.policyVersion())
                .setSource(source)
                .setDecisionTime(Instant.ofEpochMilli(now()))
                .setUserId(userId)
                .setOriginalValue(original == null || !copy ? null : ByteBuffer.wrap(original))
                .setFieldPath(path)
                .setHoneytoken(decision.honeytoken())
                .setPolicyHash(policyHash)
                .build();
        context.forward(new Record<>(userId, out, in.timestamp()), Names.QUARANTINE_SINK);
        metrics.quarantined(in.at().topic(), decision.reason().name(), decision.rule(),
                matched == null ? null : matched.sourceSystem());
        if (decision.reason() == Reason.HONEYTOKEN) {
            metrics.honeytokenHit(in.at().topic());
            withFieldPath(LOG.atError()
                    .addKeyValue("event", "honeytoken")
                    .addKeyValue("severity", "high")
                    .addKeyValue("topic", source.getTopic())
                    .addKeyValue("partition", source.getPartition())
                    .addKeyValue("offset", source.getOffset())
                    .addKeyValue("honeytoken", decision.honeytoken()), path)
                    .addKeyValue("policyVersion", decision.policyVersion())
                    .log("honeytoken reached a guarded topic: security data is flowing toward the ad side");
            return;
        }
        withFieldPath(LOG.atInfo()
                .addKeyValue("topic", source.getTopic())
                .addKeyValue("partition", source.getPartition())
                .addKeyValue("offset", source.getOffset())
                .addKeyValue("reason", decision.reason())
                .addKeyValue("rule", decision.rule()), path)
                .addKeyValue("policyVersion", decision.policyVersion())
                .log("record quarantined");
    }

    /** The field path as a key-value, or nothing when the match was the record's own identifier (no path). */
    private static LoggingEventBuilder withFieldPath(LoggingEventBuilder event, String path) {
        return path == null ? event : event.addKeyValue("fieldPath", path);
    }

    /** Sends the record's decision, without the record, to the suppressed topic. */
    void suppress(InputRecord<?> in, String userId, IdentifierType type, Decision decision, long eventTime) {
        SuppressedRecord out = SuppressedRecord.newBuilder()
                .setDecisionId(decisionId(in.at(), null))
                .setUserId(userId)
                .setIdentifierType(type)
                .setReason(decision.reason().name())
                .setDetail(Limits.bounded(decision.detail()))
                .setRule(decision.rule())
                .setPolicyVersion(decision.policyVersion())
                .setSource(in.at().at(eventTime))
                .setDecisionTime(Instant.ofEpochMilli(now()))
                .setPolicyHash(policyHash)
                .build();
        context.forward(new Record<>(userId, out, in.timestamp()), Names.SUPPRESSED_SINK);
        metrics.suppressed(in.at().topic(), decision.reason().name(), decision.rule());
    }

    /**
     * Tells the ad side to delete an identifier it was sent. The recall id is deterministic (user, form, digest,
     * cause, exposure start), so a replay of uncommitted work recalls nothing twice.
     *
     * @param source the coordinates of the record that caused the recall, at the cause's time
     */
    void recall(String userId, IdentifierKeys.Digest digest, Exposure exposure, Exposure.Cause cause,
                long causeTime, SourceCoordinates source, String detail) {
        HashForm form = digest.form();
        AudienceRecall out = AudienceRecall.newBuilder()
                .setRecallId(recallId(userId, form, digest.lowercaseHex(), cause, exposure.start()))
                .setUserId(userId)
                .setIdentifierType(exposure.type())
                .setIdentifierHash(digest.lowercaseHex())
                .setHashAlgorithm(algorithm(form))
                .setReason(cause.reason())
                .setDetail(detail)
                .setAdTopic(adTopic)
                .setExposureStart(Instant.ofEpochMilli(exposure.first()))
                .setExposureEnd(Instant.ofEpochMilli(exposure.last()))
                .setForwardedCount(exposure.count())
                .setCauseTime(Instant.ofEpochMilli(causeTime))
                .setPolicyVersion(policyVersion)
                .setSource(source)
                .setDecisionTime(Instant.ofEpochMilli(now()))
                .setPolicyHash(policyHash)
                .build();
        context.forward(new Record<>(userId, out, causeTime), Names.RECALL_SINK);
        metrics.recalled(out.getReason().name());
        LOG.atInfo()
                .addKeyValue("topic", source.getTopic())
                .addKeyValue("partition", source.getPartition())
                .addKeyValue("offset", source.getOffset())
                .addKeyValue("reason", out.getReason())
                .log("forwarded identifier recalled");
    }

    /**
     * Shadow mode: sends what the candidate policy decided otherwise (or that its decision failed) to the shadow
     * topic. Not an output of the record: the record's one output was written before, and stands whatever happens
     * here. Keyed by the redacted user, never the user id. Counted and logged by the {@link ShadowDecider}.
     */
    void shadow(InputRecord<?> in, ShadowDecision decision) {
        context.forward(new Record<>(decision.getUserDigest(), decision, in.timestamp()), Names.SHADOW_SINK);
    }

    /**
     * Sends a record read off its user's home partition to that partition's task, whole, with its coordinates: only
     * there are the user's consent and registrations. Counted, and logged once per partition and task.
     */
    void rehome(InputRecord<?> in) {
        context.forward(new Record<>(Limits.homeKey(in.key()), in.envelope(), in.timestamp()), Names.REHOME_SINK);
        metrics.rehomed();
        if (misroutedPartitionsLogged.add(in.at().partition())) {
            LOG.atInfo().addKeyValue("topic", in.at().topic()).addKeyValue("partition", in.at().partition())
                    .addKeyValue("offset", in.at().offset()).addKeyValue("task", context.taskId())
                    .log("record is not on the partition Kafka's default partitioner gives its key; re-homing it "
                            + "(its producer uses another partitioner; logged once per partition)");
        }
    }

    /** Deterministic: a replay with the same policy gives every decision the same id. */
    String decisionId(Coordinates at, String part) {
        String basis = at.topic() + '/' + at.partition() + '/' + at.offset() + '/' + policyVersion
                + (part == null ? "" : "/" + part);
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String recallId(String userId, HashForm form, String digest, Exposure.Cause cause, long start) {
        String basis = userId + '/' + form + '/' + digest + '/' + cause + '/' + start;
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString();
    }

    static HashAlgorithm algorithm(HashForm form) {
        return switch (form) {
            case SHA256 -> HashAlgorithm.SHA256;
            case SHA1 -> HashAlgorithm.SHA1;
            case MD5 -> HashAlgorithm.MD5;
        };
    }
}
