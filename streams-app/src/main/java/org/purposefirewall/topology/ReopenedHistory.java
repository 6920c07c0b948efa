package org.purposefirewall.topology;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.stream.LongStream;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.VersionedBytesStore;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;

/**
 * Kafka's RocksDB versioned stores, made to see their whole history again when they open state they kept.
 *
 * <p>Kafka 4.4.0's RocksDB versioned store keeps each key's latest version in one reserved segment and its older
 * versions in segments of event time, all in one RocksDB database under an 8-byte segment-id key prefix. It finds a
 * key's older versions only through the segments it has in memory, and it puts a segment there only when a write
 * lands in it: on opening an existing database ({@code LogicalKeyValueSegments.openExisting}) it has none. So a store
 * that opens state it kept (a clean restart or a task moving back, whose checkpoint spares the state, and every
 * restart with transactional stores) answers every {@code get(key, asOf)} older than the key's latest version with
 * nothing, and a late write into an older time, not seeing the versions there, can write an older version over them,
 * until a write to each segment brings it back. For the consent store that reads as "no consent" where a user had it
 * (fail closed, but wrong), and a late consent change could be stored across a later one. It is what the failure
 * campaigns with transactional stores lost (a grant before a later change), and no campaign since has lost it.
 *
 * <p>A store from here opens its database as Kafka does, then finds every segment the database holds (one short seek
 * a segment, in key order) and puts it in Kafka's segment list, before Kafka restores anything into the store. Kafka
 * drops those past the history retention at its next write, as it does its own.
 *
 * <p>This reaches into Kafka's internals (the adapter's store, its segments, their physical store), which only Kafka
 * 4.4.0 is known to lay out so: building the topology fails at once, naming what is missing, where they are not
 * there. {@code ReopenedHistoryTest} shows the loss on Kafka's own store and its end here.
 */
public final class ReopenedHistory {

    /** Kafka's key prefix of a segment: its id, 8 bytes big-endian. Ids of ordinary segments are 0 or more. */
    private static final int PREFIX_BYTES = Long.BYTES;
    private static final Bytes LAST_PREFIX = prefix(Long.MAX_VALUE);

    private static final Internals INTERNALS = Internals.find();

    private ReopenedHistory() {
    }

    /** The versioned stores of {@code supplier} (Kafka's RocksDB ones), each seeing its kept history on opening. */
    public static VersionedBytesStoreSupplier of(VersionedBytesStoreSupplier supplier) {
        INTERNALS.require();
        return ForwardingVersioned.decorating(supplier, Store::new);
    }

    /**
     * The segment ids a physical store holds keys under, in order (the reserved latest-value one excluded), read
     * through {@code range} (inclusive bounds): one seek a segment.
     */
    static long[] segmentIds(BiFunction<Bytes, Bytes, KeyValueIterator<Bytes, byte[]>> range) {
        LongStream.Builder ids = LongStream.builder();
        long next = 0;
        while (next >= 0) {
            try (KeyValueIterator<Bytes, byte[]> it = range.apply(prefix(next), LAST_PREFIX)) {
                if (!it.hasNext()) {
                    break;
                }
                long found = ByteBuffer.wrap(it.next().key.get(), 0, PREFIX_BYTES).getLong();
                ids.add(found);
                next = found + 1;
            }
        }
        return ids.build().toArray();
    }

    private static Bytes prefix(long segmentId) {
        return Bytes.wrap(ByteBuffer.allocate(PREFIX_BYTES).putLong(segmentId).array());
    }

    /** A versioned bytes store passed through but for {@link #init}, which finds its segments once it is open. */
    static final class Store extends ForwardingStore<VersionedBytesStore> implements ForwardingVersioned {

        Store(VersionedBytesStore inner) {
            super(inner);
        }

        @Override
        public VersionedBytesStore versionedInner() {
            return inner;
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            inner.init(context, root);
            INTERNALS.findSegments(inner, context);
        }

        @Override
        public VersionedBytesStore readOnly(IsolationLevel isolationLevel) {
            return inner.readOnly(isolationLevel);
        }
    }

    /**
     * Handles on the Kafka 4.4.0 internals this needs, found once; {@code problem} says what is missing, if anything.
     */
    private record Internals(VersionedStoreInternals versioned, MethodHandle physicalRange,
                             MethodHandle getOrCreateSegment, String problem) {

        private static final String PACKAGE = "org.apache.kafka.streams.state.internals.";

        static Internals find() {
            VersionedStoreInternals versioned = VersionedStoreInternals.FOUND;
            if (versioned.problem() != null) {
                return new Internals(versioned, null, null, versioned.problem());
            }
            try {
                Class<?> abstractSegments = Class.forName(PACKAGE + "AbstractSegments");
                Class<?> rocksDbStore = Class.forName(PACKAGE + "RocksDBStore");
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                // RocksDBStore's own range (a segment's way in): the public one refuses a store inside segments
                var range = rocksDbStore.getDeclaredMethod("range", Bytes.class, Bytes.class, Set.class);
                range.setAccessible(true);
                MethodHandle create = lookup.findVirtual(abstractSegments, "getOrCreateSegment",
                        MethodType.methodType(org.apache.kafka.streams.state.internals.Segment.class, long.class,
                                StateStoreContext.class));
                return new Internals(versioned, lookup.unreflect(range), create, null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return new Internals(versioned, null, null, e.toString());
            }
        }

        @SuppressWarnings("unchecked")
        private KeyValueIterator<Bytes, byte[]> rangeOf(Object physical, Bytes from, Bytes to,
                                                        Set<KeyValueIterator<Bytes, byte[]>> open) {
            try {
                return (KeyValueIterator<Bytes, byte[]>) physicalRange.invoke(physical, from, to, open);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        void require() {
            if (problem != null) {
                throw new IllegalStateException("this Kafka Streams does not lay out its RocksDB versioned store as "
                        + "Kafka 4.4.0 does, and its consent history would be lost on reopening: " + problem);
            }
        }

        /** Puts every segment {@code adapterStore}'s open database holds into Kafka's segment list. */
        void findSegments(VersionedBytesStore adapterStore, StateStoreContext context) {
            try {
                Object segments = versioned.segments(adapterStore);
                Object physical = versioned.physicalStore(segments);
                Set<KeyValueIterator<Bytes, byte[]>> open = ConcurrentHashMap.newKeySet();
                for (long id : segmentIds((from, to) -> rangeOf(physical, from, to, open))) {
                    getOrCreateSegment.invoke(segments, id, context);
                }
            } catch (Throwable e) {
                throw new IllegalStateException("could not find the segments of versioned store "
                        + adapterStore.name() + " (" + adapterStore.getClass().getName() + ")", e);
            }
        }
    }
}
