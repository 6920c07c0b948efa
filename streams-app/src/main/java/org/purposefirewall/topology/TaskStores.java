package org.purposefirewall.topology;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.purposefirewall.policy.ConsentSnapshot;

/**
 * The state of one task, as its processors share it (every processor of the deciding sub-topology is connected to
 * every store; see {@link FirewallTopology}).
 *
 * @param consent user id → consent state, versioned by effective time
 * @param registrations each identifier's registration history, read in all of its forms
 * @param registrationStore the store behind {@code registrations}, for the registration processor to write
 * @param exposures what the ad side holds
 * @param revocations user id → the times consent for the ad purpose ended
 * @param setAside every record that waits ({@link SetAside})
 */
record TaskStores(VersionedKeyValueStore<String, ConsentSnapshot> consent,
                  Registrations registrations,
                  KeyValueStore<Bytes, RegistrationHistory> registrationStore,
                  KeyValueStore<Bytes, Exposure> exposures,
                  KeyValueStore<String, long[]> revocations,
                  KeyValueStore<String, byte[]> setAside) {

    static TaskStores open(ProcessorContext<?, ?> context) {
        KeyValueStore<Bytes, RegistrationHistory> registrations = context.getStateStore(Names.REGISTRATION_STORE);
        return new TaskStores(context.getStateStore(Names.CONSENT_STORE),
                new Registrations(registrations, context.getStateStore(Names.REGISTERED_USERS_STORE)), registrations, context.getStateStore(Names.EXPOSURE_STORE),
                context.getStateStore(Names.REVOCATION_STORE), context.getStateStore(Names.SET_ASIDE_STORE));
    }
}
