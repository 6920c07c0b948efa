package org.purposefirewall.topology;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

/**
 * The way from a Kafka 4.4.0 versioned bytes store to its RocksDB internals: the adapter's
 * {@code RocksDBVersionedStore}, its segments, and the one {@code RocksDBStore} every segment lives in. Found once;
 * {@code problem} says what is missing on a Kafka Streams that lays them out otherwise, and every way in fails then.
 * {@link ReopenedHistory} lists the segments through it and {@link WriteAheadLog} reaches the physical store.
 */
record VersionedStoreInternals(Class<?> adapter, MethodHandle adapterInner, MethodHandle segmentStores,
                               MethodHandle physicalStore, String problem) {

    private static final String PACKAGE = "org.apache.kafka.streams.state.internals.";

    static final VersionedStoreInternals FOUND = find();

    private static VersionedStoreInternals find() {
        try {
            Class<?> adapter = Class.forName(PACKAGE + "VersionedKeyValueToBytesStoreAdapter");
            Class<?> versioned = Class.forName(PACKAGE + "RocksDBVersionedStore");
            Class<?> segments = Class.forName(PACKAGE + "LogicalKeyValueSegments");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            var inner = adapter.getDeclaredField("inner");
            inner.setAccessible(true);
            var segmentStores = versioned.getDeclaredField("segmentStores");
            segmentStores.setAccessible(true);
            var physical = segments.getDeclaredMethod("physicalStore");
            physical.setAccessible(true);
            return new VersionedStoreInternals(adapter, lookup.unreflectGetter(inner),
                    lookup.unreflectGetter(segmentStores), lookup.unreflect(physical), null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new VersionedStoreInternals(null, null, null, null, e.toString());
        }
    }

    /** True if {@code store} is Kafka's adapter around a RocksDB versioned store. */
    boolean isAdapter(Object store) {
        return adapter != null && adapter.isInstance(store);
    }

    /** The {@code LogicalKeyValueSegments} of the versioned store inside {@code adapterStore}. */
    Object segments(Object adapterStore) throws Throwable {
        return segmentStores.invoke(adapterInner.invoke(adapterStore));
    }

    /** The {@code RocksDBStore} that holds every segment of {@code segments}. */
    Object physicalStore(Object segments) throws Throwable {
        return physicalStore.invoke(segments);
    }
}
