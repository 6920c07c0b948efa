package org.purposefirewall.campaign;

import java.nio.file.Path;
import org.purposefirewall.kafkalocal.LocalKafkaCluster;

/** Where the campaign gets its brokers. */
final class Clusters {

    private Clusters() {
    }

    /**
     * Starts {@code nodes} brokers under {@code dir}: one broker in a process of its own, or a KRaft cluster of
     * {@code nodes} combined broker-controller nodes, one JVM each ({@link LocalKafkaCluster}).
     */
    static KafkaCluster start(int nodes, Path dir) {
        if (nodes == 1) {
            return SingleNodeCluster.start(dir);
        }
        return new LocalCluster(LocalKafkaCluster.start(nodes, dir));
    }
}
