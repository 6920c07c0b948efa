package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a process crash leaves of transactional RocksDB stores: a copy of the state directory taken while the store is
 * open, after a commit, is what a kill -9 leaves on disk (the page cache survives the process). Kafka's own store
 * keeps none of the commits still in its memtable; the firewall's ({@link PositionedStores}, with
 * {@link WriteAheadLog}) keeps them all, the key-value and the versioned kind.
 */
class WriteAheadLogTest {

    private static final int KEYS = 200;

    @TempDir
    Path dir;

    @Test
    void kafkasOwnStoreLosesTheCommitsStillInItsMemtableOnACrash() {
        // Given Kafka's own transactional key-value store with committed writes, none flushed (a 1 MiB memtable is
        // far from full)
        Crash kafkas = new Crash(dir, Stores.persistentKeyValueStore("store"), null);
        kafkas.runAndCrash(WriteAheadLogTest::putAll);

        // When the process restarts on what the crash left, Then the writes are gone: the restart must read them
        // again from the changelog. If this starts failing, Kafka writes its log itself and WriteAheadLog can go.
        kafkas.reopen(store -> assertThat(store.get("key-0")).isNull());
    }

    @Test
    void theFirewallsKeyValueStoreKeepsEveryCommitThroughACrash() {
        Crash firewall = new Crash(dir, PositionedStores.keyValue(Stores.persistentKeyValueStore("store")), null);
        firewall.runAndCrash(WriteAheadLogTest::putAll);

        firewall.reopen(store -> {
            for (int i = 0; i < KEYS; i++) {
                assertThat(store.get("key-" + i)).as("key %d", i).isEqualTo("value-" + i);
            }
        });
    }

    @Test
    void theFirewallsVersionedStoreKeepsEveryVersionThroughACrash() {
        // Given the consent store as the firewall composes it, with two versions per key
        VersionedBytesStoreSupplier consent = PositionedStores.versioned(ReopenedHistory.of(
                Stores.persistentVersionedKeyValueStore("store", Duration.ofDays(30))));
        Crash firewall = new Crash(dir, null, consent);
        long day = Duration.ofDays(1).toMillis();
        firewall.runAndCrashVersioned(store -> {
            for (int i = 0; i < KEYS; i++) {
                store.put("user-" + i, "grant", 100 * day);
                store.put("user-" + i, "deny", 105 * day);
            }
        });

        // When it reopens what the crash left, Then both versions of every key are there
        firewall.reopenVersioned(store -> {
            for (int i = 0; i < KEYS; i++) {
                assertThat(valueAt(store, "user-" + i, 101 * day)).as("user %d", i).isEqualTo("grant");
                assertThat(valueAt(store, "user-" + i, 106 * day)).as("user %d", i).isEqualTo("deny");
            }
        });
    }

    @Test
    void aStoreWithNoRocksDbUnderItIsLeftAsItIs() {
        // An in-memory store behind the same decorator: nothing to turn on, and nothing fails
        Crash inMemory = new Crash(dir, PositionedStores.keyValue(Stores.inMemoryKeyValueStore("store")), null);
        inMemory.runAndCrash(store -> {
            putAll(store);
            assertThat(store.get("key-" + (KEYS - 1))).isEqualTo("value-" + (KEYS - 1));
        });
    }

    private static void putAll(KeyValueStore<String, String> store) {
        for (int i = 0; i < KEYS; i++) {
            store.put("key-" + i, "value-" + i);
        }
    }

    private static String valueAt(VersionedKeyValueStore<String, String> store, String key, long time) {
        VersionedRecord<String> found = store.get(key, time);
        return found == null ? null : found.value();
    }

    /**
     * One store under transactional state stores and exactly-once: {@link #runAndCrash} writes through a driver,
     * has it commit (a record through the topology), copies the state directory while the store is open, and lets
     * the driver go; {@link #reopen} opens a new driver on that copy.
     */
    private static final class Crash {

        private final Path stateDir;
        private final Path image;
        private final KeyValueBytesStoreSupplier keyValue;
        private final VersionedBytesStoreSupplier versioned;

        Crash(Path dir, KeyValueBytesStoreSupplier keyValue, VersionedBytesStoreSupplier versioned) {
            this.stateDir = dir.resolve("state");
            this.image = dir.resolve("image");
            this.keyValue = keyValue;
            this.versioned = versioned;
        }

        void runAndCrash(Consumer<KeyValueStore<String, String>> steps) {
            try (TopologyTestDriver driver = driver()) {
                steps.accept(driver.getKeyValueStore("store"));
                commitAndCopy(driver);
            }
        }

        void runAndCrashVersioned(Consumer<VersionedKeyValueStore<String, String>> steps) {
            try (TopologyTestDriver driver = driver()) {
                steps.accept(driver.getVersionedKeyValueStore("store"));
                commitAndCopy(driver);
            }
        }

        void reopen(Consumer<KeyValueStore<String, String>> steps) {
            StateCopies.copy(image, stateDir);
            try (TopologyTestDriver driver = driver()) {
                steps.accept(driver.getKeyValueStore("store"));
            }
        }

        void reopenVersioned(Consumer<VersionedKeyValueStore<String, String>> steps) {
            StateCopies.copy(image, stateDir);
            try (TopologyTestDriver driver = driver()) {
                steps.accept(driver.getVersionedKeyValueStore("store"));
            }
        }

        private void commitAndCopy(TopologyTestDriver driver) {
            // The driver commits the task after each record it pipes: the writes above are a committed batch now
            driver.createInputTopic("ticks", Serdes.String().serializer(), Serdes.String().serializer())
                    .pipeInput("tick", "tick");
            StateCopies.copy(stateDir, image);
        }

        private TopologyTestDriver driver() {
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "write-ahead-log-test");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);
            return new TopologyTestDriver(topology(), props);
        }

        private Topology topology() {
            Topology topology = new Topology();
            topology.addSource("ticks", Serdes.String().deserializer(), Serdes.String().deserializer(), "ticks");
            topology.addProcessor("writer", () -> new Processor<Object, Object, Object, Object>() {
                @Override
                public void process(Record<Object, Object> record) {
                }
            }, "ticks");
            if (keyValue != null) {
                topology.addStateStore(Stores.keyValueStoreBuilder(keyValue, Serdes.String(), Serdes.String())
                        .withLoggingDisabled(), "writer");
            } else {
                topology.addStateStore(Stores.versionedKeyValueStoreBuilder(versioned, Serdes.String(),
                        Serdes.String()).withLoggingDisabled(), "writer");
            }
            return topology;
        }
    }
}
