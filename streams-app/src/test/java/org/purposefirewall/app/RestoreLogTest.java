package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A restore is logged at its start and end with store, changelog partition, counts and duration, nothing more. */
class RestoreLogTest {

    private static final TopicPartition CHANGELOG = new TopicPartition("app-consent-store-changelog", 2);
    private final AtomicLong now = new AtomicLong(1_000);
    private final RestoreLog log = new RestoreLog(now::get);
    @RegisterExtension
    final LogCapture captured = new LogCapture(RestoreLog.class, Level.INFO);

    @Test
    void shouldLogTheRecordsToRestoreAndThenHowLongItTook() {
        log.onRestoreStart(CHANGELOG, "consent-store", 100, 250_100);
        log.onBatchRestored(CHANGELOG, "consent-store", 1_100, 1_000);
        now.addAndGet(3_250);
        log.onRestoreEnd(CHANGELOG, "consent-store", 250_000);

        assertThat(captured.events()).extracting(ILoggingEvent::getMessage)
                .containsExactly("restoring store from its changelog", "store restored");
        assertThat(LogCapture.fields(captured.events().get(0))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "store", "consent-store", "changelog", "app-consent-store-changelog-2", "records", "250000"));
        assertThat(LogCapture.fields(captured.events().get(1))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "store", "consent-store", "changelog", "app-consent-store-changelog-2", "records", "250000",
                "ms", "3250"));
    }

    @Test
    void shouldSayWhenARestoreIsCutShort() {
        log.onRestoreStart(CHANGELOG, "consent-store", 0, 10);
        now.addAndGet(40);
        log.onRestoreSuspended(CHANGELOG, "consent-store", 4);

        assertThat(captured.events().get(1).getMessage()).startsWith("store restore suspended");
        assertThat(LogCapture.fields(captured.events().get(1))).containsEntry("records", "4").containsEntry("ms", "40");
    }

    @Test
    void shouldKnowWhichChangelogsAreBeingRestoredUntilTheyEndOrAreCutShort() {
        TopicPartition other = new TopicPartition("app-exposure-store-changelog", 4);
        log.onRestoreStart(CHANGELOG, "consent-store", 0, 10);
        log.onRestoreStart(other, "exposure-store", 0, 10);
        assertThat(log.restoring()).containsExactlyInAnyOrder(CHANGELOG, other);

        log.onRestoreEnd(CHANGELOG, "consent-store", 10);
        assertThat(log.restoring()).containsExactly(other);
        log.onRestoreSuspended(other, "exposure-store", 4);
        assertThat(log.restoring()).isEmpty();
    }

    @Test
    void shouldNotInventADurationForARestoreItDidNotSeeStart() {
        log.onRestoreEnd(CHANGELOG, "consent-store", 0);

        assertThat(LogCapture.fields(captured.events().get(0))).containsEntry("ms", "-1");
    }

}
