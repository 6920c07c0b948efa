package org.purposefirewall.topology;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedBytesStore;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;

/**
 * Persistent stores that keep their local state across an unclean stop, for use with Kafka's transactional state
 * stores ({@code enable.transactional.statestores}, KIP-892) only.
 *
 * <p>A transactional RocksDB store writes a commit's records and its changelog offsets in one batch. Kafka Streams
 * disables RocksDB's write-ahead log, so RocksDB would persist them together only at a memtable flush; these stores
 * turn the log on ({@link WriteAheadLog}), so a process crash keeps every batch written. Either way, after a kill -9
 * the store on disk is some earlier commit's state with that commit's offsets, or, where nothing reached the disk
 * since the store was created, no offsets and no committed data (at most records restored from the changelog
 * itself). Kafka
 * reads the second case right where it opens a task's stores (it restores that store from the changelog's start)
 * but not where a starting process first opens its state directory (Kafka 4.4.0's {@code StateDirectory} opens them
 * as if transactional stores were off, and under exactly-once takes a store without offsets for one holding
 * uncommitted writes): that wipes the whole task, and every store of it, even those whose flushed state needs only
 * their changelogs' tails. A store from here answers that case with Kafka's own "position unknown" offset, which
 * both paths read as "restore this store from its changelog's start", and passes everything else through.
 *
 * <p>They also make the store's {@code uncommitted-bytes} gauge safe to read from any thread. In Kafka 4.4.0 the
 * gauge reads the transaction buffer's native RocksDB write batch unguarded, while every commit closes that batch and
 * makes a new one and a close frees it: a metrics reader (the Prometheus binder, JMX) that lands in between reads
 * freed memory, and the JVM dies with SIGSEGV in {@code WriteBatch.getDataSize} (seen twice in the failure
 * campaign). Here a read waits for a commit or close in progress, and reads 0 once the store is closed.
 *
 * <p>Never use these without transactional stores: then a store without offsets may hold uncommitted writes, and
 * Kafka is right to wipe it.
 */
public final class PositionedStores {

    /** Kafka Streams' committed offset for a store whose changelog position is unknown (restore from the start). */
    static final long OFFSET_UNKNOWN = -4L;

    private PositionedStores() {
    }

    /** The key-value stores of {@code supplier}, each answering an unpersisted position as unknown. */
    public static KeyValueBytesStoreSupplier keyValue(KeyValueBytesStoreSupplier supplier) {
        Objects.requireNonNull(supplier, "supplier");
        WriteAheadLog.require();
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return supplier.name();
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new PositionedKeyValueStore<>(supplier.get());
            }

            @Override
            public String metricsScope() {
                return supplier.metricsScope();
            }
        };
    }

    /** The versioned stores of {@code supplier}, each answering an unpersisted position as unknown. */
    public static VersionedBytesStoreSupplier versioned(VersionedBytesStoreSupplier supplier) {
        WriteAheadLog.require();
        return ForwardingVersioned.decorating(supplier, PositionedVersionedStore::new);
    }

    /** A persisted offset, or {@link #OFFSET_UNKNOWN} where the store has none (see the class comment). */
    static Long committedOrUnknown(StateStore inner, TopicPartition partition) {
        Long offset = inner.committedOffset(partition);
        if (offset == null && inner.managesOffsets()) {
            return OFFSET_UNKNOWN;
        }
        return offset;
    }

    /**
     * A key-value bytes store passed through but for {@link #committedOffset} and for the uncommitted-bytes reads,
     * which never overlap a commit or close (see the class comment).
     */
    static class PositionedKeyValueStore<S extends KeyValueStore<Bytes, byte[]>> extends ForwardingStore<S> {

        /** Held by commits and closes (the stream thread) and by uncommitted-bytes reads (any thread). */
        private final Object batchLock = new Object();
        private boolean closed;

        PositionedKeyValueStore(S inner) {
            super(inner);
        }

        @Override
        public Long committedOffset(TopicPartition partition) {
            return committedOrUnknown(inner, partition);
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            synchronized (batchLock) {
                inner.init(context, root);
                // Before anything is restored or written: every batch from here on survives a process crash.
                WriteAheadLog.enable(inner);
                closed = false;
            }
        }

        @Override
        @SuppressWarnings("deprecation")
        public void flush() {
            synchronized (batchLock) {
                inner.flush();
            }
        }

        @Override
        public void commit(Map<TopicPartition, Long> changelogOffsets) {
            synchronized (batchLock) {
                inner.commit(changelogOffsets);
            }
        }

        @Override
        public long approximateNumUncommittedBytes() {
            synchronized (batchLock) {
                return closed ? 0L : inner.approximateNumUncommittedBytes();
            }
        }

        @Override
        public void close() {
            synchronized (batchLock) {
                closed = true;
                inner.close();
            }
        }
    }

    /** A versioned bytes store passed through but for {@link #committedOffset}. */
    static final class PositionedVersionedStore extends PositionedKeyValueStore<VersionedBytesStore>
            implements ForwardingVersioned {

        PositionedVersionedStore(VersionedBytesStore inner) {
            super(inner);
        }

        @Override
        public VersionedBytesStore versionedInner() {
            return inner;
        }

        @Override
        public VersionedBytesStore readOnly(IsolationLevel isolationLevel) {
            return inner.readOnly(isolationLevel);
        }
    }
}
