package org.purposefirewall.kafkalocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a real broker in the test JVM and checks what the firewall relies on: idempotent delivery without loss or
 * duplicates, and transactions whose aborted records stay invisible to {@code read_committed} consumers.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalKafkaBrokerIT {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBrokerIT.class);
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(30);

    private static LocalKafkaBroker broker;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        long start = System.nanoTime();
        broker = LocalKafkaBroker.start();
        LOG.info("Broker started in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            long start = System.nanoTime();
            broker.close();
            LOG.info("Broker stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
    }

    @Test
    void shouldDeliverEveryRecordOfAnIdempotentProducerExactlyOnceAndInOrderPerPartition() throws Exception {
        String topic = "idempotent-round-trip";
        broker.createTopic(topic, 3);
        Map<String, String> expected = new LinkedHashMap<>();
        for (int i = 0; i < 1_000; i++) {
            expected.put(String.format(Locale.ROOT, "key-%04d", i), String.format(Locale.ROOT, "value-%04d", i));
        }

        long produceStart = System.nanoTime();
        Set<Integer> partitionsWritten = new TreeSet<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(broker, Map.of()))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            expected.forEach((key, value) -> acks.add(producer.send(new ProducerRecord<>(topic, key, value))));
            for (Future<RecordMetadata> ack : acks) {
                partitionsWritten.add(ack.get(30, TimeUnit.SECONDS).partition());
            }
        }
        LOG.info("Produced {} records in {} ms", expected.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - produceStart));

        List<ConsumerRecord<String, String>> consumed = consumeAll(broker, topic, IsolationLevel.READ_COMMITTED);

        assertThat(partitionsWritten).containsExactly(0, 1, 2);
        assertThat(consumed).hasSize(expected.size());
        Map<String, String> consumedByKey = consumed.stream()
                .collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value));
        assertThat(consumedByKey).containsExactlyInAnyOrderEntriesOf(expected);
        // The producer sent keys in ascending order; idempotence must keep that order within each partition.
        Map<Integer, List<String>> keysByPartition = consumed.stream().collect(Collectors.groupingBy(
                ConsumerRecord::partition, Collectors.mapping(ConsumerRecord::key, Collectors.toList())));
        assertThat(keysByPartition).containsOnlyKeys(0, 1, 2);
        keysByPartition.values().forEach(keys -> assertThat(keys).isSorted());
    }

    @Test
    void shouldHideAbortedTransactionsFromReadCommittedConsumersAndShowCommittedOnes() {
        String topic = "transactions";
        broker.createTopic(topic, 3);
        List<String> abortedKeys = keys("aborted", 50);
        List<String> committedKeys = keys("committed", 50);

        Map<String, Object> transactional = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kafka-local-it-tx");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(broker, transactional))) {
            producer.initTransactions();
            producer.beginTransaction();
            abortedKeys.forEach(key -> producer.send(new ProducerRecord<>(topic, key, "must-stay-invisible")));
            // Flushing first puts the records in the log, so the abort must hide data that is really there.
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            committedKeys.forEach(key -> producer.send(new ProducerRecord<>(topic, key, "visible")));
            producer.commitTransaction();
        }

        List<ConsumerRecord<String, String>> readCommitted =
                consumeAll(broker, topic, IsolationLevel.READ_COMMITTED);
        List<ConsumerRecord<String, String>> readUncommitted =
                consumeAll(broker, topic, IsolationLevel.READ_UNCOMMITTED);

        assertThat(readCommitted).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(committedKeys);
        assertThat(readCommitted).extracting(ConsumerRecord::value).containsOnly("visible");
        List<String> allKeys = new ArrayList<>(abortedKeys);
        allKeys.addAll(committedKeys);
        assertThat(readUncommitted).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(allKeys);
    }

    @Test
    void shouldCreateACompactedTopicThatAcceptsWritesAtOnce() throws Exception {
        String topic = "compacted";
        broker.createTopic(topic, 2, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0"));

        RecordMetadata written;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(broker, Map.of()))) {
            written = producer.send(new ProducerRecord<>(topic, "k", "v")).get(10, TimeUnit.SECONDS);
        }

        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        assertThat(description.partitions()).hasSize(2)
                .allSatisfy(partition -> assertThat(partition.replicas()).hasSize(1));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                .get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(written.offset()).isZero();
    }

    @Test
    void shouldCreateSeveralTopicsAtOnceWithTheBrokerDefaults() throws Exception {
        broker.createTopics(Map.of("several-a", 1, "several-b", 4), Map.of());

        Map<String, TopicDescription> descriptions =
                admin.describeTopics(List.of("several-a", "several-b")).allTopicNames().get();
        assertThat(descriptions.get("several-a").partitions()).hasSize(1);
        assertThat(descriptions.get("several-b").partitions()).hasSize(4);
    }

    @Test
    void shouldRefuseToCreateATopicThatAlreadyExists() {
        broker.createTopic("exists-once", 1);

        assertThatThrownBy(() -> broker.createTopic("exists-once", 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exists-once")
                .hasCauseInstanceOf(TopicExistsException.class);
    }

    @Test
    void shouldNotCreateTopicsOnFirstUse() {
        assertThatThrownBy(() -> broker.awaitTopicsReady(List.of("never-created"), Duration.ofSeconds(3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never-created")
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void shouldDeleteItsTemporaryLogDirectoryOnCloseAndTolerateASecondClose() {
        LocalKafkaBroker second = LocalKafkaBroker.start();
        Path logDir = second.logDir();
        assertThat(logDir).isDirectory();
        assertThat(second.port()).isNotEqualTo(broker.port());

        second.close();

        assertThat(logDir).doesNotExist();
        assertThat(logDir.getParent()).doesNotExist();
        assertThatCode(second::close).doesNotThrowAnyException();
        assertThatThrownBy(() -> second.createTopic("after-close", 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void shouldKeepACallerOwnedLogDirectoryAndItsRecordsAcrossARestart(@TempDir Path logDir) throws Exception {
        LocalKafkaBroker.Options options = LocalKafkaBroker.Options.defaults().withLogDir(logDir);
        try (LocalKafkaBroker first = LocalKafkaBroker.start(options);
                KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(first, Map.of()))) {
            first.createTopic("durable", 1);
            producer.send(new ProducerRecord<>("durable", "kept-key", "kept-value")).get(10, TimeUnit.SECONDS);
        }
        assertThat(logDir.resolve("meta.properties")).isRegularFile();

        try (LocalKafkaBroker restarted = LocalKafkaBroker.start(options)) {
            restarted.awaitTopicsReady(List.of("durable"));

            List<ConsumerRecord<String, String>> records =
                    consumeAll(restarted, "durable", IsolationLevel.READ_COMMITTED);

            assertThat(records).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("kept-key");
                assertThat(record.value()).isEqualTo("kept-value");
            });
        }
        assertThat(logDir).isNotEmptyDirectory();
    }

    private static Map<String, Object> producerConfig(LocalKafkaBroker target, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.putAll(extra);
        return config;
    }

    /**
     * Reads every partition of {@code topic} from the beginning up to its high watermark. Reaching the high
     * watermark, rather than the last stable offset, also waits for transaction markers the coordinator may
     * still be writing after {@code commitTransaction()} returned.
     */
    private static List<ConsumerRecord<String, String>> consumeAll(
            LocalKafkaBroker target, String topic, IsolationLevel isolation) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        try (Admin targetAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                target.bootstrapServers()));
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            Map<TopicPartition, OffsetSpec> latest = partitions.stream()
                    .collect(Collectors.toMap(partition -> partition, partition -> OffsetSpec.latest()));
            Map<TopicPartition, Long> highWatermarks = new HashMap<>();
            targetAdmin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .all().get(10, TimeUnit.SECONDS)
                    .forEach((partition, info) -> highWatermarks.put(partition, info.offset()));

            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
            while (!partitions.stream().allMatch(p -> consumer.position(p) >= highWatermarks.get(p))) {
                assertThat(System.nanoTime() - deadline)
                        .as("consumed %s up to %s within %s", topic, highWatermarks, CONSUME_TIMEOUT)
                        .isNegative();
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        } catch (Exception e) {
            throw new AssertionError("Cannot read " + topic + " back", e);
        }
    }

    private static List<String> keys(String prefix, int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(prefix + "-" + i);
        }
        return keys;
    }
}
