package org.purposefirewall.app;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * Where the deciding task of each home partition the barrier waits for is, as this instance sees it: restoring here
 * (with how many of its stores are), active here, a standby copy here, or not here. Told beside the barrier's
 * "applied late" warning, it says whether a partition is held by a task that restores, one that runs here and is
 * behind, or one on another instance (read that instance's warning). Kafka Streams updates a thread's task lists
 * only when the thread turns RUNNING, so a task assigned since (one that restores first) is known from its
 * restores; until the thread runs again the lists are those of its last run. Task coordinates only, never a record.
 */
final class TaskPlaces {

    private TaskPlaces() {
    }

    /**
     * {@code 0 active; 2 restoring 4 stores; 4 standby; 5 not here}, in partition order, or {@code none} for no
     * partitions; a partition with stores restoring here is told as restoring, whatever the lists say.
     *
     * @param partitions the home partitions behind
     * @param active home partitions whose deciding task is active on this instance
     * @param standby home partitions of which this instance holds a standby (or warm-up) copy
     * @param restoringStores per home partition, how many of its deciding task's stores are restoring here now
     */
    static String describe(List<Integer> partitions, Set<Integer> active, Set<Integer> standby,
                           Map<Integer, Integer> restoringStores) {
        if (partitions.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        for (int p : new TreeSet<>(partitions)) {
            out.append(out.isEmpty() ? "" : "; ").append(p).append(' ');
            int restoring = restoringStores.getOrDefault(p, 0);
            if (restoring > 0) {
                out.append("restoring ").append(restoring).append(restoring == 1 ? " store" : " stores");
            } else if (active.contains(p)) {
                out.append("active");
            } else if (standby.contains(p)) {
                out.append("standby");
            } else {
                out.append("not here");
            }
        }
        return out.toString();
    }

    /** The home partitions among the input partitions of these tasks (the deciding tasks read the home topic). */
    static Set<Integer> homePartitions(Collection<? extends TaskMetadata> tasks, String homeTopic) {
        Set<Integer> partitions = new TreeSet<>();
        for (TaskMetadata task : tasks) {
            for (TopicPartition tp : task.topicPartitions()) {
                if (tp.topic().equals(homeTopic)) {
                    partitions.add(tp.partition());
                }
            }
        }
        return partitions;
    }

    /** {@link #describe} for Kafka Streams' own view of its threads and the restores {@link RestoreLog} sees. */
    static String describe(List<Integer> partitions, Collection<ThreadMetadata> threads, String homeTopic,
                           Collection<TopicPartition> restoringChangelogs) {
        Set<Integer> active = new TreeSet<>();
        Set<Integer> standby = new TreeSet<>();
        for (ThreadMetadata thread : threads) {
            active.addAll(homePartitions(thread.activeTasks(), homeTopic));
            standby.addAll(homePartitions(thread.standbyTasks(), homeTopic));
        }
        // Every store of the firewall belongs to a deciding task, and its changelog is co-partitioned with the
        // home topic: a changelog's partition is its task's home partition.
        Map<Integer, Integer> restoring = new TreeMap<>();
        restoringChangelogs.forEach(tp -> restoring.merge(tp.partition(), 1, Integer::sum));
        return describe(partitions, active, standby, restoring);
    }
}
