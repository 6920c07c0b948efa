package org.purposefirewall.topology;

import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedBytesStore;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;

/**
 * The versioned calls of a store decorator, passed to {@link #versionedInner()}; a {@link ForwardingStore} of a
 * versioned store implements this to stay one (Kafka's versioned store builder refuses anything else). Only
 * {@code readOnly} is left to the class: {@link ForwardingStore}'s, with the key-value return type, would win.
 */
interface ForwardingVersioned extends VersionedBytesStore {

    /** The store decorated. */
    VersionedBytesStore versionedInner();

    @Override
    default long put(Bytes key, byte[] value, long timestamp) {
        return versionedInner().put(key, value, timestamp);
    }

    @Override
    default byte[] get(Bytes key, long asOfTimestamp) {
        return versionedInner().get(key, asOfTimestamp);
    }

    @Override
    default byte[] delete(Bytes key, long timestamp) {
        return versionedInner().delete(key, timestamp);
    }

    /** {@code supplier} with each store it gives passed through {@code decorate}. */
    static VersionedBytesStoreSupplier decorating(VersionedBytesStoreSupplier supplier,
                                                  UnaryOperator<VersionedBytesStore> decorate) {
        Objects.requireNonNull(supplier, "supplier");
        Objects.requireNonNull(decorate, "decorate");
        return new VersionedBytesStoreSupplier() {
            @Override
            public long historyRetentionMs() {
                return supplier.historyRetentionMs();
            }

            @Override
            public String name() {
                return supplier.name();
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                KeyValueStore<Bytes, byte[]> store = supplier.get();
                if (!(store instanceof VersionedBytesStore versioned)) {
                    throw new IllegalStateException("a versioned store supplier gave " + store.getClass().getName());
                }
                return decorate.apply(versioned);
            }

            @Override
            public String metricsScope() {
                return supplier.metricsScope();
            }
        };
    }
}
