package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.VersionedBytesStore;
import org.junit.jupiter.api.Test;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class PositionedStoresTest {

    private static final TopicPartition CHANGELOG = new TopicPartition("app-consent-store-changelog", 3);

    @Test
    void aStoreThatManagesOffsetsButHasPersistedNoneSaysThePositionIsUnknown() {
        // Given a store that keeps its offsets itself and has none for the changelog (nothing flushed yet)
        FakeStore inner = new FakeStore(true, null);

        // When Kafka asks the positioned store for its committed offset
        Long offset = new PositionedStores.PositionedKeyValueStore<>(inner).committedOffset(CHANGELOG);

        // Then it gets Kafka's "position unknown", which it reads as "restore from the changelog's start", not null,
        // which Kafka 4.4.0's start-up pass takes under exactly-once for uncommitted data and wipes the task for
        assertThat(offset).isEqualTo(-4L).isEqualTo(PositionedStores.OFFSET_UNKNOWN);
    }

    @Test
    void aPersistedOffsetIsPassedThrough() {
        assertThat(new PositionedStores.PositionedKeyValueStore<>(new FakeStore(true, 1_234L))
                .committedOffset(CHANGELOG)).isEqualTo(1_234L);
    }

    @Test
    void aStoreThatDoesNotManageOffsetsIsLeftToKafkasCheckpointFile() {
        // (Kafka wraps such a store in its checkpoint-file store; null there means "no checkpoint")
        assertThat(new PositionedStores.PositionedKeyValueStore<>(new FakeStore(false, null))
                .committedOffset(CHANGELOG)).isNull();
    }

    @Test
    void everyOtherCallReachesTheInnerStore() {
        FakeStore inner = new FakeStore(true, null);
        KeyValueStore<Bytes, byte[]> store = new PositionedStores.PositionedKeyValueStore<>(inner);
        Bytes key = Bytes.wrap(new byte[] {1});

        store.put(key, new byte[] {2});
        store.commit(Map.of(CHANGELOG, 9L));

        assertThat(store.get(key)).containsExactly(2);
        assertThat(inner.committed).containsEntry(CHANGELOG, 9L);
        assertThat(store.name()).isEqualTo("fake");
        assertThat(store.persistent()).isTrue();
    }

    @Test
    void theSuppliersGiveKafkasOwnRocksDbStoresUnderTheSameNames() {
        var keyValue = PositionedStores.keyValue(Stores.persistentKeyValueStore("exposure-store"));
        var versioned = PositionedStores.versioned(
                Stores.persistentVersionedKeyValueStore("consent-store", Duration.ofDays(30)));

        assertThat(keyValue.name()).isEqualTo("exposure-store");
        assertThat(keyValue.metricsScope()).isEqualTo("rocksdb");
        assertThat(keyValue.get()).isInstanceOf(PositionedStores.PositionedKeyValueStore.class);
        assertThat(versioned.name()).isEqualTo("consent-store");
        assertThat(versioned.historyRetentionMs()).isEqualTo(Duration.ofDays(30).toMillis());
        // a versioned store stays one, or Kafka's versioned store builder refuses it
        assertThat(versioned.get()).isInstanceOf(VersionedBytesStore.class);
    }

    @Test
    void smallMemtablesSetTheConfiguredWriteBufferSizeAndRefuseToGuess() {
        RocksDB.loadLibrary();
        SmallMemtables setter = new SmallMemtables();
        try (Options options = new Options()) {
            setter.setConfig("consent-store", options, Map.of(SmallMemtables.WRITE_BUFFER_BYTES_CONFIG, 65_536L));

            assertThat(options.writeBufferSize()).isEqualTo(65_536L);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> setter.setConfig("consent-store", options,
                            Map.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(SmallMemtables.WRITE_BUFFER_BYTES_CONFIG).hasMessageContaining("consent-store");
        }
    }

    /** A store of one map, with the offset it claims to have persisted. */
    private static final class FakeStore implements KeyValueStore<Bytes, byte[]> {
        private final boolean managesOffsets;
        private final Long persisted;
        private final Map<Bytes, byte[]> map = new java.util.HashMap<>();
        final Map<TopicPartition, Long> committed = new java.util.HashMap<>();

        FakeStore(boolean managesOffsets, Long persisted) {
            this.managesOffsets = managesOffsets;
            this.persisted = persisted;
        }

        @Override
        public boolean managesOffsets() {
            return managesOffsets;
        }

        @Override
        public Long committedOffset(TopicPartition partition) {
            return persisted;
        }

        @Override
        public void commit(Map<TopicPartition, Long> changelogOffsets) {
            committed.putAll(changelogOffsets);
        }

        @Override
        public void put(Bytes key, byte[] value) {
            map.put(key, value);
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
            return map.putIfAbsent(key, value);
        }

        @Override
        public void putAll(java.util.List<org.apache.kafka.streams.KeyValue<Bytes, byte[]>> entries) {
            entries.forEach(e -> map.put(e.key, e.value));
        }

        @Override
        public byte[] delete(Bytes key) {
            return map.remove(key);
        }

        @Override
        public byte[] get(Bytes key) {
            return map.get(key);
        }

        @Override
        public org.apache.kafka.streams.state.KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public org.apache.kafka.streams.state.KeyValueIterator<Bytes, byte[]> all() {
            throw new UnsupportedOperationException();
        }

        @Override
        public long approximateNumEntries() {
            return map.size();
        }

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public void init(org.apache.kafka.streams.processor.StateStoreContext context,
                         org.apache.kafka.streams.processor.StateStore root) {
        }

        @Override
        public void close() {
        }

        @Override
        public boolean persistent() {
            return true;
        }

        @Override
        public boolean isOpen() {
            return true;
        }
    }
}
