package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import ch.qos.logback.classic.Level;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The barrier's two stages, from offsets the brokers would report. */
class BrokerSideRecordBarrierTest {

    private static final TopicPartition CONSENT_0 = new TopicPartition("consent", 0);
    private static final TopicPartition CONSENT_1 = new TopicPartition("consent", 1);
    private static final TopicPartition HOME_0 = new TopicPartition("app-side-records-repartition", 0);
    private static final TopicPartition HOME_1 = new TopicPartition("app-side-records-repartition", 1);

    /** Offsets a test sets; every read sees the current values. */
    private static final class FakeBrokers implements BrokerSideRecordBarrier.Offsets {
        final Map<TopicPartition, Long> ends = new HashMap<>();
        final Map<TopicPartition, Long> starts = new HashMap<>();
        final Map<TopicPartition, Long> committed = new HashMap<>();
        final List<BrokerSideRecordBarrier.OpenTransaction> transactions = new ArrayList<>();
        boolean down;
        boolean homeCreated = true;
        boolean transactionsHidden;

        @Override
        public Map<TopicPartition, Long> ends(List<TopicPartition> partitions) {
            check();
            Map<TopicPartition, Long> out = new HashMap<>();
            partitions.forEach(tp -> out.put(tp, ends.getOrDefault(tp, 0L)));
            return out;
        }

        @Override
        public Map<TopicPartition, Long> highWatermarks(List<TopicPartition> partitions) {
            return ends(partitions);
        }

        @Override
        public Map<TopicPartition, Long> starts(List<TopicPartition> partitions) {
            check();
            Map<TopicPartition, Long> out = new HashMap<>();
            partitions.forEach(tp -> out.put(tp, starts.getOrDefault(tp, 0L)));
            return out;
        }

        @Override
        public Map<TopicPartition, Long> committed() {
            check();
            return new HashMap<>(committed);
        }

        private void check() {
            if (down) {
                throw new IllegalStateException("brokers unreachable");
            }
        }

        @Override
        public boolean exists(String topic) {
            check();
            return homeCreated;
        }

        @Override
        public List<BrokerSideRecordBarrier.OpenTransaction> openTransactions(String topic) {
            check();
            if (transactionsHidden) {
                throw new SecurityException("not authorized to describe transactional ids");
            }
            assertThat(topic).isEqualTo(HOME_0.topic());
            return List.copyOf(transactions);
        }

        @Override
        public void close() {
        }
    }

    private final FakeBrokers brokers = new FakeBrokers();
    @RegisterExtension
    final LogCapture captured = new LogCapture(BrokerSideRecordBarrier.class, Level.WARN);
    private final AtomicLong clock = new AtomicLong(1_000);
    private final BrokerSideRecordBarrier barrier = new BrokerSideRecordBarrier(brokers, List.of("consent"),
            "app-side-records-repartition", 2, Duration.ofMillis(50), clock::get, () -> "none");

    @Test
    void shouldSettleATimeOnlyOnceTheIntakeAndThenTheHomeTaskCommittedPastWhatWasOnTheBrokersThen()
            throws Exception {
        // Given side records on both consent partitions, none re-homed yet
        brokers.ends.put(CONSENT_0, 10L);
        brokers.ends.put(CONSENT_1, 4L);
        barrier.pollOnce();
        assertThat(barrier.settledThrough(0)).isZero();

        // When the intake has committed past them, and their copies end at offset 7 (home 0) and 3 (home 1)
        clock.set(2_000);
        brokers.committed.put(CONSENT_0, 10L);
        brokers.committed.put(CONSENT_1, 4L);
        brokers.ends.put(HOME_0, 7L);
        brokers.ends.put(HOME_1, 3L);
        barrier.pollOnce();
        // Then nothing is settled until the home tasks have committed past the copies
        assertThat(barrier.settledThrough(0)).isZero();
        assertThat(barrier.settledThrough(1)).isZero();

        clock.set(3_000);
        brokers.committed.put(HOME_0, 7L);
        barrier.pollOnce();
        // Home 0 has applied everything committed before this round began (its committed offset, read before the
        // copies' end offsets, already covers them); home 1 has not
        assertThat(barrier.settledThrough(0)).isEqualTo(3_000L);
        assertThat(barrier.settledThrough(1)).isZero();

        clock.set(4_000);
        brokers.committed.put(HOME_1, 3L);
        barrier.pollOnce();
        assertThat(barrier.settledThrough(1)).isEqualTo(4_000L);
        assertThat(barrier.settledThrough(0)).isEqualTo(4_000L);

        // A new side record makes later rounds wait again until it is re-homed and applied
        clock.set(5_000);
        brokers.ends.put(CONSENT_1, 5L);
        barrier.pollOnce();
        assertThat(barrier.settledThrough(1)).isEqualTo(4_000L);
    }

