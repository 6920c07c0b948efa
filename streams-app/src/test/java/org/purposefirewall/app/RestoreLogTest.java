package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A restore is logged at its start and end with store, changelog partition, counts and duration, nothing more. */
class RestoreLogTest {

    private static final TopicPartition CHANGELOG = new TopicPartition("app-consent-store-changelog", 2);
    private final AtomicLong now = new AtomicLong(1_000);
    private final RestoreLog log = new RestoreLog(now::get);
    private final Logger logger = (Logger) LoggerFactory.getLogger(RestoreLog.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level level;

    @BeforeEach
    void capture() {
        level = logger.getLevel();
        logger.setLevel(Level.INFO);
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
        logger.setLevel(level);
    }

    @Test
    void shouldLogTheRecordsToRestoreAndThenHowLongItTook() {
        log.onRestoreStart(CHANGELOG, "consent-store", 100, 250_100);
        log.onBatchRestored(CHANGELOG, "consent-store", 1_100, 1_000);
        now.addAndGet(3_250);
        log.onRestoreEnd(CHANGELOG, "consent-store", 250_000);

        assertThat(appender.list).extracting(ILoggingEvent::getMessage)
                .containsExactly("restoring store from its changelog", "store restored");
        assertThat(fields(appender.list.get(0))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "store", "consent-store", "changelog", "app-consent-store-changelog-2", "records", "250000"));
        assertThat(fields(appender.list.get(1))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "store", "consent-store", "changelog", "app-consent-store-changelog-2", "records", "250000",
                "ms", "3250"));
    }

    @Test
    void shouldSayWhenARestoreIsCutShort() {
        log.onRestoreStart(CHANGELOG, "consent-store", 0, 10);
        now.addAndGet(40);
        log.onRestoreSuspended(CHANGELOG, "consent-store", 4);

        assertThat(appender.list.get(1).getMessage()).startsWith("store restore suspended");
        assertThat(fields(appender.list.get(1))).containsEntry("records", "4").containsEntry("ms", "40");
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

        assertThat(fields(appender.list.get(0))).containsEntry("ms", "-1");
    }

    private static Map<String, String> fields(ILoggingEvent event) {
        List<org.slf4j.event.KeyValuePair> pairs = event.getKeyValuePairs();
        return pairs.stream().collect(Collectors.toMap(p -> p.key, p -> String.valueOf(p.value)));
    }
}
