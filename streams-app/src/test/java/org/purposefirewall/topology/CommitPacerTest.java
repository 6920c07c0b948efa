package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * A stream thread commits every commit-interval-ms while commits are quick, and every two commit rounds (up to
 * commit-interval-max-ms) while they are slow; an idle task asks for nothing.
 */
class CommitPacerTest {

    private static final Duration FLOOR = Duration.ofMillis(50);
    private static final Duration CEILING = Duration.ofMillis(1000);

    private final AtomicLong clock = new AtomicLong(1_000_000L);
    private final MockProcessorContext<String, String> context = new MockProcessorContext<>();
    private final List<String> processed = new ArrayList<>();

    @Test
    void shouldMakeTheIntervalTwoCommitRoundsBetweenTheFloorAndTheCeiling() {
        assertThat(CommitPacer.interval(5.0, 50, 1000)).isEqualTo(50);
        assertThat(CommitPacer.interval(25.0, 50, 1000)).isEqualTo(50);
        assertThat(CommitPacer.interval(200.0, 50, 1000)).isEqualTo(400);
        assertThat(CommitPacer.interval(200.2, 50, 1000)).isEqualTo(401);
        assertThat(CommitPacer.interval(800.0, 50, 1000)).isEqualTo(1000);
        // A round not measured yet, or nonsense, keeps the floor: never a longer wait on a guess.
        assertThat(CommitPacer.interval(Double.NaN, 50, 1000)).isEqualTo(50);
        assertThat(CommitPacer.interval(Double.POSITIVE_INFINITY, 50, 1000)).isEqualTo(50);
        assertThat(CommitPacer.interval(0.0, 50, 1000)).isEqualTo(50);
        assertThat(CommitPacer.interval(-3.0, 50, 1000)).isEqualTo(50);
        // A fixed interval: floor and ceiling alike.
        assertThat(CommitPacer.interval(800.0, 200, 200)).isEqualTo(200);
    }