    @Test
    void shouldWarnOfALateApplyWithWhatHoldsItAndWhereThisInstancesThreadsSpendTheirTime() throws Exception {
        List<List<Integer>> asked = new ArrayList<>();
        BrokerSideRecordBarrier told = new BrokerSideRecordBarrier(brokers, List.of("consent"),
                "app-side-records-repartition", 2, Duration.ofMillis(50), clock::get,
                () -> "StreamThread-1 process 0.08 punctuate 0.02 commit 0.85 poll 0.05", behind -> {
                    asked.add(behind);
                    return "0 restoring 2 stores; 1 not here";
                });
        BrokerSideRecordBarrier unreadable = new BrokerSideRecordBarrier(brokers, List.of("consent"),
                "app-side-records-repartition", 2, Duration.ofMillis(50), clock::get, () -> {
                    throw new IllegalStateException("metrics closed");
                }, behind -> {
                    throw new IllegalStateException("streams not started");
                });
        // Given both home partitions settled at 100 s, then a side record the intake has not re-homed
        clock.set(100_000);
        told.pollOnce();
        unreadable.pollOnce();
        assertThat(told.settledThrough(0)).isEqualTo(100_000L);
        brokers.ends.put(CONSENT_0, 10L);
        told.pollOnce();
        unreadable.pollOnce();

        // While they have not settled further for 9.999 s: no warning yet
        clock.addAndGet(9_999);
        told.warnIfBehind();
        assertThat(captured.events()).isEmpty();

        // When 10 s have passed
        clock.addAndGet(1);
        told.warnIfBehind();
        told.warnIfBehind();
        unreadable.warnIfBehind();

        // Then one warning each (the second call is within 30 s of the first), with the threads' activity, or
        // why it could not be read, and the barrier carries on
        assertThat(captured.events()).hasSize(2);
        Map<String, String> first = LogCapture.fields(captured.events().get(0));
        assertThat(first).containsEntry("lagMs", "10000").containsEntry("partitions", "[0, 1]")
                .containsEntry("threads", "StreamThread-1 process 0.08 punctuate 0.02 commit 0.85 poll 0.05");
        assertThat(first.get("heldBy")).startsWith("intake consent-0 0<10");
        assertThat(first).containsEntry("tasks", "0 restoring 2 stores; 1 not here");
        assertThat(asked).as("asked about the partitions behind, once").containsExactly(List.of(0, 1));
        assertThat(LogCapture.fields(captured.events().get(1))).containsEntry("threads", "unknown (IllegalStateException)")
                .containsEntry("tasks", "unknown (IllegalStateException)");
    }

    @Test
    void shouldTellTheOldestTransactionsOpenOnTheSideRecordsTopicWithTheLagWarning() throws Exception {
        assertThat(barrier.openTransactions(1_000)).isEqualTo("none");

        // Given five open transactions on the side-records topic, one whose start the coordinator did not say
        brokers.transactions.add(new BrokerSideRecordBarrier.OpenTransaction("app-b-1", 60_000, 10_000,
                List.of(0, 1)));
        brokers.transactions.add(new BrokerSideRecordBarrier.OpenTransaction("app-a-1", 25_800, 10_000,
                List.of(1)));
        brokers.transactions.add(new BrokerSideRecordBarrier.OpenTransaction("app-c-1", -1, 10_000,
                List.of(0)));
        brokers.transactions.add(new BrokerSideRecordBarrier.OpenTransaction("app-d-1", 59_950, 10_000,
                List.of(0)));
        brokers.transactions.add(new BrokerSideRecordBarrier.OpenTransaction("app-e-1", 59_990, 10_000,
                List.of(1)));

        // Then the three oldest are told with their age, timeout and partitions, and how many more there are
        assertThat(barrier.openTransactions(60_000)).isEqualTo(
                "app-a-1 34.2 s (timeout 10 s) on [1]; app-d-1 0.1 s (timeout 10 s) on [0]; "
                        + "app-e-1 0.0 s (timeout 10 s) on [1]; 2 more");

        // And in the lag warning
        clock.set(100_000);
        barrier.pollOnce();
        brokers.ends.put(CONSENT_0, 10L);
        barrier.pollOnce();
        clock.addAndGet(10_000);
        barrier.warnIfBehind();
        assertThat(captured.events()).hasSize(1);
        assertThat(LogCapture.fields(captured.events().get(0)).get("openTransactions")).startsWith("app-a-1 84.2 s");

        // A principal that may not describe transactions gets the reason, not a stopped barrier
        brokers.transactionsHidden = true;
        assertThat(barrier.openTransactions(60_000)).isEqualTo("unknown (SecurityException)");
    }


