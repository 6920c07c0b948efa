package org.purposefirewall.topology;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * A wall-clock check that is scheduled only while something waits for it. Kafka Streams marks a task as needing a
 * commit at every punctuation it runs, whether or not the punctuation changed anything, and commits every task so
 * marked at each commit interval. A check scheduled for the life of the task therefore made every idle task, and
 * so under exactly-once every stream thread, commit a transaction every {@code commit.interval.ms} (20 a second at
 * the shipped 50 ms), each writing the offsets of all its tasks to the group coordinator and, with transactional
 * stores, each store's commit: work the brokers and the thread spend whether or not any record moved.
 *
 * <p>The owner calls {@link #update()} whenever what waits may have changed (a record set aside or released): the
 * check is scheduled when the first record starts waiting, runs every {@code interval} from then, and is cancelled
 * once nothing waits. Called on the task's stream thread only.
 */
final class WaitTimer {

    private final ProcessorContext<?, ?> context;
    private final Duration interval;
    private final BooleanSupplier waiting;
    private final Runnable check;
    private Cancellable scheduled;

    /**
     * @param waiting true while a record waits for the check
     * @param check what runs every {@code interval} while something waits; {@link #update()} follows each run
     */
    WaitTimer(ProcessorContext<?, ?> context, Duration interval, BooleanSupplier waiting, Runnable check) {
        this.context = context;
        this.interval = interval;
        this.waiting = waiting;
        this.check = check;
    }

    /** Schedules the check if something waits and it is not scheduled; cancels it if nothing waits. */
    void update() {
        boolean wanted = waiting.getAsBoolean();
        if (wanted && scheduled == null) {
            scheduled = context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> {
                check.run();
                update();
            });
        } else if (!wanted && scheduled != null) {
            scheduled.cancel();
            scheduled = null;
        }
    }

    /** True while the check is scheduled. */
    boolean scheduled() {
        return scheduled != null;
    }
}
