package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

    @Test
    void anUncommittedBytesReadFromAnotherThreadWaitsForTheCommitInProgress() throws Exception {
        // Given a store whose commit is under way on the stream thread (Kafka 4.4.0 frees and replaces its native
        // write batch there)
        BatchStore inner = new BatchStore();
        KeyValueStore<Bytes, byte[]> store = new PositionedStores.PositionedKeyValueStore<>(inner);
        Thread streamThread = new Thread(() -> store.commit(Map.of(CHANGELOG, 1L)), "stream-thread");
        streamThread.start();
        assertThat(inner.commitEntered.await(10, TimeUnit.SECONDS)).isTrue();

        // When a metrics thread reads the uncommitted-bytes gauge meanwhile
        AtomicLong read = new AtomicLong(-1);
        Thread metricsThread = new Thread(() -> read.set(store.approximateNumUncommittedBytes()), "metrics");
        metricsThread.start();
        awaitBlockedOrDone(metricsThread);

        // Then the read waits for the commit rather than reaching the batch the commit is replacing
        assertThat(metricsThread.getState()).as("the gauge read during the commit").isEqualTo(Thread.State.BLOCKED);
        inner.releaseCommit.countDown();
        streamThread.join(10_000);
        metricsThread.join(10_000);
        assertThat(inner.readDuringCommit).as("a read reached the store mid-commit").isFalse();
        assertThat(read.get()).isEqualTo(BatchStore.UNCOMMITTED);
    }

    @Test
    void aClosedStoreReadsNoUncommittedBytesWithoutTouchingItsFreedBatch() {
        BatchStore inner = new BatchStore();
        KeyValueStore<Bytes, byte[]> store = new PositionedStores.PositionedKeyValueStore<>(inner);
        inner.releaseCommit.countDown();

        assertThat(store.approximateNumUncommittedBytes()).isEqualTo(BatchStore.UNCOMMITTED);
        store.close();

        // (BatchStore fails a read after its close, as the freed native batch would crash the JVM)
        assertThat(store.approximateNumUncommittedBytes()).isZero();
        assertThat(inner.readAfterClose).isFalse();
    }

    /** Waits until {@code thread} blocks on a monitor or ends; a thread still runnable after 10 s fails the test. */
    private static void awaitBlockedOrDone(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.BLOCKED && thread.getState() != Thread.State.TERMINATED) {
            assertThat(System.nanoTime()).as("the metrics thread neither blocked nor finished").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /** A store whose commit waits to be released, and which records reads that would touch a replaced batch. */
    private static final class BatchStore extends FakeStore {
        static final long UNCOMMITTED = 4_096L;
        final CountDownLatch commitEntered = new CountDownLatch(1);
        final CountDownLatch releaseCommit = new CountDownLatch(1);
        private volatile boolean committing;
        private volatile boolean closed;
        volatile boolean readDuringCommit;
        volatile boolean readAfterClose;

        BatchStore() {
            super(true, null);
        }

        @Override
        public void commit(Map<TopicPartition, Long> changelogOffsets) {
            committing = true;
            commitEntered.countDown();
            try {
                assertThat(releaseCommit.await(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                committing = false;
            }
            super.commit(changelogOffsets);
        }

        @Override
        public long approximateNumUncommittedBytes() {
            readDuringCommit |= committing;
            readAfterClose |= closed;
            return UNCOMMITTED;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A store of one map, with the offset it claims to have persisted. */
    private static class FakeStore implements KeyValueStore<Bytes, byte[]> {
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
