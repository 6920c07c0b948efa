package org.purposefirewall.benchmarks;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * End-to-end latency of the firewall as a user sees it: contact points are produced at a fixed rate, with one
 * consent update per second per partition (a re-grant, so every contact point is still forwarded), and each
 * forwarded identifier's latency is the time from its send to its read_committed consumption on the ad topic (the
 * contact point's event time is its send time, and the audience record carries it). One in-process broker, the
 * firewall as {@link FirewallApp} runs it (exactly-once, side-record barrier, settle window from the config).
 *
 * <p>Usage: {@code LatencyBenchmark [--rate RECORDS_PER_S] [--seconds S] [--partitions P] [--config FILE]}.
 */
public final class LatencyBenchmark {

    private static final int USERS = 10_000;

    private LatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rate = 50;
        int seconds = 60;
        int partitions = 4;
        Path configFile = Path.of("config/application.yaml");
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--rate" -> rate = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--partitions" -> partitions = Integer.parseInt(value);
                case "--config" -> configFile = Path.of(value);
                default -> {
                    System.err.println("usage: LatencyBenchmark [--rate N] [--seconds S] [--partitions P] "
                            + "[--config FILE]");
                    System.exit(2);
                }
            }
        }
        System.exit(run(rate, seconds, partitions, configFile, System.out));
    }

    static int run(int rate, int seconds, int partitions, Path configFile, PrintStream out) throws Exception {
        String scope = "latency-" + UUID.randomUUID();
        FirewallConfig file = new ConfigLoader().load(configFile);
        SchemaRegistryConfig registry = file.schemaRegistry().withUrl("mock://" + scope);
        Path state = Files.createTempDirectory("purpose-firewall-latency-");
        try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
            FirewallConfig config = file.withSchemaRegistry(registry).withBootstrapServers(broker.bootstrapServers())
                    .withApplicationId("latency-" + scope.substring(8, 16), state);
            Topics topics = config.topics();
            FirewallTopics.createAll(broker, topics, partitions);
            FirewallSerdes serdes = FirewallSerdes.fromSettings(registry);
            try (FirewallApp app = new FirewallApp(config, serdes);
                 KafkaProducer<String, byte[]> producer = producer(broker);
                 KafkaConsumer<String, byte[]> consumer = consumer(broker, topics.audience(), partitions)) {
                app.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (app.streams().state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                long t0 = System.currentTimeMillis() - 60_000;
                for (int u = 0; u < USERS; u++) {
                    producer.send(consentRecord(topics, serdes, user(u), t0));
                }
                producer.flush();
                out.printf("latency: %d users' consent loaded; %d contact points/s for %d s, one consent update per "
                        + "second per partition, %d partitions, settle-ms %d, exactly-once%n", USERS, rate, seconds,
                        partitions, config.processing().settle().toMillis());
                // Warm up (JIT, schema caches, the barrier's first rounds): 5 s, not measured.
                List<Long> latencies = new ArrayList<>();
                long sent = produce(producer, consumer, topics, serdes, rate, 5, partitions, null);
                drain(consumer, sent, null);
                long measured = produce(producer, consumer, topics, serdes, rate, seconds, partitions, latencies);
                drain(consumer, measured - latencies.size(), latencies);
                Collections.sort(latencies);
                out.printf("latency (produce -> read_committed on %s), %d of %d forwarded: p50 %d ms, p95 %d ms, "
                                + "p99 %d ms, max %d ms%n", topics.audience(), latencies.size(), measured,
                        percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 99),
                        latencies.isEmpty() ? -1 : latencies.get(latencies.size() - 1));
                return latencies.size() == measured ? 0 : 1;
            }
        } finally {
            org.purposefirewall.registry.MockSchemaRegistryClient.dropScope(scope);
        }
    }

    /** Sends {@code rate} contact points a second for {@code seconds}; reads what arrives meanwhile. */
    private static long produce(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> consumer,
                                Topics topics, FirewallSerdes serdes, int rate, int seconds, int partitions,
                                List<Long> latencies) {
        long start = System.nanoTime();
        long sent = 0;
        long total = (long) rate * seconds;
        long nextSide = start;
        while (sent < total) {
            long due = start + (long) (sent * (1e9 / rate));
            long now = System.nanoTime();
            if (now >= nextSide) {
                // One consent update per partition, for a user homed there: a re-grant that changes no outcome.
                for (int p = 0; p < partitions; p++) {
                    producer.send(consentRecord(topics, serdes, userOn(p, partitions, (int) (now % USERS)),
                            System.currentTimeMillis() - 30_000));
                }
                nextSide += 1_000_000_000L;
            }
            if (now >= due) {
                String user = user((int) (sent % USERS));
                long at = System.currentTimeMillis();
                ContactPoint contact = ContactPoint.newBuilder().setUserId(user)
                        .setIdentifierType(IdentifierType.EMAIL).setValue(user + "@example.com")
                        .setDeclaredPurposes(List.of()).setSourceSystem("latency-benchmark")
                        .setEventTime(Instant.ofEpochMilli(at)).setAttributes(Map.of()).build();
                producer.send(new ProducerRecord<>(topics.contactPoints(), null, at, user,
                        serdes.contactPoint().encode(topics.contactPoints(), contact)));
                sent++;
            } else {
                read(consumer, Duration.ofMillis(1), latencies);
            }
        }
        producer.flush();
        return sent;
    }

    private static void drain(KafkaConsumer<String, byte[]> consumer, long expected, List<Long> latencies) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long seen = 0;
        while (seen < expected && System.nanoTime() < end) {
            seen += read(consumer, Duration.ofMillis(100), latencies);
        }
    }

    private static long read(KafkaConsumer<String, byte[]> consumer, Duration timeout, List<Long> latencies) {
        long now = System.currentTimeMillis();
        long n = 0;
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            n++;
            if (latencies != null) {
                // The audience record's event time is the contact point's, which was its send time.
                latencies.add(now - record.timestamp());
            }
        }
        return n;
    }

    private static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String user(int i) {
        return "latency-user-" + i;
    }

    private static String userOn(int partition, int partitions, int from) {
        for (int i = from; ; i = (i + 1) % USERS) {
            if (BuiltInPartitioner.partitionForKey(user(i).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    partitions) == partition) {
                return user(i);
            }
        }
    }

    private static ProducerRecord<String, byte[]> consentRecord(Topics topics, FirewallSerdes serdes, String user,
                                                                long effective) {
        ConsentState state = ConsentState.newBuilder().setUserId(user)
                .setPurposes(List.of(new PurposeConsent("marketing.advertising", ConsentStatus.GRANTED)))
                .setOptOutOfTargetedAdvertising(false).setOptOutOfSale(false).setSource("latency-benchmark")
                .setEffectiveTime(Instant.ofEpochMilli(effective)).build();
        return new ProducerRecord<>(topics.consent(), null, effective, user,
                serdes.consentState().encode(topics.consent(), state));
    }

    private static KafkaProducer<String, byte[]> producer(LocalKafkaBroker broker) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(LocalKafkaBroker broker, String topic, int partitions) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> assigned = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            assigned.add(new TopicPartition(topic, p));
        }
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        return consumer;
    }
}
