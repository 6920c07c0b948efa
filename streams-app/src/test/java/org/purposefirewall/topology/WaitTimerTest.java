package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.junit.jupiter.api.Test;

/**
 * The check runs only while something waits: Kafka marks a task as needing a commit at every punctuation, so a
 * check that ran on an idle task made its thread commit a transaction every commit interval.
 */
class WaitTimerTest {

    private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger checks = new AtomicInteger();
    private final WaitTimer timer = new WaitTimer(context, Duration.ofMillis(10), () -> waiting.get() > 0, () -> {
        checks.incrementAndGet();
        // The check releases one waiting record each time it runs.
        waiting.decrementAndGet();
    });

    @Test
    void shouldScheduleNothingWhileNothingWaits() {
        timer.update();
        timer.update();

        assertThat(context.scheduledPunctuators()).isEmpty();
        assertThat(timer.scheduled()).isFalse();
    }

    @Test
    void shouldScheduleOneWallClockCheckOnceSomethingWaitsAndCancelItWhenTheCheckHasReleasedEverything() {
        // Given two records waiting
        waiting.set(2);
        timer.update();
        timer.update();

        // Then one check, every 10 ms of wall-clock time
        assertThat(context.scheduledPunctuators()).hasSize(1);
        CapturedPunctuator check = context.scheduledPunctuators().get(0);
        assertThat(check.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        assertThat(check.getInterval()).isEqualTo(Duration.ofMillis(10));

        // When it runs and releases the first: it stays
        check.getPunctuator().punctuate(10L);
        assertThat(checks).hasValue(1);
        assertThat(check.cancelled()).isFalse();

        // When it runs and releases the last: it is cancelled
        check.getPunctuator().punctuate(20L);
        assertThat(checks).hasValue(2);
        assertThat(check.cancelled()).isTrue();
        assertThat(timer.scheduled()).isFalse();
    }

    @Test
    void shouldCancelWhenTheOwnerReleasedEverythingAndScheduleAgainForTheNextWait() {
        waiting.set(1);
        timer.update();
        CapturedPunctuator first = context.scheduledPunctuators().get(0);

        // The owner released the record itself (a record processed after it let it through)
        waiting.set(0);
        timer.update();
        assertThat(first.cancelled()).isTrue();

        waiting.set(1);
        timer.update();
        assertThat(context.scheduledPunctuators()).hasSize(2);
        assertThat(context.scheduledPunctuators().get(1).cancelled()).isFalse();
        assertThat(timer.scheduled()).isTrue();
    }
}
