package org.purposefirewall.identity;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded, lock-free cache of phone-number results, in front of libphonenumber, which costs about 90% of
 * normalizing a raw phone number (measured by the JMH benchmark, see the README). Direct-mapped: each key has one
 * slot, a colliding key replaces it, so a lookup is one array read and a miss costs one write; there is no eviction
 * bookkeeping and no lock between stream threads.
 *
 * <p>Keys are the digits (with their region) as the normalizer passes them to libphonenumber, values the finished
 * result (match keys, or the typed error), so a hit skips parsing and hashing. Results are immutable and depend only
 * on the key and the normalizer's options, so a hit can never differ from a miss. Entries hold phone numbers:
 * they live only in this heap, are never logged, written or sent anywhere.
 */
final class ParseCache {

    private record Entry(String key, Normalization result) {
    }

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;

    /** A cache of {@code entries} slots, rounded up to a power of two; 0 for none. */
    ParseCache(int entries) {
        int size = entries <= 0 ? 0 : Integer.highestOneBit(Math.max(1, entries - 1)) << 1;
        if (entries == 1) {
            size = 1;
        }
        this.slots = size == 0 ? null : new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    /** The cached result for {@code key}, or null. */
    Normalization get(String key) {
        if (slots == null) {
            return null;
        }
        Entry entry = slots.get(index(key));
        return entry != null && entry.key().equals(key) ? entry.result() : null;
    }

    void put(String key, Normalization result) {
        if (slots != null) {
            slots.lazySet(index(key), new Entry(key, result));
        }
    }

    /** Number of slots. */
    int capacity() {
        return slots == null ? 0 : slots.length();
    }

    private int index(String key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }
}
