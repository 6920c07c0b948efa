package org.purposefirewall.topology;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.RecallRules;
import org.purposefirewall.schema.PurposeRegistration;

/**
 * Applies registrations: each collection event is recorded under every key the identifier has (for a raw
 * identifier, the digest of each spelling ad platforms hash it in, in each hash form the policy matches in; for one
 * registered as a digest, that digest). So a phone registered as "+1 (415) 555-0100" is found again when it arrives
 * as "14155550100", or as the SHA-256, SHA-1 or MD5 of "+14155550100" or of "14155550100". A registration for a
 * restricted purpose recalls what was forwarded of the identifier ({@link RecallRules}).
 */
final class RegistrationApplier implements SideRecordProcessor.Applier<PurposeRegistration> {

    private final RegistrationAdapter adapter;
    private final Policy policy;
    private final Outputs outputs;
    private final KeyValueStore<Bytes, RegistrationHistory> store;
    private final Exposures exposures;
    private final Registrations registrations;

    RegistrationApplier(RegistrationAdapter adapter, Policy policy, TaskStores stores, Outputs outputs) {
        this.adapter = adapter;
        this.policy = policy;
        this.outputs = outputs;
        this.store = stores.registrationStore();
        this.exposures = new Exposures(stores.exposures(), outputs);
        this.registrations = stores.registrations();
        // Before the task processes anything (processors are all initialized first): see ensureIndexed.
        registrations.ensureIndexed();
    }

    @Override
    public void apply(InputRecord<PurposeRegistration> in) {
        Read<RegistrationAdapter.Registration> read = adapter.read(in, outputs.now());
        if (read instanceof Read.Rejected<RegistrationAdapter.Registration> rejected) {
            outputs.deadLetter(in, rejected.reason(), rejected.detail(), rejected.errorClass());
            return;
        }
        RegistrationAdapter.Registration registration = ((Read.Facts<RegistrationAdapter.Registration>) read).facts();
        RegistrationHistory.Event event = registration.event();
        for (MatchKeys.Key key : registration.keys().all()) {
            Bytes storeKey = IdentifierKeys.key(registration.userId(), key.form(), key.hex());
            RegistrationHistory history = store.get(storeKey);
            RegistrationHistory next = (history == null ? RegistrationHistory.empty() : history).with(event);
            if (next != history) {
                store.put(storeKey, next);
            }
        }
        registrations.indexUser(registration.userId());
        Purpose purpose = registration.purpose();
        if (RecallRules.registrationRecalls(policy, purpose, event.registered())) {
            // Already forwarded? The ad side must delete it, whenever it was forwarded.
            exposures.registeredForRestrictedPurpose(registration.userId(), registration.keys(), event.eventTime(),
                    in.at().at(event.eventTime()), "the identifier was collected for " + purpose + " by "
                            + event.sourceSystem() + ", which is restricted under "
                            + policy.restrictedPurposeCovering(purpose));
        }
    }

    @Override
    public void tooLarge(InputRecord<PurposeRegistration> in, long bytes) {
        Arrival.deadLetterTooLarge(outputs, in, bytes);
    }
}