    @Test
    void shouldSayWhichStepHoldsItWithTheOffsetGaps() throws Exception {
        assertThat(barrier.holdUp()).as("before the first answer").isEqualTo("brokers");

        // The intake of consent-1 is behind: nothing routed
        brokers.ends.put(CONSENT_0, 10L);
        brokers.ends.put(CONSENT_1, 4L);
        brokers.committed.put(CONSENT_0, 10L);
        brokers.committed.put(CONSENT_1, 1L);
        barrier.pollOnce();
        assertThat(barrier.holdUp()).isEqualTo("intake consent-1 1<4");

        // Routed, the copies end at 7 and 3, and home 1's deciding task is behind
        brokers.committed.put(CONSENT_1, 4L);
        brokers.ends.put(HOME_0, 7L);
        brokers.ends.put(HOME_1, 3L);
        brokers.committed.put(HOME_0, 7L);
        clock.set(2_000);
        barrier.pollOnce();
        assertThat(barrier.holdUp()).isEqualTo("apply app-side-records-repartition-1 0<3");

        brokers.committed.put(HOME_1, 3L);
        clock.set(3_000);
        barrier.pollOnce();
        assertThat(barrier.holdUp()).isEqualTo("none");
    }

    @Test
    void shouldSettleNothingUntilKafkaStreamsHasCreatedTheInternalTopic() throws Exception {
        brokers.homeCreated = false;
        barrier.pollOnce();
        clock.set(2_000);
        barrier.pollOnce();
        assertThat(barrier.settledThrough(0)).isZero();
        brokers.homeCreated = true;
        clock.set(3_000);
        barrier.pollOnce();
        assertThat(barrier.settledThrough(0)).isEqualTo(3_000L);
    }

    @Test
    void shouldNeverSettleATimeWhoseSideRecordsTheIntakeHasNotCommitted() throws Exception {
        brokers.ends.put(CONSENT_0, 5L);
        brokers.committed.put(CONSENT_0, 4L);
        for (int i = 0; i < 20; i++) {
            clock.addAndGet(100);
            barrier.pollOnce();
        }
        assertThat(barrier.settledThrough(0)).isZero();
        assertThat(barrier.settledThrough(1)).isZero();
        // Lag counts from when polling began (never started here: time 0), never from the epoch
        assertThat(barrier.lagMs()).isEqualTo(clock.get());
        BrokerSideRecordBarrier started = new BrokerSideRecordBarrier(brokers, List.of("consent"),
                "app-side-records-repartition", 2, Duration.ofMillis(50), clock::get, () -> "none");
        started.start();
        try {
            clock.addAndGet(1_000);
            assertThat(started.lagMs()).isBetween(1_000L, 1_100L);
        } finally {
            started.close();
        }
    }

    @Test
    void shouldCountASidePartitionEmptiedByRetentionAsReachedThoughNothingWasEverCommittedForIt()
            throws Exception {
        brokers.ends.put(CONSENT_0, 50L);
        brokers.starts.put(CONSENT_0, 50L);
        barrier.pollOnce();
        assertThat(barrier.settledThrough(0)).isEqualTo(1_000L);
        brokers.starts.put(CONSENT_0, 49L);
        brokers.ends.put(CONSENT_0, 51L);
        clock.set(2_000);
        barrier.pollOnce();
        assertThat(barrier.settledThrough(0)).as("a record arrived that nobody re-homed").isEqualTo(1_000L);
    }

    @Test
    void shouldHoldStillWhileTheBrokersCannotBeRead() throws Exception {
        barrier.pollOnce();
        clock.set(2_000);
        barrier.pollOnce();
        long settled = barrier.settledThrough(0);
        assertThat(settled).isEqualTo(2_000L);
        brokers.down = true;
        clock.set(9_000);
        assertThatThrownBy(barrier::pollOnce).isInstanceOf(IllegalStateException.class);
        assertThat(barrier.settledThrough(0)).isEqualTo(settled);
        assertThat(barrier.settledThrough(7)).as("a partition it does not know").isZero();
    }
}
