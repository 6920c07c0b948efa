package org.purposefirewall.topology;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.RecallReason;
import org.purposefirewall.schema.SourceCoordinates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exposure store and the recalls it drives. Deciders record each forward; the consent updater recalls all of a
 * user's exposures when consent for the ad purpose ends; the registration updater recalls an identifier registered
 * for a restricted purpose. Store updates and recall records commit together (exactly-once), so each cause is
 * recalled exactly once per exposure, across restarts and replays of uncommitted work.
 */
final class Recalls {

    private static final Logger LOG = LoggerFactory.getLogger(Recalls.class);

    private final KeyValueStore<Bytes, Exposure> store;
    private final ProcessorContext<String, Object> context;
    private final String adTopic;
    private final String policyVersion;
    private final FirewallMetrics metrics;

    Recalls(ProcessorContext<String, Object> context, String adTopic, String policyVersion, FirewallMetrics metrics) {
        this.context = context;
        this.store = context.getStateStore(Names.EXPOSURE_STORE);
        this.adTopic = adTopic;
        this.policyVersion = policyVersion;
        this.metrics = metrics;
    }

    /** Records that {@code keys}' forwarded digest of {@code userId} went to the ad side at {@code eventTime}. */
    void forwarded(String userId, MatchKeys keys, IdentifierType type, long eventTime) {
        Bytes key = IdentifierKeys.key(userId, keys.forwardForm(), keys.forwardKey());
        Exposure exposure = store.get(key);
        store.put(key, exposure == null ? Exposure.first(type, eventTime) : exposure.forwarded(eventTime));
    }

    /**
     * Recalls the exposures of {@code userId} not yet recalled for revoked consent; returns how many. If the
     * revocation is the user's latest state ({@code until} is {@link Long#MAX_VALUE}), every exposure: the ad side
     * must delete what it holds. If a later state already replaced it (the revocation was processed late), the
     * exposures the ad side held while it applied: those forwarded before {@code until}.
     */
    int consentRevoked(String userId, long causeTime, long until, SourceCoordinates source, String detail) {
        List<KeyValue<Bytes, Exposure>> toRecall = new ArrayList<>();
        try (KeyValueIterator<Bytes, Exposure> it =
                     store.prefixScan(IdentifierKeys.userPrefix(userId), Serdes.Bytes().serializer())) {
            while (it.hasNext()) {
                KeyValue<Bytes, Exposure> entry = it.next();
                Exposure e = entry.value;
                // Held by the ad side while the revocation applied: forwarded before the next permitting state.
                boolean applies = until == Long.MAX_VALUE || e.first() < until;
                if (applies && !e.recalledFor(Exposure.Cause.CONSENT_REVOKED)) {
                    toRecall.add(entry);
                }
            }
        }
        for (KeyValue<Bytes, Exposure> entry : toRecall) {
            recall(userId, entry.key, entry.value, Exposure.Cause.CONSENT_REVOKED, causeTime, source, detail);
        }
        return toRecall.size();
    }

    /**
     * Recalls the identifier just forwarded with {@code keys} for {@code cause}, if not yet recalled for it: the
     * record was older than a revocation or registration already processed (the topics interleaved that way), so
     * the forward was right for its event time but the ad side must not keep it.
     */
    void forwardedAfter(String userId, MatchKeys keys, Exposure.Cause cause, long causeTime,
                        SourceCoordinates source, String detail) {
        Bytes key = IdentifierKeys.key(userId, keys.forwardForm(), keys.forwardKey());
        Exposure exposure = store.get(key);
        if (exposure != null && !exposure.recalledFor(cause)) {
            recall(userId, key, exposure, cause, causeTime, source, detail);
        }
    }

    /** Recalls the identifier with {@code keys} of {@code userId}, in whichever form and spelling it was forwarded. */
    int registeredForRestrictedPurpose(String userId, MatchKeys keys, long causeTime, SourceCoordinates source,
                                       String detail) {
        int recalled = 0;
        for (MatchKeys.Key form : keys.all()) {
            Bytes key = IdentifierKeys.key(userId, form.form(), form.hex());
            Exposure exposure = store.get(key);
            if (exposure != null && !exposure.recalledFor(Exposure.Cause.REGISTERED_FOR_RESTRICTED_PURPOSE)) {
                recall(userId, key, exposure, Exposure.Cause.REGISTERED_FOR_RESTRICTED_PURPOSE, causeTime, source,
                        detail);
                recalled++;
            }
        }
        return recalled;
    }

    private void recall(String userId, Bytes key, Exposure exposure, Exposure.Cause cause, long causeTime,
                        SourceCoordinates source, String detail) {
        IdentifierKeys.Digest forwarded = IdentifierKeys.digest(key);
        HashForm form = forwarded.form();
        String digest = forwarded.lowercaseHex();
        AudienceRecall out = AudienceRecall.newBuilder()
                .setRecallId(recallId(userId, form, digest, cause, exposure.start()))
                .setUserId(userId)
                .setIdentifierType(exposure.type())
                .setIdentifierHash(digest)
                .setHashAlgorithm(DecidingProcessor.algorithm(form))
                .setReason(cause == Exposure.Cause.CONSENT_REVOKED ? RecallReason.CONSENT_REVOKED
                        : RecallReason.REGISTERED_FOR_RESTRICTED_PURPOSE)
                .setDetail(detail)
                .setAdTopic(adTopic)
                .setExposureStart(Instant.ofEpochMilli(exposure.first()))
                .setExposureEnd(Instant.ofEpochMilli(exposure.last()))
                .setForwardedCount(exposure.count())
                .setCauseTime(Instant.ofEpochMilli(causeTime))
                .setPolicyVersion(policyVersion)
                .setSource(source)
                .setDecisionTime(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        store.put(key, exposure.recall(cause));
        context.forward(new Record<>(userId, out, causeTime), Names.RECALL_SINK);
        metrics.recalled();
        LOG.atInfo()
                .addKeyValue("topic", source.getTopic())
                .addKeyValue("partition", source.getPartition())
                .addKeyValue("offset", source.getOffset())
                .addKeyValue("reason", out.getReason())
                .log("forwarded identifier recalled");
    }

    /** Deterministic: the same exposure and cause always give the same id. */
    private static String recallId(String userId, HashForm form, String digest, Exposure.Cause cause, long start) {
        String basis = userId + '/' + form + '/' + digest + '/' + cause + '/' + start;
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
