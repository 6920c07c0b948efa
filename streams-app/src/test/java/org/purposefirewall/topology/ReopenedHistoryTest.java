package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.VersionedBytesStore;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kafka 4.4.0's RocksDB versioned store reopening the state it kept, as a clean restart, a task moving back or a
 * restart with transactional stores has it: Kafka's own store loses sight of its older versions, one from
 * {@link ReopenedHistory} does not. Real RocksDB stores through {@link TopologyTestDriver}, which deletes its state
 * directory when it closes: a store here copies that directory once it has closed, and the next driver opens the copy.
 */
class ReopenedHistoryTest {

    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long GRANTED = 100 * DAY;
    private static final long REVOKED = GRANTED + 9 * DAY;
    private static final String USER = "user-1";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "transactional stores {0}")
    @ValueSource(booleans = {false, true})
    void kafkasOwnStoreFindsNoOlderVersionAfterReopeningItsState(boolean transactional) {
        // Given Kafka's own versioned store with a grant and, nine days later in event time, a revocation
        Reopening kafkas = new Reopening(dir, transactional, UnaryOperator.identity());
        kafkas.run(store -> {
            store.put(USER, "grant", GRANTED);
            store.put(USER, "deny", REVOKED);
            assertThat(valueAt(store, GRANTED + DAY)).isEqualTo("grant");
        });

        // When it reopens that state, Then it still has the latest version but finds nothing before it: the
        // grant is on disk (see the next test) in a segment Kafka no longer lists. If this starts failing, Kafka
        // has fixed it and ReopenedHistory can go.
        kafkas.run(store -> {
            assertThat(valueAt(store, REVOKED + DAY)).isEqualTo("deny");
            assertThat(valueAt(store, GRANTED + DAY)).isNull();
        });
    }

    @ParameterizedTest(name = "transactional stores {0}")
    @ValueSource(booleans = {false, true})
    void aReopenedStoreFindsEveryVersionItKept(boolean transactional) {
        // Given the firewall's store with versions across several segments of event time
        Reopening firewall = new Reopening(dir, transactional, ReopenedHistoryTest::asTheFirewallBuildsIt);
        long[] times = {GRANTED, GRANTED + 3 * DAY, GRANTED + 6 * DAY, REVOKED};
        firewall.run(store -> {
            for (int i = 0; i < times.length; i++) {
                store.put(USER, "v" + i, times[i]);
            }
            store.put("user-2", "other", GRANTED + DAY);
        });

        // When it reopens, Then every version is found at its own time, before any write brings a segment back
        firewall.run(store -> {
            for (int i = 0; i < times.length; i++) {
                assertThat(valueAt(store, times[i] + 1)).as("version %d", i).isEqualTo("v" + i);
            }
            assertThat(valueAt(store, GRANTED - 1)).isNull();
            assertThat(store.get("user-2", GRANTED + 2 * DAY).value()).isEqualTo("other");
        });
    }

    @ParameterizedTest(name = "transactional stores {0}")
    @ValueSource(booleans = {false, true})
    void aLateVersionAfterReopeningGoesBetweenTheKeptOnes(boolean transactional) {
        // Given a grant and a revocation kept across a reopening
        Reopening firewall = new Reopening(dir, transactional, ReopenedHistoryTest::asTheFirewallBuildsIt);
        firewall.run(store -> {
            store.put(USER, "grant", GRANTED);
            store.put(USER, "deny", REVOKED);
        });

        // When a late change between them arrives after the reopening
        long late = GRANTED + 4 * DAY;
        firewall.run(store -> {
            long validTo = store.put(USER, "late", late);

            // Then it holds until the revocation, and the grant before it and the revocation after it stay
            assertThat(validTo).isEqualTo(REVOKED);
            assertThat(valueAt(store, GRANTED + 1)).isEqualTo("grant");
            assertThat(valueAt(store, late + 1)).isEqualTo("late");
            assertThat(valueAt(store, REVOKED + 1)).isEqualTo("deny");
        });
        // and so again after one more reopening
        firewall.run(store -> {
            assertThat(valueAt(store, GRANTED + 1)).isEqualTo("grant");
            assertThat(valueAt(store, late + 1)).isEqualTo("late");
        });
    }

    @Test
    void theSupplierKeepsTheNameAndRetentionAndGivesAVersionedStore() {
        VersionedBytesStoreSupplier supplier = ReopenedHistory.of(
                Stores.persistentVersionedKeyValueStore("consent-store", Duration.ofDays(30)));

        assertThat(supplier.name()).isEqualTo("consent-store");
        assertThat(supplier.metricsScope()).isEqualTo("rocksdb");
        assertThat(supplier.historyRetentionMs()).isEqualTo(Duration.ofDays(30).toMillis());
        assertThat(supplier.get()).isInstanceOf(VersionedBytesStore.class);
    }

    @Test
    void aStoreOfAnotherClassFailsToOpenRatherThanLoseItsHistory() {
        // Given Kafka's store behind a decorator that ReopenedHistory does not know how to look into
        Reopening foreign = new Reopening(dir, false, kafkas -> ReopenedHistory.of(foreign(kafkas)));

        // When it opens, Then it fails, naming the store and its class, rather than open blind to its history
        assertThatThrownBy(() -> foreign.run(store -> { }))
                .hasStackTraceContaining("could not find the segments of versioned store consent-store")
                .hasStackTraceContaining(Versioned.class.getName());
    }

    private static String valueAt(VersionedKeyValueStore<String, String> store, long time) {
        VersionedRecord<String> found = store.get(USER, time);
        return found == null ? null : found.value();
    }

    /** The composition {@link FirewallTopology} builds for the consent store. */
    private static VersionedBytesStoreSupplier asTheFirewallBuildsIt(VersionedBytesStoreSupplier kafkas) {
        return ReopenedHistory.of(kafkas);
    }

    /** {@code supplier}'s store behind a decorator of another class, which the reflective path must refuse. */
    private static VersionedBytesStoreSupplier foreign(VersionedBytesStoreSupplier supplier) {
        return ForwardingVersioned.decorating(supplier, store -> new Versioned(store, null));
    }

    /**
     * One store, opened by a new driver on each {@link #run} over the state the last run left: the store copies its
     * task directory aside once it has closed (the driver then deletes the original), and the next run puts it back.
     */
    private static final class Reopening {

        private final Path stateDir;
        private final Path kept;
        private final boolean transactional;
        private final UnaryOperator<VersionedBytesStoreSupplier> decorate;

        Reopening(Path dir, boolean transactional, UnaryOperator<VersionedBytesStoreSupplier> decorate) {
            this.stateDir = dir.resolve("state");
            this.kept = dir.resolve("kept");
            this.transactional = transactional;
            this.decorate = decorate;
        }

        void run(java.util.function.Consumer<VersionedKeyValueStore<String, String>> steps) {
            if (Files.exists(kept)) {
                StateCopies.copy(kept, stateDir);
            }
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "reopened-history-test");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            props.put("enable.transactional.statestores", Boolean.toString(transactional));
            props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
            props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
            try (TopologyTestDriver driver = new TopologyTestDriver(topology(), props)) {
                steps.accept(driver.getVersionedKeyValueStore(Names.CONSENT_STORE));
            }
        }

        private Topology topology() {
            VersionedBytesStoreSupplier supplier = decorate.apply(
                    Stores.persistentVersionedKeyValueStore(Names.CONSENT_STORE, Duration.ofDays(30)));
            VersionedBytesStoreSupplier keeping = ForwardingVersioned.decorating(supplier, store ->
                    new Versioned(store, () -> {
                        deleteTree(kept);
                        StateCopies.copy(stateDir, kept);
                    }));
            Topology topology = new Topology();
            topology.addSource("changes", "changes");
            topology.addProcessor("applier", () -> new Processor<Object, Object, Object, Object>() {
                @Override
                public void process(Record<Object, Object> record) {
                }
            }, "changes");
            topology.addStateStore(Stores.versionedKeyValueStoreBuilder(keeping, Serdes.String(), Serdes.String())
                    .withLoggingDisabled(), "applier");
            return topology;
        }
    }

    /** A versioned store passed through, which runs {@code afterClose} once it has closed. */
    private static final class Versioned extends ForwardingStore<VersionedBytesStore> implements ForwardingVersioned {

        private final Runnable afterClose;

        Versioned(VersionedBytesStore inner, Runnable afterClose) {
            super(inner);
            this.afterClose = afterClose;
        }

        @Override
        public VersionedBytesStore versionedInner() {
            return inner;
        }

        @Override
        public void close() {
            inner.close();
            if (afterClose != null) {
                afterClose.run();
            }
        }

        @Override
        public VersionedBytesStore readOnly(IsolationLevel isolationLevel) {
            return inner.readOnly(isolationLevel);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
