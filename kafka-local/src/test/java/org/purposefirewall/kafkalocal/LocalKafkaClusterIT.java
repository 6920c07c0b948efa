package org.purposefirewall.kafkalocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three node JVMs, one quorum: acknowledged records survive a killed active controller and a gracefully stopped
 * broker, each restarted, and are read back exactly once. Logs the measured start, election and restart times
 * (lines starting {@code MEASURED}) as figures; nothing here asserts a duration.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class LocalKafkaClusterIT {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaClusterIT.class);
    private static final String TOPIC = "cluster-test";
    private static final int PARTITIONS = 3;
    private static final int BATCH = 200;

    @TempDir
    Path tempDir;

    @Test
    void shouldKeepEveryAcknowledgedRecordExactlyOnceThroughAControllerKillAndABrokerStop() throws Exception {
        Path dir = tempDir.resolve("cluster");
        long startNanos = System.nanoTime();
        try (LocalKafkaCluster cluster = LocalKafkaCluster.start(3, dir)) {
            LOG.info("MEASURED start of 3 nodes: {} ms", elapsedMs(startNanos));
            assertThat(cluster.size()).isEqualTo(3);
            assertThat(cluster.nodeIds()).containsExactly(1, 2, 3);
            assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
            assertThat(cluster.nodeIds()).allMatch(cluster::isRunning);

            cluster.createTopics(Map.of(TOPIC, PARTITIONS), (short) 3, Map.of("min.insync.replicas", "2"));
            List<String> expected = new ArrayList<>();
            try (KafkaProducer<String, String> producer = producer(cluster)) {
                // Given acknowledged records
                produce(producer, 0, expected);

                // When the active controller is killed, records sent meanwhile are still acknowledged
                int controller = cluster.activeController();
                long killNanos = System.nanoTime();
                cluster.kill(controller);
                assertThat(cluster.isRunning(controller)).isFalse();
                List<Future<RecordMetadata>> inFlight = send(producer, 1, expected);
                int newController = cluster.activeController();
                LOG.info("MEASURED kill -9 of controller {} -> controller {} elected: {} ms", controller,
                        newController, elapsedMs(killNanos));
                assertThat(newController).isNotEqualTo(controller);
                awaitAll(inFlight);
                LOG.info("MEASURED kill -9 of controller {} -> a batch acknowledged by 2 nodes: {} ms", controller,
                        elapsedMs(killNanos));

                long restartNanos = System.nanoTime();
                cluster.restart(controller);
                LOG.info("MEASURED restart of killed node {} -> back in the cluster and ISR: {} ms", controller,
                        elapsedMs(restartNanos));
                assertThat(cluster.isRunning(controller)).isTrue();
                produce(producer, 2, expected);

                // And another node is stopped gracefully, then restarted
                int other = cluster.nodeIds().stream().filter(id -> id != controller).findFirst().orElseThrow();
                long stopNanos = System.nanoTime();
                cluster.stop(other);
                LOG.info("MEASURED graceful stop of node {}: {} ms", other, elapsedMs(stopNanos));
                assertThat(cluster.isRunning(other)).isFalse();
                produce(producer, 3, expected);
                restartNanos = System.nanoTime();
                cluster.restart(other);
                LOG.info("MEASURED restart of stopped node {} -> back in the cluster and ISR: {} ms", other,
                        elapsedMs(restartNanos));
                produce(producer, 4, expected);
            }
            long healthyNanos = System.nanoTime();
            cluster.awaitHealthy(Duration.ofSeconds(60));
            LOG.info("MEASURED awaitHealthy after both restarts: {} ms", elapsedMs(healthyNanos));

            // Then every acknowledged record is there exactly once
            assertThat(readAll(cluster)).containsExactlyInAnyOrderElementsOf(expected).hasSize(5 * BATCH);

            // And a node that is not up in time fails with its id and log file, and is left stopped
            int slow = cluster.nodeIds().get(0);
            assertThatThrownBy(() -> cluster.restart(slow, Duration.ofMillis(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Node " + slow + " was not up within")
                    .hasMessageContaining(cluster.logFile(slow).toString());
            assertThat(cluster.isRunning(slow)).isFalse();
            assertThatThrownBy(() -> cluster.awaitHealthy(Duration.ofSeconds(30)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Node " + slow + " is not running");
        }
        assertThat(dir).as("a directory the cluster created is deleted on close").doesNotExist();
    }

    private static KafkaProducer<String, String> producer(LocalKafkaCluster cluster) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static void produce(KafkaProducer<String, String> producer, int batch, List<String> expected)
            throws Exception {
        awaitAll(send(producer, batch, expected));
    }

    /** Sends one batch without waiting; every value is added to {@code expected} and must be acknowledged later. */
    private static List<Future<RecordMetadata>> send(KafkaProducer<String, String> producer, int batch,
                                                     List<String> expected) {
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            String value = "batch-" + batch + "-record-" + i;
            futures.add(producer.send(new ProducerRecord<>(TOPIC, "key-" + i, value)));
            expected.add(value);
        }
        return futures;
    }

    private static void awaitAll(List<Future<RecordMetadata>> futures) throws Exception {
        for (Future<RecordMetadata> future : futures) {
            future.get(150, TimeUnit.SECONDS);
        }
    }

    private static List<String> readAll(LocalKafkaCluster cluster) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }

    private static long elapsedMs(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
