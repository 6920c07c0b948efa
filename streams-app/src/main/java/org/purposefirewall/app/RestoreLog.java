package org.purposefirewall.app;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line when Kafka Streams starts restoring a store of a task from its changelog and one when it has, with
 * the store, the changelog partition, the records to restore and the time it took: what a restart after an unclean
 * stop spends its time on (see README, Restarts and failover). Coordinates and counts only, never a record. A
 * restore that is cut short (the task moved away, the instance stopped) logs that instead.
 */
final class RestoreLog implements StateRestoreListener {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreLog.class);

    private final LongSupplier clock;
    private final Map<TopicPartition, Long> startedAt = new ConcurrentHashMap<>();

    RestoreLog() {
        this(System::currentTimeMillis);
    }

    RestoreLog(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public void onRestoreStart(TopicPartition changelog, String store, long startingOffset, long endingOffset) {
        startedAt.put(changelog, clock.getAsLong());
        LOG.atInfo().addKeyValue("store", store).addKeyValue("changelog", changelog)
                .addKeyValue("records", Math.max(0, endingOffset - startingOffset))
                .log("restoring store from its changelog");
    }

    @Override
    public void onBatchRestored(TopicPartition changelog, String store, long batchEndOffset, long numRestored) {
        // Per batch would be one line per poll of the restore consumer: the start and end lines say enough.
    }

    @Override
    public void onRestoreEnd(TopicPartition changelog, String store, long totalRestored) {
        LOG.atInfo().addKeyValue("store", store).addKeyValue("changelog", changelog)
                .addKeyValue("records", totalRestored).addKeyValue("ms", elapsed(changelog))
                .log("store restored");
    }

    @Override
    public void onRestoreSuspended(TopicPartition changelog, String store, long totalRestored) {
        LOG.atInfo().addKeyValue("store", store).addKeyValue("changelog", changelog)
                .addKeyValue("records", totalRestored).addKeyValue("ms", elapsed(changelog))
                .log("store restore suspended: its task moved or the instance is stopping");
    }

    /** The changelog partitions being restored now (active tasks only; standbys are not restores). */
    Set<TopicPartition> restoring() {
        return Set.copyOf(startedAt.keySet());
    }

    private long elapsed(TopicPartition changelog) {
        Long start = startedAt.remove(changelog);
        return start == null ? -1 : clock.getAsLong() - start;
    }
}
