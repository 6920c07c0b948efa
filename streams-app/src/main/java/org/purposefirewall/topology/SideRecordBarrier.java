package org.purposefirewall.topology;

/**
 * How far side records (consent, registrations, withdrawals) have been applied, per home partition: the deciders
 * ask it before deciding a data record, and hold the record until it has caught up.
 *
 * <p>Contract: {@code settledThrough(p)} is a wall-clock time T (this instance's clock, never decreasing) such that
 * every side record committed to its input topic before T, on any partition, has been applied by the task of home
 * partition {@code p}. Implementations are read from stream threads and must be thread-safe and non-blocking; the
 * one that runs against brokers is in the {@code app} package ({@code BrokerSideRecordBarrier}).
 */
public interface SideRecordBarrier {

    /**
     * The barrier's clock, read now: the read time of the record in hand. It must be read fresh, after the record
     * was fetched; Kafka Streams' cached {@code currentSystemTimeMs()} can be older than the fetch that returned the
     * record, and a side record committed in between would then count as later than the data record.
     */
    long now();

    /** The time through which side records of home partition {@code partition} are applied; see the contract. */
    long settledThrough(int partition);

    /**
     * For {@code TopologyTestDriver}, which processes each piped record, and the copy it re-homes, before the next
     * is piped: every side record piped so far is already applied.
     */
    SideRecordBarrier SYNCHRONOUS = new SideRecordBarrier() {
        @Override
        public long now() {
            return 0L;
        }

        @Override
        public long settledThrough(int partition) {
            return Long.MAX_VALUE;
        }
    };
}
