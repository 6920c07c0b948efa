package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.MatchKeys;

/** The registered-users index: one read for a user without registrations, and never a registration skipped. */
class RegistrationsIndexTest {

    private static final MatchKeys PHONE = MatchKeys.ofSpellings(java.util.List.of("+14155550100", "14155550100"),
            EnumSet.allOf(HashForm.class));
    private static final RegistrationHistory.Event TWO_FACTOR = new RegistrationHistory.Event(
            "essential.service.security.authentication", true, 1_000L, "auth-service");

    private KeyValueStore<Bytes, RegistrationHistory> store;
    private KeyValueStore<String, byte[]> index;

    @BeforeEach
    void openStores() {
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.REGISTRATION_STORE), Serdes.Bytes(),
                RegistrationHistory.serde()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        index = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.REGISTERED_USERS_STORE),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        index.init(context.getStateStoreContext(), index);
    }

    @Test
    void shouldBuildTheIndexFromARegistrationStoreWrittenWithoutItSoNoRegistrationIsSkipped() {
        // Given registrations stored by a release without the index (an upgrade)
        for (MatchKeys.Key key : PHONE.all()) {
            store.put(IdentifierKeys.key("alice", key.form(), key.hex()), RegistrationHistory.empty().with(TWO_FACTOR));
        }
        store.put(IdentifierKeys.key("bob", HashForm.SHA256, PHONE.forwardKey()),
                RegistrationHistory.empty().with(TWO_FACTOR));
        Registrations registrations = new Registrations(store, index);
        assertThat(registrations.of("alice", PHONE).activeAt(2_000L))
                .as("without the index, the registration would be missed: why ensureIndexed runs before processing")
                .isEmpty();

        // When the index is ensured
        registrations.ensureIndexed();

        // Then every user with a registration is found again, once marked complete
        assertThat(registrations.of("alice", PHONE).activeAt(2_000L)).singleElement()
                .satisfies(r -> assertThat(r.sourceSystem()).isEqualTo("auth-service"));
        assertThat(registrations.of("bob", PHONE).activeAt(2_000L)).hasSize(1);
        assertThat(registrations.of("carol", PHONE).activeAt(2_000L)).isEmpty();
        assertThat(index.get(Registrations.INDEX_COMPLETE)).isNotNull();
        assertThat(index.approximateNumEntries()).isEqualTo(3);
    }

    @Test
    void shouldIndexAUserAsTheirRegistrationIsStoredAndNotRebuildACompleteIndex() {
        Registrations registrations = new Registrations(store, index);
        registrations.ensureIndexed();
        store.put(IdentifierKeys.key("dave", HashForm.SHA256, PHONE.forwardKey()),
                RegistrationHistory.empty().with(TWO_FACTOR));
        registrations.indexUser("dave");

        assertThat(registrations.of("dave", PHONE).activeAt(2_000L)).hasSize(1);
        registrations.ensureIndexed();
        assertThat(index.approximateNumEntries()).isEqualTo(2);
    }
}
