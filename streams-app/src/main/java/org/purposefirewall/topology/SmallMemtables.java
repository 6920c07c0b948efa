package org.purposefirewall.topology;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * RocksDB options for every persistent store: a memtable of {@code processing.store-write-buffer-bytes}
 * (Kafka Streams property {@value #WRITE_BUFFER_BYTES_CONFIG}) instead of Kafka's 16 MiB, everything else as Kafka
 * sets it.
 *
 * <p>Why: Kafka Streams disables RocksDB's write-ahead log, so what a store holds only in its memtables is lost to a
 * kill -9 and read again from the changelog at restart. With transactional stores ({@link PositionedStores}) that
 * loss is all a restart restores, and the memtable size bounds it: a store flushes each time it has taken about that
 * many bytes of writes, so a restart reads at most about that much of each changelog's tail instead of up to 16 MiB
 * of it (the whole state of a partition of a million users). The cost is more, smaller flushes and compactions in
 * the background.
 *
 * <p>Kafka instantiates it by class name ({@code rocksdb.config.setter}) per store; it keeps no state.
 */
public final class SmallMemtables implements RocksDBConfigSetter {

    /** The Kafka Streams property carrying the memtable size in bytes (a property of the firewall's own). */
    public static final String WRITE_BUFFER_BYTES_CONFIG = "purposefirewall.store.write.buffer.bytes";

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object bytes = configs.get(WRITE_BUFFER_BYTES_CONFIG);
        if (bytes == null) {
            throw new IllegalStateException(WRITE_BUFFER_BYTES_CONFIG + " is not set for store " + storeName);
        }
        options.setWriteBufferSize(Long.parseLong(bytes.toString()));
    }

    @Override
    public void close(String storeName, Options options) {
        // Nothing was allocated.
    }
}
