package org.purposefirewall.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * Reads the ad topic and the recalls topic from their beginning up to their end at the time of the call
 * (read_committed), into an {@link ExposureReport}. Uses no consumer group: it commits nothing and disturbs no one.
 */
public final class ExposureReportReader {

    private static final Duration POLL = Duration.ofMillis(500);

    private ExposureReportReader() {
    }

    /**
     * @param clientProperties consumer properties: bootstrap servers and any security settings
     * @param deadline how long to read before failing
     * @throws IllegalStateException if a topic does not exist or cannot be read to its end within the deadline
     */
    public static void read(Map<String, Object> clientProperties, FirewallSerdes serdes, String audienceTopic,
                            String recallsTopic, ExposureReport report, Duration deadline) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "purpose-firewall-exposure-report-" + UUID.randomUUID());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(audienceTopic, recallsTopic)) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("topic " + topic + " does not exist");
                }
                infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long stop = System.nanoTime() + deadline.toNanos();
            List<ConsumerRecord<byte[], byte[]>> recalls = new ArrayList<>();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() - stop > 0) {
                    throw new IllegalStateException("could not read " + audienceTopic + " and " + recallsTopic
                            + " to their end within " + deadline);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.value() == null) {
                        continue;
                    }
                    if (record.topic().equals(audienceTopic)) {
                        report.forwarded(serdes.audience().decode(record.value()));
                    } else {
                        recalls.add(record);
                    }
                }
            }
            for (ConsumerRecord<byte[], byte[]> record : recalls) {
                report.recalled(serdes.recall().decode(record.value()));
            }
        }
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