    @Test
    void shouldRefuseACeilingBelowTheFloor() {
        assertThatThrownBy(() -> CommitPacer.between(Duration.ofMillis(100), Duration.ofMillis(50)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CommitPacer.between(Duration.ZERO, Duration.ofMillis(50)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAskForACommitAtTheFloorWhileCommitsAreQuickAndLetAnIdleTaskAskForNothing() {
        Processor<String, String, String, String> paced = paced();

        // The first record: the thread has not asked for ages, so its task asks at once.
        process(paced, "a");
        assertThat(context.committed()).isTrue();
        assertThat(pending()).isEmpty();
        context.resetCommit();

        // 10 ms later: within the interval, no request; a check waits for the interval to pass.
        clock.addAndGet(10);
        process(paced, "b");
        assertThat(context.committed()).isFalse();
        assertThat(pending()).hasSize(1);
        CapturedPunctuator check = pending().get(0);
        assertThat(check.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        assertThat(check.getInterval()).isEqualTo(FLOOR);

        // 50 ms after the last request the check asks, and is cancelled: nothing is left to commit.
        clock.addAndGet(40);
        check.getPunctuator().punctuate(clock.get());
        assertThat(context.committed()).isTrue();
        assertThat(check.cancelled()).isTrue();
        context.resetCommit();

        // Idle: nothing scheduled, nothing asked, however long.
        clock.addAndGet(60_000);
        assertThat(pending()).isEmpty();
        assertThat(context.committed()).isFalse();
        assertThat(processed).containsExactly("a", "b");
    }

    @Test
    void shouldCommitEveryTwoCommitRoundsWhileCommitsAreSlowAndReturnToTheFloorWhenTheyAreQuickAgain() {
        // Kafka's counters of this thread: commits and polls so far.
        Sensor commits = threadCounter("commit-total");
        Sensor polls = threadCounter("poll-total");
        Processor<String, String, String, String> paced = paced();
        long start = clock.get();

        process(paced, "a");
        assertThat(context.committed()).isTrue();
        context.resetCommit();

        // Until the commit it asked for is seen, no second request, however long it takes.
        clock.addAndGet(100);
        process(paced, "b");
        assertThat(context.committed()).isFalse();

        // The thread commits, taking 200 ms, and goes on processing without a poll: a 200 ms round.
        commits.record(1);
        clock.addAndGet(200);
        process(paced, "c");
        assertThat(context.committed()).isFalse();
        assertThat(interval()).isEqualTo(400.0);

        // So the next request is 400 ms after the last, not 50.
        clock.set(start + 399);
        process(paced, "d");
        assertThat(context.committed()).isFalse();
        clock.set(start + 400);
        process(paced, "e");
        assertThat(context.committed()).isTrue();
        context.resetCommit();

        // A commit followed by a poll that waited 5 s for records is no round: the interval stays, and the first
        // record after the wait asks at once (the thread was idle far longer than the interval).
        commits.record(2);
        polls.record(7);
        clock.addAndGet(5_000);
        process(paced, "f");
        assertThat(interval()).isEqualTo(400.0);
        assertThat(context.committed()).isTrue();
        context.resetCommit();

        // A commit, then a poll, then a record 30 ms after the last: the round was at most 30 ms, which lowers the
        // estimate (a steady trickle of records, each fetched by a poll, is not held at a slow first commit's pace).
        commits.record(3);
        polls.record(8);
        clock.addAndGet(30);
        process(paced, "f2");
        assertThat((Double) interval()).isLessThan(400.0).isGreaterThan(50.0);
        context.resetCommit();

        // The brokers are quick again: 10 ms rounds bring the interval back to the floor within a few commits.
        for (int round = 4; round < 14; round++) {
            commits.record(round);
            clock.addAndGet(10);
            process(paced, "g");
            clock.addAndGet(400);
            process(paced, "h");
            assertThat(context.committed()).isTrue();
            context.resetCommit();
        }
        assertThat(interval()).isEqualTo(50.0);
        commits.record(14);
        clock.addAndGet(10);
        process(paced, "i");
        clock.addAndGet(40);
        process(paced, "j");
        assertThat(context.committed()).isTrue();
    }

    @Test
    void shouldPaceTheInnerProcessorsPunctuationsAsWorkAndKeepTheirTimeOutOfTheRound() {
        // An inner processor that decides in a check of its own, as the firewall's deciders release waiting records
        Sensor commits = threadCounter("commit-total");
        threadCounter("poll-total");
        List<Long> checks = new ArrayList<>();
        Processor<String, String, String, String> checking = new Processor<>() {
            @Override
            public void init(org.apache.kafka.streams.processor.api.ProcessorContext<String, String> context) {
                context.schedule(Duration.ofMillis(10), PunctuationType.WALL_CLOCK_TIME, checks::add);
            }

            @Override
            public void process(Record<String, String> record) {
                processed.add(record.value());
            }
        };
        Processor<String, String, String, String> paced = CommitPacer.between(FLOOR, CEILING, clock::get)
                .around(() -> checking).get();
        paced.init(context);
        CapturedPunctuator check = context.scheduledPunctuators().get(0);

        // A check that ran is work: its task asks for a commit (nothing else would commit what it decided)
        check.getPunctuator().punctuate(clock.get());
        assertThat(checks).hasSize(1);
        assertThat(context.committed()).isTrue();
        context.resetCommit();

        // A 300 ms check, then the commit (10 ms), then a record: the round is 10 ms, not 310
        clock.addAndGet(5);
        process(paced, "a");
        clock.addAndGet(300);
        check.getPunctuator().punctuate(clock.get());
        commits.record(1);
        clock.addAndGet(10);
        process(paced, "b");
        assertThat(interval()).isEqualTo(50.0);
    }

    @Test
    void shouldShareOneIntervalAmongTheTasksOfAThread() {
        // Two tasks on one thread: a request by either commits both (Kafka commits every task of the thread that
        // has something to commit), so the second does not ask again within the interval.
        MockProcessorContext<String, String> other = new MockProcessorContext<>();
        CommitPacer pacer = CommitPacer.between(FLOOR, CEILING, clock::get);
        Processor<String, String, String, String> first = pacer.around(this::recorder).get();
        Processor<String, String, String, String> second = pacer.around(this::recorder).get();
        first.init(context);
        second.init(other);

        first.process(new Record<>("k", "a", 0L));
        clock.addAndGet(5);
        second.process(new Record<>("k", "b", 0L));

        assertThat(context.committed()).isTrue();
        assertThat(other.committed()).isFalse();
        // The second task's record came after the request: its check asks once the interval has passed.
        assertThat(other.scheduledPunctuators()).hasSize(1);
        clock.addAndGet(45);
        other.scheduledPunctuators().get(0).getPunctuator().punctuate(clock.get());
        assertThat(other.committed()).isTrue();
    }

    private Processor<String, String, String, String> paced() {
        Processor<String, String, String, String> paced = CommitPacer.between(FLOOR, CEILING, clock::get)
                .around(this::recorder).get();
        paced.init(context);
        return paced;
    }

    private Processor<String, String, String, String> recorder() {
        return record -> processed.add(record.value());
    }

    private void process(Processor<String, String, String, String> paced, String value) {
        paced.process(new Record<>("k", value, 0L));
    }

    private List<CapturedPunctuator> pending() {
        return context.scheduledPunctuators().stream().filter(p -> !p.cancelled()).toList();
    }

    /** The interval the pacer says this thread keeps (its own gauge). */
    private Object interval() {
        return context.metrics().metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals(CommitPacer.PACING_METRICS)
                        && e.getKey().name().equals(CommitPacer.INTERVAL_METRIC)
                        && Thread.currentThread().getName().equals(e.getKey().tags().get("thread-id")))
                .map(e -> e.getValue().metricValue()).findFirst().orElse(null);
    }

    /** A counter as Kafka Streams registers it for the stream thread this test runs on, at 0. */
    private Sensor threadCounter(String name) {
        Sensor sensor = context.metrics().addSensor("test-" + name, Sensor.RecordingLevel.INFO);
        sensor.add(new MetricName(name, CommitPacer.THREAD_METRICS, "",
                Map.of("thread-id", Thread.currentThread().getName())), new Value());
        sensor.record(0);
        return sensor;
    }
}
