package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

/** Only Kafka's ERROR about tasks corrupted by an unclean stop, each reported so first, is lowered. */
class UncleanStopFilterTest {

    private static final String THREAD = "stream-thread [app-1b2c-StreamThread-1] ";
    private final LoggerContext context = new LoggerContext();
    private final Logger stateManager = context.getLogger(UncleanStopFilter.STATE_MANAGER);
    private final Logger taskManager = context.getLogger(UncleanStopFilter.TASK_MANAGER);
    private final UncleanStopFilter filter = new UncleanStopFilter();

    @Test
    void shouldLowerTheErrorAboutTasksReportedWithoutCommittedOffsets() {
        // Given Kafka's warnings that two tasks' stores were left without committed offsets
        assertThat(noCheckpoint("1_0")).as("the warning itself is let through").isEqualTo(FilterReply.NEUTRAL);
        noCheckpoint("1_2");

        // When the task manager reports them corrupted
        // Then that ERROR is replaced (by the same text at WARN)
        assertThat(error(corrupted("1_2") + ", " + corrupted("1_0"))).isEqualTo(FilterReply.DENY);
    }

    @Test
    void shouldLowerItAlsoForTasksFoundCorruptedInTheStateDirectoryAtStart() {
        Logger stateDirectory = context.getLogger(UncleanStopFilter.STATE_DIRECTORY);
        for (String task : new String[] {"1_0", "1_1"}) {
            assertThat(filter.decide(null, stateDirectory, Level.WARN, "Failed to register startup state stores for "
                    + "task " + task + ": Tasks [" + task + "] are corrupted and hence need to be re-initialized",
                    null, null)).isEqualTo(FilterReply.NEUTRAL);
        }

        assertThat(error(corrupted("1_1") + ", " + corrupted("1_0"))).isEqualTo(FilterReply.DENY);
    }

    @Test
    void shouldKeepTheErrorForATaskCorruptedForAnotherReason() {
        noCheckpoint("1_0");

        assertThat(error(corrupted("1_0") + ", " + corrupted("1_3"))).as("1_3 was not reported without offsets")
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(error(corrupted("1_3"))).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void shouldKeepTheErrorWhenAnotherExceptionIsInIt() {
        noCheckpoint("1_0");
        noCheckpoint("1_1");

        assertThat(error(corrupted("1_0") + ", 1_1=org.apache.kafka.streams.errors.StreamsException: boom"))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(error("1_1=java.lang.IllegalStateException")).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void shouldLowerItOnlyOncePerReport() {
        noCheckpoint("1_0");
        assertThat(error(corrupted("1_0"))).isEqualTo(FilterReply.DENY);

        assertThat(error(corrupted("1_0"))).as("a second corruption without a new report").isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void shouldLeaveOtherLoggersAndLevelsAlone() {
        noCheckpoint("1_0");
        String text = THREAD + "Get exceptions for the following tasks: {" + corrupted("1_0") + "}";

        assertThat(filter.decide(null, taskManager, Level.WARN, text, null, null)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(null, context.getLogger("org.purposefirewall.x"), Level.ERROR, text, null, null))
                .isEqualTo(FilterReply.NEUTRAL);
    }

    private FilterReply noCheckpoint(String task) {
        String text = "stream-client [app-1b2c] State store consent-store did not find checkpoint offsets while "
                + "stores are not empty, since under EOS it has the risk of getting uncommitted data in stores we "
                + "have to treat it as a task corruption error and wipe out the local state of task " + task
                + " before re-bootstrapping";
        return filter.decide(null, stateManager, Level.WARN, text, null, null);
    }

    private FilterReply error(String entries) {
        return filter.decide(null, taskManager, Level.ERROR,
                THREAD + "Get exceptions for the following tasks: {" + entries + "}", null, null);
    }

    private static String corrupted(String task) {
        return task + "=org.apache.kafka.streams.errors.TaskCorruptedException: Tasks [" + task
                + "] are corrupted and hence need to be re-initialized";
    }
}
