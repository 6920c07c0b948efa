package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.monitoring.PrometheusFirewallMetrics;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.policy.SetAsideRules.Wait;
import org.purposefirewall.registry.RegistryUnavailableException;
import org.purposefirewall.serde.Decoded;

/** The one buffer: read order, chunks, restarts, the bound, and side records that hold data records back. */
class SetAsideTest {

    private static final String TOPIC = "user.contact-points";
    private static final String CONSENT = "privacy.consent";
    private KeyValueStore<String, byte[]> store;
    private boolean registryUp = true;
    private HeldBudget budget = new HeldBudget(Long.MAX_VALUE);
    private int decodes;

    @BeforeEach
    void openStore() {
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.SET_ASIDE_STORE), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
    }

    @Test
    void shouldHandBackRecordsWaitingForSideRecordsInReadOrderAndStopAtTheFirstNotSettled() {
        SetAside<String> buffer = dataBuffer(1_000);
        for (int i = 0; i < 150; i++) {
            buffer.add(Wait.SIDE_RECORDS, record(i), 1_000L + i, 0L);
        }
        int chunkSize = SetAside.CHUNK_ENTRIES;
        assertThat(chunks()).as("one store entry per chunk").isEqualTo((150 + chunkSize - 1) / chunkSize);

        List<Long> released = new ArrayList<>();
        buffer.releaseSideRecordWaits(readTime -> readTime < 1_100L, in -> released.add(in.at().offset()));

        assertThat(released).hasSize(100).isSorted().startsWith(0L).endsWith(99L);
        assertThat(buffer.waiting(Wait.SIDE_RECORDS)).isEqualTo(50);
        assertThat(chunks()).as("drained chunks deleted, the partly drained one rewritten")
                .isEqualTo((150 + chunkSize - 1) / chunkSize - 100 / chunkSize);
    }

    @Test
    void shouldRebuildItsQueuesFromTheStoreAfterARestartAndDecodeWhatItHandsBack() {
        SetAside<String> before = dataBuffer(1_000);
        for (int i = 0; i < 70; i++) {
            before.add(Wait.SIDE_RECORDS, record(i), 1_000L + i, 0L);
        }
        before.add(Wait.CONSENT, record(500), 0L, 9_000L);
        before.releaseSideRecordWaits(readTime -> readTime < 1_010L, in -> { });

        SetAside<String> after = dataBuffer(1_000);
        assertThat(after.waiting(Wait.SIDE_RECORDS)).isEqualTo(60);
        assertThat(after.waiting(Wait.CONSENT)).isEqualTo(1);
        List<InputRecord<String>> released = new ArrayList<>();
        after.releaseSideRecordWaits(readTime -> true, released::add);
        assertThat(released).extracting(in -> in.at().offset()).isSorted().startsWith(10L).endsWith(69L);
        assertThat(released.get(0).value()).isInstanceOfSatisfying(Decoded.Ok.class, ok -> {
            assertThat(ok.value()).isEqualTo("value-10");
            assertThat(ok.raw()).isEqualTo(bytes(10));
        });
        assertThat(released.get(0).key()).isEqualTo("user-10");

        List<InputRecord<String>> consent = new ArrayList<>();
        after.releaseConsentWaits((key, time) -> false, 8_999L, consent::add);
        assertThat(consent).as("neither arrived nor expired").isEmpty();
        after.releaseConsentWaits((key, time) -> false, 9_000L, consent::add);
        assertThat(consent).singleElement().satisfies(in -> assertThat(in.at().offset()).isEqualTo(500L));
        assertThat(chunks()).isZero();
    }

    @Test
    void shouldSendARestoredRecordTheRegistryCannotServeBackToWaitForTheRegistry() {
        dataBuffer(1_000).add(Wait.SIDE_RECORDS, record(1), 1_000L, 0L);
        registryUp = false;
        SetAside<String> after = dataBuffer(1_000);
        List<InputRecord<String>> released = new ArrayList<>();

        after.releaseSideRecordWaits(readTime -> true, released::add);
        assertThat(released).isEmpty();
        assertThat(after.waiting(Wait.SCHEMA)).isEqualTo(1);

        registryUp = true;
        after.releaseSchemaWaits(released::add);
        assertThat(released).singleElement().satisfies(in -> assertThat(in.at().offset()).isEqualTo(1L));
        assertThat(after.size()).isZero();
    }

    @Test
    void shouldHoldTheTasksDataRecordsWhileASideRecordWaitsForTheRegistry() {
        SetAside<String> consent = new SetAside<>(CONSENT, store, 10, budget, FirewallMetrics.NONE, this::decode,
                true, List.of());
        SetAside<String> data = dataBuffer(10);
        assertThat(data.sideRecordWaiting()).isFalse();

        registryUp = false;
        consent.add(Wait.SCHEMA, record(7), 0L, 0L);
        assertThat(data.sideRecordWaiting()).isTrue();

        List<InputRecord<String>> applied = new ArrayList<>();
        consent.releaseSchemaWaits(applied::add);
        assertThat(applied).isEmpty();
        assertThat(data.sideRecordWaiting()).isTrue();

        registryUp = true;
        consent.releaseSchemaWaits(applied::add);
        assertThat(applied).hasSize(1);
        assertThat(data.sideRecordWaiting()).isFalse();
    }

    @Test
    void shouldPassARegistryOutageToKafkaStreamsPastItsBoundAndCountEveryWaitAgainstOneBound() {
        SetAside<String> buffer = dataBuffer(2);
        buffer.add(Wait.SIDE_RECORDS, record(1), 0L, 0L);
        buffer.add(Wait.CONSENT, record(2), 0L, 5L);
        assertThat(buffer.hasRoom()).isFalse();
        assertThatThrownBy(() -> buffer.add(Wait.SCHEMA, record(3), 0L, 0L))
                .isInstanceOf(RegistryUnavailableException.class);
    }

    @Test
    void shouldShareTheInstancesHeapBudgetAcrossBuffersAndGiveItBackAsRecordsLeave() {
        // Given a budget whose half holds one record in memory, shared by the buffers of two tasks
        long one = HeldBudget.cost(framedLength());
        budget = new HeldBudget(2 * one);
        SetAside<String> task0 = dataBuffer(1_000);
        SetAside<String> task1 = new SetAside<>(TOPIC, otherTaskStore(), 1_000, budget, FirewallMetrics.NONE,
                this::decode, false, List.of(CONSENT));

        // When one task's buffer holds one record in memory and spills the next ones until the budget is used up
        task0.add(Wait.SIDE_RECORDS, record(10), 0L, 0L);
        assertThat(budget.used()).isEqualTo(one);
        int spilled = 0;
        while (task1.hasRoom()) {
            task0.add(Wait.CONSENT, record(11 + spilled), 0L, 5L);
            spilled++;
        }

        // Then a spilled record costs only its place in the queue, and the other task has no room although far
        // below its own bound
        assertThat(spilled).isEqualTo((int) ((one + HeldBudget.SPILLED_COST - 1) / HeldBudget.SPILLED_COST));
        assertThat(budget.used()).isEqualTo(one + spilled * (long) HeldBudget.SPILLED_COST);
        assertThatThrownBy(() -> task1.add(Wait.SCHEMA, record(90), 0L, 0L))
                .isInstanceOf(RegistryUnavailableException.class).hasMessageContaining("heap budget");

        // And a record handed back gives its share back
        task0.releaseSideRecordWaits(readTime -> true, in -> { });
        assertThat(budget.used()).isEqualTo(spilled * (long) HeldBudget.SPILLED_COST);
        assertThat(task1.hasRoom()).isTrue();

        // And closing a task gives back what its records still held, once
        task0.close();
        task0.close();
        assertThat(budget.used()).isZero();

        // And the task's next processor, rebuilding its queue from the store, counts its records again: the first
        // in memory, the rest spilled
        SetAside<String> reopened = dataBuffer(1_000);
        assertThat(reopened.waiting(Wait.CONSENT)).isEqualTo(spilled);
        assertThat(budget.used()).isEqualTo(one + (spilled - 1) * (long) HeldBudget.SPILLED_COST);
        List<Long> released = new ArrayList<>();
        reopened.releaseConsentWaits((key, time) -> true, 0L, in -> released.add(in.at().offset()));
        assertThat(released).hasSize(spilled).isSorted().startsWith(11L);
        assertThat(budget.used()).isZero();
    }

    @Test
    void shouldReadSpilledRecordsBackWholeAndInReadOrderAcrossPartlyDrainedChunks() {
        // Given a budget whose half keeps two records in memory, and 40 records waiting: 38 spilled, in 3 chunks
        long one = HeldBudget.cost(framedLength());
        budget = new HeldBudget(4 * one);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        FirewallMetrics metrics = new PrometheusFirewallMetrics(registry, new RegistryHealth(), () -> true).factory()
                .open(new MockProcessorContext<>().metrics(), "0_0");
        SetAside<String> buffer = new SetAside<>(TOPIC, store, 1_000, budget, metrics, this::decode, false,
                List.of(CONSENT));
        for (int i = 10; i < 50; i++) {
            buffer.add(Wait.SIDE_RECORDS, record(i), 1_000L + i, 0L);
        }
        assertThat(budget.used()).isEqualTo(2 * one + 38L * HeldBudget.SPILLED_COST);
        assertThat(decodes).as("nothing read back yet").isZero();
        assertThat(registry.scrape()).contains("purpose_firewall_records_spilled 38.0",
                "purpose_firewall_records_waiting_heap_bytes " + (double) budget.used());

        // When ten leave, which leaves the first chunk rewritten with six spilled records, and then the rest
        List<InputRecord<String>> released = new ArrayList<>();
        buffer.releaseSideRecordWaits(readTime -> readTime < 1_020L, released::add);
        assertThat(released).extracting(in -> in.at().offset()).containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L,
                17L, 18L, 19L);
        buffer.releaseSideRecordWaits(readTime -> true, released::add);

        // Then every record comes back whole, in read order: the two kept in memory as they were decoded, the
        // spilled ones read from the store and decoded again
        assertThat(released).hasSize(40);
        for (int i = 0; i < 40; i++) {
            InputRecord<String> in = released.get(i);
            assertThat(in.at().offset()).isEqualTo(10L + i);
            assertThat(in.key()).isEqualTo("user-" + (10 + i));
            assertThat(in.timestamp()).isEqualTo(1_010L + i);
            assertThat(in.value()).isInstanceOfSatisfying(Decoded.Ok.class, ok -> {
                assertThat(ok.value()).isEqualTo(new String(ok.raw(), StandardCharsets.UTF_8));
                assertThat(ok.raw()).isEqualTo(bytes((int) in.at().offset()));
            });
        }
        assertThat(decodes).isEqualTo(38);
        assertThat(chunks()).isZero();
        assertThat(budget.used()).isZero();
        assertThat(registry.scrape()).contains("purpose_firewall_records_spilled 0.0",
                "purpose_firewall_records_waiting_heap_bytes 0.0");
    }

    @Test
    void shouldReleaseASpilledConsentWaitByItsKeyAndEventTimeAndKeepTheOthersStored() {
        // Given a budget that keeps nothing in memory: every record waiting for consent is spilled
        budget = new HeldBudget(HeldBudget.cost(framedLength()));
        SetAside<String> buffer = dataBuffer(1_000);
        for (int i = 10; i < 30; i++) {
            buffer.add(Wait.CONSENT, record(i), 0L, 9_000L);
        }
        assertThat(budget.used()).isEqualTo(20L * HeldBudget.SPILLED_COST);

        // When consent arrives for one user, at its record's event time
        List<InputRecord<String>> released = new ArrayList<>();
        buffer.releaseConsentWaits((key, time) -> "user-23".equals(key) && time == 1_023L, 0L, released::add);

        // Then only that record leaves, whole, and the others are still stored after a restart
        assertThat(released).singleElement().satisfies(in -> {
            assertThat(in.at().offset()).isEqualTo(23L);
            assertThat(in.value()).isInstanceOfSatisfying(Decoded.Ok.class,
                    ok -> assertThat(ok.value()).isEqualTo("value-23"));
        });
        buffer.close();
        SetAside<String> after = dataBuffer(1_000);
        assertThat(after.waiting(Wait.CONSENT)).isEqualTo(19);
        released.clear();
        after.releaseConsentWaits((key, time) -> false, 9_000L, released::add);
        assertThat(released).extracting(in -> in.at().offset()).hasSize(19).doesNotContain(23L).isSorted()
                .startsWith(10L).endsWith(29L);
        assertThat(chunks()).isZero();
    }

    private KeyValueStore<String, byte[]> otherTaskStore() {
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        KeyValueStore<String, byte[]> other = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Names.SET_ASIDE_STORE), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        other.init(context.getStateStoreContext(), other);
        return other;
    }

    /** The stored frame of {@link #record(int)} for a two-digit offset: all such records have the same length. */
    private int framedLength() {
        KeyValueStore<String, byte[]> scratch = otherTaskStore();
        SetAside<String> probe = new SetAside<>(TOPIC, scratch, 10, new HeldBudget(Long.MAX_VALUE),
                FirewallMetrics.NONE, this::decode, false, List.of());
        probe.add(Wait.SIDE_RECORDS, record(10), 0L, 0L);
        try (KeyValueIterator<String, byte[]> it = scratch.all()) {
            byte[] chunk = it.next().value;
            return chunk.length - 5; // the chunk's header: a format byte and an entry count
        }
    }

    private SetAside<String> dataBuffer(int bound) {
        return new SetAside<>(TOPIC, store, bound, budget, FirewallMetrics.NONE, this::decode, false,
                List.of(CONSENT));
    }

    private Decoded<String> decode(ParkedRecord envelope) {
        decodes++;
        return registryUp ? new Decoded.Ok<>(new String(envelope.value(), StandardCharsets.UTF_8), envelope.value())
                : new Decoded.Unavailable<>(envelope.value());
    }

    private static InputRecord<String> record(int offset) {
        return new InputRecord<>(new Coordinates(TOPIC, 0, offset), "user-" + offset,
                new Decoded.Ok<>("value-" + offset, bytes(offset)), 1_000L + offset);
    }

    private static byte[] bytes(int offset) {
        return ("value-" + offset).getBytes(StandardCharsets.UTF_8);
    }

    private int chunks() {
        int count = 0;
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                if (it.next().key.startsWith(TOPIC)) {
                    count++;
                }
            }
        }
        return count;
    }
}
