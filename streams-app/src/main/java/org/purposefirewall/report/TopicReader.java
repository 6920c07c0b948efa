package org.purposefirewall.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.ReaderClientProperties;

/**
 * Reads topics the way every investigation must: read_committed (an aborted transaction's records were never
 * outputs), with no consumer group (it commits nothing and disturbs no one's offsets), and only up to each
 * partition's end as of the moment the range is taken, so that a read always finishes while traffic goes on.
 * Not thread-safe; one per command.
 */
public final class TopicReader implements AutoCloseable {

    /** Offsets [start, end) of one partition. */
    public record Range(long start, long end) {
        public long size() {
            return Math.max(0L, end - start);
        }
    }

    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration deadline;

    /**
     * @param clientProperties consumer properties, e.g. {@link #clientProperties(FirewallConfig)}
     * @param clientIdPrefix names the reader in the brokers' logs and quotas
     * @param deadline how long one {@link #read} may take before it fails
     */
    public TopicReader(Map<String, Object> clientProperties, String clientIdPrefix, Duration deadline) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + UUID.randomUUID());
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deadline = deadline;
    }

    /**
     * The consumer settings of the firewall's own configuration: its bootstrap servers and the reader's share of its
     * {@code streams:} pass-through ({@link ReaderClientProperties}), so that a command reads as the service does.
     */
    public static Map<String, Object> clientProperties(FirewallConfig config) {
        Map<String, Object> client = new HashMap<>(ReaderClientProperties.of(config.streams()));
        client.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return client;
    }

    /**
     * Every partition of {@code topic}, from the first record with a timestamp at or after {@code from} (from the
     * beginning if null) to the partition's end now.
     *
     * @throws IllegalStateException if the topic does not exist
     */
    public Map<TopicPartition, Range> ranges(String topic, Instant from) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
                .sorted((a, b) -> Integer.compare(a.partition(), b.partition())).toList();
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        Map<TopicPartition, OffsetAndTimestamp> at = Map.of();
        if (from != null) {
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(p, from.toEpochMilli()));
            at = consumer.offsetsForTimes(query);
        }
        Map<TopicPartition, Range> ranges = new LinkedHashMap<>();
        for (TopicPartition p : partitions) {
            long start = from == null ? begin.get(p) : at.get(p) == null ? end.get(p) : at.get(p).offset();
            ranges.put(p, new Range(start, end.get(p)));
        }
        return ranges;
    }

    /** The records of one partition in [start, end); the partition must exist. */
    public Map<TopicPartition, Range> range(String topic, int partition, long start, long end) {
        TopicPartition p = new TopicPartition(topic, partition);
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.stream().noneMatch(i -> i.partition() == partition)) {
            throw new IllegalStateException("topic " + topic + " has no partition " + partition);
        }
        long last = consumer.endOffsets(List.of(p)).get(p);
        long first = consumer.beginningOffsets(List.of(p)).get(p);
        return Map.of(p, new Range(Math.max(first, start), Math.min(last, end)));
    }

    /**
     * Hands every record with a value in the given ranges to {@code each}, partition by partition in offset order
     * (partitions interleaved as the consumer fetches them). Tombstones and transaction markers are skipped.
     *
     * @throws IllegalStateException if the ranges cannot be read within the deadline
     */
    public void read(Map<TopicPartition, Range> ranges, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<TopicPartition, Range> open = new HashMap<>();
        ranges.forEach((p, r) -> {
            if (r.size() > 0) {
                open.put(p, r);
            }
        });
        if (open.isEmpty()) {
            return;
        }
        Collection<TopicPartition> partitions = new ArrayList<>(open.keySet());
        consumer.assign(partitions);
        open.forEach((p, r) -> consumer.seek(p, r.start()));
        long stop = System.nanoTime() + deadline.toNanos();
        try {
            while (!open.isEmpty()) {
                if (System.nanoTime() - stop > 0) {
                    throw new IllegalStateException("could not read " + open.keySet() + " to the end within "
                            + deadline);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition p = new TopicPartition(record.topic(), record.partition());
                    Range r = open.get(p);
                    if (r == null || record.offset() >= r.end() || record.value() == null) {
                        continue;
                    }
                    each.accept(record);
                }
                // A partition is done once its position passed the end: aborted records and markers may sit below it.
                open.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue().end());
                List<TopicPartition> still = new ArrayList<>(open.keySet());
                if (still.size() != consumer.assignment().size()) {
                    consumer.assign(still);
                }
            }
        } finally {
            consumer.assign(List.of());
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
