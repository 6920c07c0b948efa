package org.purposefirewall.topology;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import org.apache.kafka.streams.processor.StateStore;
import org.rocksdb.WriteOptions;

/**
 * RocksDB's write-ahead log, turned on for the stores that keep their state across an unclean stop (transactional
 * state stores, {@link PositionedStores}).
 *
 * <p>Kafka 4.4.0 writes to RocksDB with the write-ahead log disabled ({@code RocksDBStore} opens its database and
 * then sets {@code disableWAL} on the one {@code WriteOptions} every write of that store uses). A transactional store
 * writes each commit as one batch with the changelog offsets it reaches, so without the log a kill -9 loses every
 * batch still in the memtables (up to {@code processing.store-write-buffer-bytes} a store), and the restart reads
 * that tail again from the changelogs: most of what a restart with transactional stores restores. With the log, each
 * batch is appended to a file in the store's directory as it is written (an ordinary write, not an fsync): a process
 * that dies leaves it in the page cache, RocksDB replays it when it opens the store, and the store's offsets are
 * those of the last commit, so the restart reads only what was committed after it. A crash of the machine can lose
 * the log's tail, which is the state without it: the batch and its offsets are replayed together or not at all, and
 * what is missing comes from the changelogs as before.
 *
 * <p>The log adds no state Kafka does not already handle: a memtable flush could have persisted any batch at the
 * same moment. Stores without transactional stores keep Kafka's setting: there, under exactly-once, an unclean stop
 * wipes the state anyway.
 *
 * <p>This reaches into Kafka's internals (the store's {@code wOptions}, the versioned store's physical store), which
 * only Kafka 4.4.0 is known to lay out so; building the topology fails at once, naming what is missing, where they
 * are not there. {@code WriteAheadLogTest} shows a crash image losing the last commits without it and keeping them
 * with it.
 */
final class WriteAheadLog {

    private static final Internals INTERNALS = Internals.find();

    private WriteAheadLog() {
    }

    /** Fails, naming what is missing, where this Kafka Streams does not lay out its RocksDB stores as 4.4.0 does. */
    static void require() {
        INTERNALS.require();
    }

    /**
     * Turns the log on for the RocksDB database under {@code store} (once it is open), whatever decorators of this
     * package or Kafka's versioned-store adapter wrap it. A store with no RocksDB under it (an in-memory one) is left
     * as it is.
     */
    static void enable(StateStore store) {
        INTERNALS.require();
        Object current = store;
        try {
            while (current != null) {
                if (current instanceof ForwardingStore<?> forwarding) {
                    current = forwarding.inner;
                } else if (INTERNALS.rocksDbStore.isInstance(current)) {
                    WriteOptions options = (WriteOptions) INTERNALS.writeOptions.invoke(current);
                    if (options != null) {
                        options.setDisableWAL(false);
                    }
                    return;
                } else if (INTERNALS.versioned.isAdapter(current)) {
                    current = INTERNALS.versioned.physicalStore(INTERNALS.versioned.segments(current));
                } else {
                    return;
                }
            }
        } catch (Throwable e) {
            throw new IllegalStateException("could not turn on the write-ahead log of store " + store.name()
                    + " (" + current.getClass().getName() + ")", e);
        }
    }

    /** Handles on the Kafka 4.4.0 internals this needs, found once; {@code problem} says what is missing. */
    private record Internals(VersionedStoreInternals versioned, Class<?> rocksDbStore, MethodHandle writeOptions,
                             String problem) {

        static Internals find() {
            VersionedStoreInternals versioned = VersionedStoreInternals.FOUND;
            if (versioned.problem() != null) {
                return new Internals(versioned, null, null, versioned.problem());
            }
            try {
                Class<?> rocksDbStore = Class.forName("org.apache.kafka.streams.state.internals.RocksDBStore");
                var options = rocksDbStore.getDeclaredField("wOptions");
                options.setAccessible(true);
                if (options.getType() != WriteOptions.class) {
                    throw new NoSuchFieldException("RocksDBStore.wOptions is a " + options.getType().getName());
                }
                return new Internals(versioned, rocksDbStore, MethodHandles.lookup().unreflectGetter(options), null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return new Internals(versioned, null, null, e.toString());
            }
        }

        void require() {
            if (problem != null) {
                throw new IllegalStateException("this Kafka Streams does not lay out its RocksDB stores as Kafka "
                        + "4.4.0 does, and transactional state stores could not keep their write-ahead log: "
                        + problem);
            }
        }
    }
}
