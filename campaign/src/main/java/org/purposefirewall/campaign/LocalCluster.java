package org.purposefirewall.campaign;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.purposefirewall.kafkalocal.LocalKafkaCluster;

/** {@code kafka-local}'s {@link LocalKafkaCluster} (one JVM per KRaft node) as the campaign's {@link KafkaCluster}. */
final class LocalCluster implements KafkaCluster {

    private final LocalKafkaCluster cluster;

    LocalCluster(LocalKafkaCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public int size() {
        return cluster.size();
    }

    @Override
    public List<Integer> nodeIds() {
        return cluster.nodeIds();
    }

    @Override
    public boolean isRunning(int id) {
        return cluster.isRunning(id);
    }

    @Override
    public int activeController() {
        return cluster.activeController();
    }

    @Override
    public void stop(int id) {
        cluster.stop(id);
    }

    @Override
    public void kill(int id) {
        cluster.kill(id);
    }

    @Override
    public void restart(int id) {
        cluster.restart(id);
    }

    @Override
    public void awaitHealthy(Duration timeout) {
        cluster.awaitHealthy(timeout);
    }

    @Override
    public void createTopics(Map<String, Integer> partitions, short rf, Map<String, String> configs) {
        cluster.createTopics(partitions, rf, configs);
    }

    @Override
    public void close() {
        cluster.close();
    }
}
