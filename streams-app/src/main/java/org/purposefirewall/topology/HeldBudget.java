package org.purposefirewall.topology;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How much of the heap the records set aside in one instance may take, every task and stream thread together.
 *
 * <p>Why a budget beside {@code processing.max-held-records}: that bound is per processor and task, and tasks gather
 * on the instances that stay up. In the failure campaign, after a run of kills one instance held 432,000 waiting
 * records (about 430 MB) in a 512 MB heap: it spent 25 to 60 s of every minute in full garbage collections, so its
 * tasks applied side records at a few per second, which held every partition's data records, and then died with
 * {@code OutOfMemoryError} (which its restart, restoring the same records, could repeat).
 *
 * <p>Two tiers. While less than {@linkplain #keepsInMemory half} the budget is used, a waiting record is kept on the
 * heap, decoded, at its {@linkplain #cost(int) full cost}; past half, it is spilled: it stays in the set-aside store
 * and only its place in the queue, {@value #SPILLED_COST} bytes, stays on the heap. So the budget admits a backlog
 * of millions of records, and the heap it takes is bounded either way. Past the whole budget, a record is decided
 * at once as past the bound (fail closed: a record that would wait for side records is suppressed as
 * {@code SIDE_RECORDS_PENDING}), and the instance keeps working.
 *
 * <p>What a record costs is estimated, not measured. Thread-safe.
 */
final class HeldBudget {

    /**
     * The heap a waiting record kept in memory takes beyond its stored frame: the frame is held three times (the
     * entry's frame, the envelope's copy of the value, and its chunk in the store cache until a commit flushes it;
     * three dates from the in-memory store, whose chunks stayed on the heap, and is kept as the conservative side),
     * plus the decoded record, the entry and the envelope's objects. From the campaign's heap histogram: about 1 KB
     * per waiting contact point of 200 bytes.
     */
    static final int FIXED_COST = 640;
    /**
     * The heap a spilled record takes: its entry (read time, deadline, frame length and place, cost; for a consent
     * wait a short key), and its slot in its chunk.
     */
    static final int SPILLED_COST = 128;
    private static final int FRAME_COPIES = 3;

    private final long limitBytes;
    private final long inMemoryBytes;
    private final AtomicLong used = new AtomicLong();

    /** A budget of {@code limitBytes} that keeps records in memory while they take at most half of it. */
    HeldBudget(long limitBytes) {
        this(limitBytes, limitBytes / 2);
    }

    /**
     * @param inMemoryBytes records are kept in memory while the records held take at most this much; past it they
     *     are spilled (0: every record is spilled, as tests of spilling want)
     */
    HeldBudget(long limitBytes, long inMemoryBytes) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("the held-record budget must be positive, got " + limitBytes);
        }
        if (inMemoryBytes < 0 || inMemoryBytes > limitBytes) {
            throw new IllegalArgumentException("the in-memory share of the held-record budget must be between 0 and "
                    + limitBytes + ", got " + inMemoryBytes);
        }
        this.limitBytes = limitBytes;
        this.inMemoryBytes = inMemoryBytes;
    }

    /** {@code percent} of this JVM's maximum heap, half of it in memory. */
    static HeldBudget ofHeapPercent(int percent) {
        return new HeldBudget(Math.max(1L, Runtime.getRuntime().maxMemory() / 100L * percent));
    }

    /** The estimated heap of one waiting record whose stored frame is {@code framedBytes} long. */
    static long cost(int framedBytes) {
        return (long) FRAME_COPIES * framedBytes + FIXED_COST;
    }

    /** True while the records held take less than the budget. */
    boolean hasRoom() {
        return used.get() < limitBytes;
    }

    /**
     * True if a record of heap {@code cost} may be kept in memory: the records held would take at most the in-memory
     * share (half, as shipped).
     */
    boolean keepsInMemory(long cost) {
        return used.get() + cost <= inMemoryBytes;
    }

    void take(long bytes) {
        used.addAndGet(bytes);
    }

    void give(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }

    long limit() {
        return limitBytes;
    }
}
