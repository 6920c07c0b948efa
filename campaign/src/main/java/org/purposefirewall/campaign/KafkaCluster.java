package org.purposefirewall.campaign;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The brokers a campaign runs on, with exactly the operations of {@code kafka-local}'s {@code LocalKafkaCluster}
 * (being added beside this harness), so that the campaign codes against that API and switches to it by replacing
 * one factory ({@link Clusters#start}). Until it lands, {@link SingleNodeCluster} stands in.
 *
 * <p>Threads: every method blocks its caller; the campaign calls them from its main thread and its chaos thread,
 * never at once for the same node.
 */
public interface KafkaCluster extends AutoCloseable {

    /** {@code bootstrap.servers} for clients: every node, comma-separated. */
    String bootstrapServers();

    /** The number of nodes. */
    int size();

    /** The node ids, ascending. */
    List<Integer> nodeIds();

    /** True while node {@code id}'s process runs. */
    boolean isRunning(int id);

    /** The id of the active KRaft controller. */
    int activeController();

    /** Stops node {@code id} with SIGTERM (a controlled shutdown) and waits for its process to end. */
    void stop(int id);

    /** Kills node {@code id} with SIGKILL (-9) and waits for its process to end. */
    void kill(int id);

    /** Starts node {@code id} again on the same ports and log directory; returns once it serves clients. */
    void restart(int id);

    /** Waits until every node runs and serves clients. */
    void awaitHealthy(Duration timeout);

    /**
     * Creates topics with replication factor {@code rf} (at most {@link #size()}) and {@code configs}, and waits until
     * every partition accepts writes.
     */
    void createTopics(Map<String, Integer> partitions, short rf, Map<String, String> configs);

    /** Stops every node and deletes nothing the caller did not ask for. Idempotent. */
    @Override
    void close();
}
