package org.purposefirewall.topology;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.purposefirewall.monitoring.RegistryHealth;
import java.util.HashMap;
import java.util.Map;
import org.purposefirewall.consent.ConsentDecoder;
import org.purposefirewall.consent.ConsentSignals;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.serde.AvroSerde;
import org.purposefirewall.serde.Decoded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each consent change into the versioned consent store at its effective time, so that every data record is
 * judged by the consent in force at its own event time, whatever order the topics are read in.
 *
 * <p>Fail closed: a consent record that cannot be read (undecodable, wrong user, bad purpose) is dead-lettered and
 * recorded as "no consent" from its time on, because it may have been a revocation. A tombstone means no consent.
 */
final class ConsentUpdater extends InputProcessor<ConsentState> {

    private static final Logger LOG = LoggerFactory.getLogger(ConsentUpdater.class);

    private final ConsentDecoder decoder;
    private VersionedKeyValueStore<String, ConsentSnapshot> store;

    ConsentUpdater(String topic, AvroSerde<ConsentState> serde, long maxParked, RegistryHealth health,
                   ConsentDecoder decoder) {
        super(topic, serde, maxParked, health);
        this.decoder = decoder;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        super.init(context);
        store = context.getStateStore(Names.CONSENT_STORE);
    }

    @Override
    protected void handle(Record<String, Decoded<ConsentState>> record) {
        String key = record.key();
        Decoded<ConsentState> value = record.value();
        if (isBlank(key)) {
            deadLetter(record, "MISSING_USER_ID", "a consent record without a key cannot be attributed", null);
            return;
        }
        if (value == null) {
            revoke(key, record.timestamp());
            return;
        }
        if (value instanceof Decoded.Failed<ConsentState> failed) {
            deadLetter(record, failed);
            revoke(key, record.timestamp());
            return;
        }
        ConsentState state = ((Decoded.Ok<ConsentState>) value).value();
        String problem = userIdProblem(key, state.getUserId());
        if (problem != null) {
            deadLetter(record, problem, userIdDetail(problem), null);
            revoke(key, record.timestamp());
            return;
        }
        if (state.getEffectiveTime().toEpochMilli() < 0) {
            deadLetter(record, "INVALID_EVENT_TIME", "effectiveTime is negative", null);
            revoke(key, record.timestamp());
            return;
        }
        Map<Purpose, ConsentChoice> choices = new HashMap<>();
        for (PurposeConsent choice : state.getPurposes()) {
            try {
                ConsentChoice next = choice.getStatus() == ConsentStatus.GRANTED ? ConsentChoice.GRANTED
                        : ConsentChoice.DENIED;
                // A purpose listed twice with both answers is a denial: deny overrides allow.
                choices.merge(Purpose.parse(choice.getPurpose()), next,
                        (a, b) -> a == ConsentChoice.DENIED || b == ConsentChoice.DENIED ? ConsentChoice.DENIED : a);
            } catch (IllegalArgumentException e) {
                deadLetter(record, "INVALID_PURPOSE", "a consent choice names an invalid purpose: " + e.getMessage(),
                        e.getClass().getName());
                revoke(key, record.timestamp());
                return;
            }
        }
        // Decoded once here, so data records read a ready state. A bad consent string is not dead-lettered: it is
        // the user's consent record, stored as "no consent" with the reason every decision will carry.
        ConsentSnapshot snapshot = decoder.decode(new ConsentSignals(choices, state.getOptOutOfTargetedAdvertising(),
                state.getOptOutOfSale(), state.getGlobalPrivacyControl(), state.getTcfString(), state.getGppString(),
                state.getEffectiveTime().toEpochMilli()));
        if (snapshot.problem() != null) {
            org.purposefirewall.schema.SourceCoordinates source = coordinates(record.timestamp());
            LOG.atInfo().addKeyValue("topic", source.getTopic()).addKeyValue("partition", source.getPartition())
                    .addKeyValue("offset", source.getOffset()).addKeyValue("problem", snapshot.problem())
                    .log("consent signal unusable: the user has no consent from this time on");
        }
        long stamp = store.put(key, snapshot, state.getEffectiveTime().toEpochMilli());
        if (stamp == VersionedKeyValueStore.PUT_RETURN_CODE_NOT_PUT) {
            deadLetter(record, "LATE_BEYOND_RETENTION",
                    "the consent change is older than consent-history-retention-ms behind stream time", null);
        }
    }

    private void revoke(String key, long time) {
        store.delete(key, time);
        LOG.atDebug().addKeyValue("time", time).log("consent cleared from event time on");
    }
}
