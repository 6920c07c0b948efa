package org.purposefirewall.kafkalocal;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** The one wait for topics to accept requests, for the single broker and the cluster alike. */
final class TopicReadiness {

    private TopicReadiness() {
    }

    /**
     * Returns once every partition of {@code topics} has a leader answering offset requests: a successful offset
     * lookup on every partition, which metadata alone does not guarantee right after creation or a leader change.
     *
     * @param admin fetched on every attempt, so that a concurrent close ends the wait (by throwing) instead of the
     *     timeout
     * @param deadline {@link System#nanoTime()} by which to give up
     * @param timeout the whole wait, for the message
     * @param maxProbeMs the most one attempt may take (it never runs past the deadline)
     * @param backoffMs the pause between attempts
     * @throws IllegalStateException past the deadline, with the last error seen as its cause
     */
    static void await(Supplier<Admin> admin, Collection<String> topics, long deadline, Duration timeout,
                      long maxProbeMs, long backoffMs) throws InterruptedException {
        Throwable lastError = null;
        while (true) {
            int probeMs = (int) Math.max(1, Math.min(maxProbeMs,
                    TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            Admin client = admin.get();
            try {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                client.describeTopics(topics, new DescribeTopicsOptions().timeoutMs(probeMs))
                        .allTopicNames().get(probeMs, TimeUnit.MILLISECONDS)
                        .forEach((topic, description) -> description.partitions().forEach(p ->
                                latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
                client.listOffsets(latest, new ListOffsetsOptions().timeoutMs(probeMs))
                        .all().get(probeMs, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                lastError = e.getCause();
            } catch (TimeoutException e) {
                // The broker's own answer, e.g. an unknown topic, explains more than running out of time.
                if (lastError == null) {
                    lastError = e;
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("Topics " + topics + " not ready within " + timeout
                        + "; last error: " + lastError, lastError);
            }
            Thread.sleep(backoffMs);
        }
    }

    /** The exception for a wait that was interrupted; the thread's interrupt flag is set again. */
    static IllegalStateException interrupted(String activity, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new IllegalStateException("Interrupted while " + activity, e);
    }
}
