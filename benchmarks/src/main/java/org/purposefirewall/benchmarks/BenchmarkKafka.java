package org.purposefirewall.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.serde.FirewallSerdes;

/** The benchmark's Kafka chores around the measured runs: loading inputs, watching offsets, counting outputs. */
final class BenchmarkKafka implements AutoCloseable {

    /**
     * One pre-loaded set of input topics.
     *
     * @param topics        the input topic names (outputs in it are placeholders; each run names its own)
     * @param users         users generated
     * @param contactPoints records in the contact-points topic
     * @param consent       records in the consent topic
     * @param registrations records in the registrations topic
     * @param expected      how many contact points each outcome should get under the default policy
     */
    record InputSet(Topics topics, int users, long contactPoints, long consent, long registrations,
                    Map<ScenarioTraffic.Expected, Long> expected) {

        List<String> firewallInputs() {
            return List.of(topics.contactPoints(), topics.consent(), topics.registrations());
        }

        long allRecords() {
            return contactPoints + consent + registrations;
        }
    }

    private final LocalKafkaBroker broker;
    private final Admin admin;

    BenchmarkKafka(LocalKafkaBroker broker) {
        this.broker = broker;
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "benchmark-admin"));
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    void createTopics(Collection<String> names, int partitions) {
        Map<String, Integer> request = new HashMap<>();
        names.forEach(name -> request.put(name, partitions));
        broker.createTopics(request, Map.of());
    }

    /**
     * Creates the three input topics of {@code prefix} and fills them with the scenario traffic of users
     * {@code [0, users)}, keyed by user id (co-partitioned), then checks that the topics hold exactly that.
     */
    InputSet preload(String prefix, int users, int partitions, FirewallSerdes serdes, long startMs) {
        Topics topics = new Topics(prefix + ".contact-points", prefix + ".consent", prefix + ".registrations",
                prefix + ".unused.audience", prefix + ".unused.quarantine", prefix + ".unused.suppressed",
                prefix + ".unused.dead-letter");
        FirewallTopics.createInputs(broker, topics, partitions);

        ScenarioTraffic traffic = new ScenarioTraffic(topics, serdes, startMs);
        Map<String, Long> perTopic = new HashMap<>();
        Map<ScenarioTraffic.Expected, Long> expected = new EnumMap<>(ScenarioTraffic.Expected.class);
        for (ScenarioTraffic.Expected e : ScenarioTraffic.Expected.values()) {
            expected.put(e, 0L);
        }
        AtomicReference<Exception> failure = new AtomicReference<>();
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, "benchmark-loader-" + prefix,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < users && failure.get() == null; i++) {
                for (ScenarioTraffic.Event event : traffic.user(i)) {
                    producer.send(new ProducerRecord<>(event.topic(), null, event.timestamp(), event.key(),
                            event.value()), (meta, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                    perTopic.merge(event.topic(), 1L, Long::sum);
                    if (event.expected() != null) {
                        expected.merge(event.expected(), 1L, Long::sum);
                    }
                }
            }
            // Live side inputs keep flowing; without markers the finite input would end with every task waiting
            // max.task.idle.ms for consent and registrations that never come, and that wait would be timed.
            for (ScenarioTraffic.Event marker : traffic.endOfTrafficMarkers(partitions, traffic.endTime(users))) {
                producer.send(new ProducerRecord<>(marker.topic(), null, marker.timestamp(), marker.key(),
                        marker.value()), (meta, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                perTopic.merge(marker.topic(), 1L, Long::sum);
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("pre-loading " + prefix + " failed: " + failure.get(), failure.get());
        }
        InputSet set = new InputSet(topics, users, perTopic.getOrDefault(topics.contactPoints(), 0L),
                perTopic.getOrDefault(topics.consent(), 0L), perTopic.getOrDefault(topics.registrations(), 0L),
                Map.copyOf(expected));
        // Nothing else writes these topics and the loader is not transactional: end offsets are record counts.
        for (String topic : set.firewallInputs()) {
            long inTopic = endOffsets(List.of(topic)).values().stream().mapToLong(Long::longValue).sum();
            long sent = perTopic.getOrDefault(topic, 0L);
            if (inTopic != sent) {
                throw new IllegalStateException(topic + " holds " + inTopic + " records, " + sent + " were sent");
            }
        }
        return set;
    }

    /**
     * A producer for loading inputs: sends events (their key, value and timestamp), counts them per topic, and fails
     * on the first error it was told about. Idempotent, acks=all; {@code lingerMs} trades latency for batching.
     */
    final class Loader implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final Map<String, Long> perTopic = new HashMap<>();

        private Loader(String clientId, int lingerMs) {
            Map<String, Object> props = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.CLIENT_ID_CONFIG, clientId,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.LINGER_MS_CONFIG, lingerMs,
                    ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }

        void send(ScenarioTraffic.Event event) {
            Exception e = failure.get();
            if (e != null) {
                throw new IllegalStateException("producing failed: " + e, e);
            }
            producer.send(new ProducerRecord<>(event.topic(), null, event.timestamp(), event.key(), event.value()),
                    (meta, error) -> {
                        if (error != null) {
                            failure.compareAndSet(null, error);
                        }
                    });
            perTopic.merge(event.topic(), 1L, Long::sum);
        }

        /** Waits until every record sent so far is acknowledged; throws if one failed. */
        void flush() {
            producer.flush();
            Exception e = failure.get();
            if (e != null) {
                throw new IllegalStateException("producing failed: " + e, e);
            }
        }

        long sent(String topic) {
            return perTopic.getOrDefault(topic, 0L);
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(30));
        }
    }

    /** A new {@link Loader}. */
    Loader loader(String clientId, int lingerMs) {
        return new Loader(clientId, lingerMs);
    }

    /** Latest offsets of every partition of {@code topics}. */
    Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
        try {
            Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            descriptions.forEach((topic, d) -> d.partitions().forEach(
                    p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> result = new HashMap<>();
            admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> result.put(tp, info.offset()));
            return result;
        } catch (Exception e) {
            throw rethrow("reading end offsets of " + topics, e);
        }
    }

    /** The consumer group's committed offsets; empty before its first commit. */
    Map<TopicPartition, Long> committedOffsets(String groupId) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> result = new HashMap<>();
            offsets.forEach((tp, om) -> {
                if (om != null) {
                    result.put(tp, om.offset());
                }
            });
            return result;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw rethrow("reading committed offsets of " + groupId, e);
        } catch (Exception e) {
            throw rethrow("reading committed offsets of " + groupId, e);
        }
    }

    /**
     * Counts the committed records of each topic with a {@code read_committed} consumer, reading every partition
     * from the beginning up to its last stable offset.
     */
    Map<String, Long> countCommitted(Collection<String> topics, Duration timeout) {
        Map<String, Long> counts = new HashMap<>();
        topics.forEach(t -> counts.put(t, 0L));
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.CLIENT_ID_CONFIG, "benchmark-output-counter",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>(endOffsets(topics).keySet());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> stable = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + timeout.toNanos();
            long lastRecordAt = System.nanoTime();
            while (!reached(consumer, stable)) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    lastRecordAt = System.nanoTime();
                    records.forEach(r -> counts.merge(r.topic(), 1L, Long::sum));
                } else if (System.nanoTime() - lastRecordAt > TimeUnit.SECONDS.toNanos(5)) {
                    // The consumer may stop just before a trailing transaction marker; nothing more to count.
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("counting " + topics + " took longer than " + timeout
                            + "; counted so far " + counts);
                }
            }
        }
        return counts;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey(), Duration.ofSeconds(30)) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Deletes the given topics and every topic whose name starts with {@code prefix}; missing ones are fine. */
    void deleteTopics(Collection<String> names, String prefix) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<String> doomed = new ArrayList<>();
            for (String topic : existing) {
                if (names.contains(topic) || (prefix != null && topic.startsWith(prefix))) {
                    doomed.add(topic);
                }
            }
            if (!doomed.isEmpty()) {
                admin.deleteTopics(doomed).all().get(60, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw rethrow("deleting topics " + names + " / " + prefix + "*", e);
            }
        } catch (Exception e) {
            throw rethrow("deleting topics " + names + " / " + prefix + "*", e);
        }
    }

    /** Deletes an (empty) consumer group; missing is fine. */
    void deleteGroup(String groupId) {
        try {
            admin.deleteConsumerGroups(List.of(groupId)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // The group may be unknown already, or still settling after close; it only costs a few bytes.
        } catch (Exception e) {
            throw rethrow("deleting group " + groupId, e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }

    private static RuntimeException rethrow(String activity, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return new IllegalStateException(activity + " failed: " + cause, cause);
    }
}
