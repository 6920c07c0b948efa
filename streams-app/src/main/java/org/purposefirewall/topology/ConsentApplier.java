package org.purposefirewall.topology;

import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.Outcome;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.RecallRules;
import org.purposefirewall.policy.Rejection;
import org.purposefirewall.schema.ConsentState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies consent records: each change goes into the versioned consent store at its effective time, so every data
 * record is judged by the consent in force at its own event time, whatever order the topics are read in; when
 * consent for the ad purpose ends, what was forwarded is recalled ({@link RecallRules}).
 *
 * <p>Fail closed: a consent record that cannot be read is dead-lettered and, by {@link Rejection#revokesConsent},
 * recorded as "no consent" from its time on, because it may have been a revocation. A tombstone means no consent.
 */
final class ConsentApplier implements SideRecordProcessor.Applier<ConsentState> {

    private static final Logger LOG = LoggerFactory.getLogger(ConsentApplier.class);

    private final ConsentAdapter adapter;
    private final Policy policy;
    private final Outputs outputs;
    private final VersionedKeyValueStore<String, ConsentSnapshot> store;
    private final org.apache.kafka.streams.state.KeyValueStore<String, long[]> revocations;
    private final Exposures exposures;

    ConsentApplier(ConsentAdapter adapter, Policy policy, TaskStores stores, Outputs outputs) {
        this.adapter = adapter;
        this.policy = policy;
        this.outputs = outputs;
        this.store = stores.consent();
        this.revocations = stores.revocations();
        this.exposures = new Exposures(stores.exposures(), outputs);
    }

    @Override
    public void apply(InputRecord<ConsentState> in) {
        Read<ConsentAdapter.Change> read = adapter.read(in, outputs.now());
        if (read instanceof Read.Rejected<ConsentAdapter.Change> rejected) {
            outputs.deadLetter(in, rejected.reason(), rejected.detail(), rejected.errorClass());
            if (rejected.reason().revokesConsent(Limits.attributable(in.key()))) {
                revoke(in, in.key(), in.timestamp());
            }
            return;
        }
        ConsentAdapter.Change change = ((Read.Facts<ConsentAdapter.Change>) read).facts();
        if (change.snapshot() == null) {
            revoke(in, change.userId(), change.effectiveTime());
            return;
        }
        ConsentSnapshot snapshot = change.snapshot();
        long effective = change.effectiveTime();
        if (snapshot.problem() != null) {
            LOG.atInfo().addKeyValue("topic", in.at().topic()).addKeyValue("partition", in.at().partition())
                    .addKeyValue("offset", in.at().offset()).addKeyValue("problem", snapshot.problem())
                    .log("consent signal unusable: the user has no consent from this time on");
        }
        long stamp = store.put(change.userId(), snapshot, effective);
        if (stamp == VersionedKeyValueStore.PUT_RETURN_CODE_NOT_PUT) {
            outputs.deadLetter(in, Rejection.LATE_BEYOND_RETENTION,
                    "the consent change is older than consent-history-retention-ms behind stream time", null);
            return;
        }
        Decision forAds = RecallRules.consentForAds(policy, snapshot, effective);
        if (forAds.outcome() != Outcome.FORWARD) {
            revocations.put(change.userId(), Revocations.with(revocations.get(change.userId()), effective));
            // put() answers when the new state stops applying: the next stored change, or "undefined" if latest.
            long until = stamp == VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED ? Long.MAX_VALUE : stamp;
            exposures.consentRevoked(change.userId(), effective, until, in.at().at(effective),
                    "consent for " + policy.adPurpose() + " ended: " + forAds.detail());
        }
    }

    /** Too large to read: dead-lettered, and, since it may have been a revocation, no consent from its time on. */
    @Override
    public void tooLarge(InputRecord<ConsentState> in, long bytes) {
        Arrival.deadLetterTooLarge(outputs, in, bytes);
        if (Rejection.RECORD_TOO_LARGE.revokesConsent(Limits.attributable(in.key()))) {
            revoke(in, in.key(), in.timestamp());
        }
    }

    /** No consent from {@code time} on; whatever the user's identifiers exposed is recalled. */
    private void revoke(InputRecord<ConsentState> in, String userId, long time) {
        store.delete(userId, time);
        revocations.put(userId, Revocations.with(revocations.get(userId), time));
        VersionedRecord<ConsentSnapshot> latest = store.get(userId);
        // Fail closed: a later state's own time bounds the window from above (its next change can only be earlier).
        long until = latest != null && latest.timestamp() > time ? latest.timestamp() : Long.MAX_VALUE;
        exposures.consentRevoked(userId, time, until, in.at().at(time),
                "consent for " + policy.adPurpose() + " ended: the consent state was cleared or could not be read");
    }
}
