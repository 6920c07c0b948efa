package org.purposefirewall.topology;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.policy.RecallRules;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.SourceCoordinates;

/**
 * What the ad side holds ({@link Names#EXPOSURE_STORE}), and the recalls it drives, by {@link RecallRules}. The data
 * processors record each forward; the consent processor recalls a user's exposures when consent for the ad purpose
 * ends; the registration processor recalls an identifier registered for a restricted purpose. Store updates and
 * recall records commit together (exactly-once), so each cause is recalled exactly once per exposure, across
 * restarts and replays of uncommitted work. One per processor instance.
 */
final class Exposures {

    private final KeyValueStore<Bytes, Exposure> store;
    private final Outputs outputs;

    Exposures(KeyValueStore<Bytes, Exposure> store, Outputs outputs) {
        this.store = store;
        this.outputs = outputs;
    }

    /** Records that {@code keys}' forwarded digest of {@code userId} went to the ad side at {@code eventTime}. */
    void forwarded(String userId, MatchKeys keys, IdentifierType type, long eventTime) {
        Bytes key = IdentifierKeys.key(userId, keys.forwardForm(), keys.forwardKey());
        Exposure exposure = store.get(key);
        store.put(key, exposure == null ? Exposure.first(type, eventTime) : exposure.forwarded(eventTime));
    }

    /**
     * Rule {@code recall.consent-ended}: recalls the exposures of {@code userId} not yet recalled for revoked consent
     * that the rule selects; counts the side record as late if one of them was forwarded at or after its time.
     *
     * @param until when the revocation stopped applying (the next stored state), or {@link Long#MAX_VALUE}
     * @return how many were recalled
     */
    int consentRevoked(String userId, long causeTime, long until, SourceCoordinates source, String detail) {
        List<KeyValue<Bytes, Exposure>> toRecall = new ArrayList<>();
        try (KeyValueIterator<Bytes, Exposure> it =
                     store.prefixScan(IdentifierKeys.userPrefix(userId), Serdes.Bytes().serializer())) {
            while (it.hasNext()) {
                KeyValue<Bytes, Exposure> entry = it.next();
                Exposure e = entry.value;
                if (RecallRules.consentEndedRecalls(e.first(), until) && !e.recalledFor(Exposure.Cause.CONSENT_REVOKED)) {
                    toRecall.add(entry);
                }
            }
        }
        boolean late = false;
        for (KeyValue<Bytes, Exposure> entry : toRecall) {
            late |= RecallRules.late(causeTime, entry.value.last());
            recall(userId, entry.key, entry.value, Exposure.Cause.CONSENT_REVOKED, causeTime, source, detail);
        }
        if (late) {
            outputs.metrics().lateSideRecord();
        }
        return toRecall.size();
    }

    /**
     * Rule {@code recall.registered}: recalls the identifier with {@code keys} of {@code userId}, in whichever form
     * and spelling it was forwarded; counts the registration as late if it was forwarded at or after its time.
     */
    int registeredForRestrictedPurpose(String userId, MatchKeys keys, long causeTime, SourceCoordinates source,
                                       String detail) {
        int recalled = 0;
        boolean late = false;
        for (MatchKeys.Key form : keys.all()) {
            Bytes key = IdentifierKeys.key(userId, form.form(), form.hex());
            Exposure exposure = store.get(key);
            if (exposure != null && !exposure.recalledFor(Exposure.Cause.REGISTERED_FOR_RESTRICTED_PURPOSE)) {
                late |= RecallRules.late(causeTime, exposure.last());
                recall(userId, key, exposure, Exposure.Cause.REGISTERED_FOR_RESTRICTED_PURPOSE, causeTime, source,
                        detail);
                recalled++;
            }
        }
        if (late) {
            outputs.metrics().lateSideRecord();
        }
        return recalled;
    }

    /**
     * Rule {@code recall.after-forward}: recalls the identifier just forwarded with {@code keys}, if not yet recalled
     * for {@code cause}: the record was older than a revocation or registration already applied (the topics
     * interleaved that way), so the forward was right for its event time but the ad side must not keep it.
     */
    void forwardedBefore(String userId, MatchKeys keys, Exposure.Cause cause, long causeTime,
                         SourceCoordinates source, String detail) {
        Bytes key = IdentifierKeys.key(userId, keys.forwardForm(), keys.forwardKey());
        Exposure exposure = store.get(key);
        if (exposure != null && !exposure.recalledFor(cause)) {
            recall(userId, key, exposure, cause, causeTime, source, detail);
        }
    }

    private void recall(String userId, Bytes key, Exposure exposure, Exposure.Cause cause, long causeTime,
                        SourceCoordinates source, String detail) {
        store.put(key, exposure.recall(cause));
        outputs.recall(userId, IdentifierKeys.digest(key), exposure, cause, causeTime, source, detail);
    }
}
