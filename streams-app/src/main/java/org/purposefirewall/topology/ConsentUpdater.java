package org.purposefirewall.topology;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.purposefirewall.monitoring.RegistryHealth;
import java.util.HashMap;
import java.util.Map;
import org.purposefirewall.consent.ConsentDecoder;
import org.purposefirewall.consent.ConsentSignals;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.ConsentSnapshot;
import java.util.List;
import java.util.Optional;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.Outcome;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.PurposePolicy;
import org.purposefirewall.policy.RecordFacts;
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
    /** Most purposes a consent state may list (each at most 256 characters): its stored form stays small. */
    static final int MAX_PURPOSES = 1_000;

    private final ConsentDecoder decoder;
    private final Policy policy;
    private final String audienceTopic;
    private VersionedKeyValueStore<String, ConsentSnapshot> store;
    private Recalls recalls;
    private KeyValueStore<String, long[]> revocations;

    ConsentUpdater(String topic, AvroSerde<ConsentState> serde, long maxParked, RegistryHealth health,
                   ConsentDecoder decoder, Policy policy, String audienceTopic, Routing routing) {
        super(topic, serde, maxParked, health, routing);
        this.decoder = decoder;
        this.policy = policy;
        this.audienceTopic = audienceTopic;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        super.init(context);
        store = context.getStateStore(Names.CONSENT_STORE);
        recalls = new Recalls(context, audienceTopic, policy.version(), metrics);
        revocations = context.getStateStore(Names.REVOCATION_STORE);
    }

    @Override
    protected void handle(Record<String, Decoded<ConsentState>> record) {
        String key = record.key();
        Decoded<ConsentState> value = record.value();
        if (isBlank(key)) {
            deadLetter(record, "MISSING_USER_ID", "a consent record without a key cannot be attributed", null);
            return;
        }
        if (key.length() > MAX_USER_ID_CHARS) {
            // No user id is this long, so no data record of it is ever decided: nothing to revoke, and such a key
            // is never written into a store or changelog.
            deadLetter(record, "USER_ID_TOO_LONG", userIdDetail("USER_ID_TOO_LONG"), null);
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
        String timeProblem = eventTimeProblem(state.getEffectiveTime().toEpochMilli());
        if (timeProblem != null) {
            // Its own time cannot be believed, so it counts as a revocation from the (safe) time it was read at.
            deadLetter(record, "INVALID_EVENT_TIME", "effectiveTime: " + timeProblem, null);
            revoke(key, record.timestamp());
            return;
        }
        if (state.getPurposes().size() > MAX_PURPOSES) {
            // Its decoded state would outgrow what a store's changelog record may hold.
            deadLetter(record, "INVALID_PURPOSE", "a consent state lists more than " + MAX_PURPOSES + " purposes",
                    null);
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
                        ConsentChoice::denyOverrides);
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
            return;
        }
        long effective = state.getEffectiveTime().toEpochMilli();
        Decision forAds = PurposePolicy.decide(policy, new RecordFacts(List.of(), effective, false),
                Optional.of(snapshot), List.of());
        if (forAds.outcome() != Outcome.FORWARD) {
            revocations.put(key, Revocations.with(revocations.get(key), effective));
            // put() answers when the new state stops applying: the next stored change, or "undefined" if latest.
            long until = stamp == VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED ? Long.MAX_VALUE : stamp;
            recalls.consentRevoked(key, effective, until, coordinates(effective),
                    "consent for " + policy.adPurpose() + " ended: " + forAds.detail());
        }
    }

    /** Too large to read: dead-lettered, and, since it may have been a revocation, no consent from its time on. */
    @Override
    protected void tooLarge(Record<String, Decoded<ConsentState>> record, long bytes) {
        super.tooLarge(record, bytes);
        String key = record.key();
        if (!isBlank(key) && key.length() <= MAX_USER_ID_CHARS) {
            revoke(key, record.timestamp());
        }
    }

    /** No consent from {@code time} on; whatever the user's identifiers exposed is recalled. */
    private void revoke(String key, long time) {
        store.delete(key, time);
        revocations.put(key, Revocations.with(revocations.get(key), time));
        LOG.atDebug().addKeyValue("time", time).log("consent cleared from event time on");
        VersionedRecord<ConsentSnapshot> latest = store.get(key);
        // Fail closed: a later state's own time bounds the window from above (its next change can only be earlier).
        long until = latest != null && latest.timestamp() > time ? latest.timestamp() : Long.MAX_VALUE;
        recalls.consentRevoked(key, time, until, coordinates(time),
                "consent for " + policy.adPurpose() + " ended: the consent state was cleared or could not be read");
    }
}
