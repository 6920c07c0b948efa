package org.purposefirewall.campaign;

import java.nio.file.Path;

/** Where the campaign gets its brokers: the one place to switch to {@code LocalKafkaCluster} once it lands. */
final class Clusters {

    private Clusters() {
    }

    /**
     * Starts {@code nodes} brokers under {@code dir}. The stand-in has one node only: asked for more, it says so
     * and starts one (replication factor and min.insync.replicas are then capped at 1).
     */
    static KafkaCluster start(int nodes, Path dir) {
        // TODO(cluster): return LocalKafkaCluster.start(nodes, dir) wrapped as a KafkaCluster once it is on this branch.
        if (nodes != 1) {
            System.err.println("campaign: LocalKafkaCluster is not on this branch yet; running on the single-node "
                    + "stand-in (asked for " + nodes + " brokers; replication factor and min.insync.replicas capped at 1)");
        }
        return SingleNodeCluster.start(dir);
    }
}
