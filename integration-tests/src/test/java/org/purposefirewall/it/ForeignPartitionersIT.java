package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.it.EndToEndSupport.awaitRunning;
import static org.purposefirewall.it.EndToEndSupport.loadApplicationConfig;
import static org.purposefirewall.it.EndToEndSupport.producer;
import static org.purposefirewall.it.EndToEndSupport.rebuilt;
import static org.purposefirewall.it.EndToEndSupport.record;

import ch.qos.logback.classic.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.Crc32Partitioner;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.fixtures.ScenarioTraffic.Event;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.it.EndToEndSupport.Coord;
import org.purposefirewall.it.EndToEndSupport.OutputCollector;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.monitoring.MetricNames;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.serde.FirewallSerdes;
import org.slf4j.LoggerFactory;

/**
 * Issue 9, part 1, on a real broker: a record's partition never decides whether a security identifier is forwarded.
 * Consent is written with a partitioner that mimics librdkafka's default ({@code consistent_random}: CRC32 of the
 * key), registrations with a random one, and half of the contact points with the CRC32 one, so most side records
 * and many data records sit on another partition than their user's murmur2 home. Each batch of users' side records
 * is acknowledged by the broker before their contact points are sent: the barrier's precondition, "committed before
 * the data record was read". Then every contact point must end in exactly one output with the scenario's outcome,
 * and no identifier registered for security may reach the ad topic.
 */
class ForeignPartitionersIT {

    private static final int PARTITIONS = 4;
    private static final int USERS = 24_000;
    private static final int BATCH = 2_000;
    private static final Duration OUTPUT_DEADLINE = Duration.ofMinutes(5);
    private static final String DEAD_LETTER_LOGGER = "org.purposefirewall.topology.Outputs";

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();
    private static Level previousLevel;

    /** Any partition, whatever the key. */
    public static final class RandomPartitioner implements Partitioner {
        private final Random random = new Random(42);

        @Override
        public synchronized int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes,
                                          Cluster cluster) {
            return random.nextInt(cluster.partitionsForTopic(topic).size());
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }

    @BeforeAll
    static void quietDeadLetterLog() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(DEAD_LETTER_LOGGER);
        previousLevel = log.getLevel();
        log.setLevel(Level.ERROR);
    }

    @AfterAll
    static void restoreDeadLetterLog() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(DEAD_LETTER_LOGGER)).setLevel(previousLevel);
    }

    @Test
    @Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
    void shouldNeverForwardASecurityIdentifierWhateverPartitionerWroteTheSideRecords(@TempDir Path stateDir)
            throws Exception {
        runScenario(stateDir, USERS);
    }

    /**
     * The same with the machine starved: four busy threads on two cores for the whole run, so the stream thread, the
     * barrier's poller and the broker all run late. Offsets, not timing, decide when a record is decided, so the
     * outcome is the same, only slower.
     */
    @Test
    @Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
    void shouldNeverForwardASecurityIdentifierWhenTheMachineIsStarved(@TempDir Path stateDir) throws Exception {
        try (BusyCores starving = BusyCores.start(4)) {
            runScenario(stateDir, USERS / 2);
        }
    }

    private void runScenario(Path stateDir, int users) throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        FirewallConfig file = loadApplicationConfig();
        Topics topics = EndToEndSupport.prefixed(file.topics(), "fp-" + unique + ".");
        SchemaRegistryConfig registry = file.schemaRegistry().withUrl("mock://fp-" + unique);
        FirewallConfig base = file.withBootstrapServers(BROKER.get().bootstrapServers()).withSchemaRegistry(registry)
                .withApplicationId("it-partitioners-" + unique, stateDir);
        FirewallConfig config = rebuilt(base, topics, base.processing(), base.streams());
        FirewallTopics.createAll(BROKER.get(), topics, PARTITIONS);
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        ScenarioTraffic traffic = new ScenarioTraffic(topics, serdes, System.currentTimeMillis() - 3_600_000L);

        Map<Coord, Expected> expected = new HashMap<>();
        Map<Coord, String> userOf = new HashMap<>();
        int offHome = 0;
        int sideRecords = 0;
        try (FirewallApp app = new FirewallApp(config, serdes);
             KafkaProducer<String, byte[]> crc32 = producer(BROKER.get().bootstrapServers(), "fp-crc32-",
                     Map.of(ProducerConfig.PARTITIONER_CLASS_CONFIG, Crc32Partitioner.class.getName()));
             KafkaProducer<String, byte[]> random = producer(BROKER.get().bootstrapServers(), "fp-random-",
                     Map.of(ProducerConfig.PARTITIONER_CLASS_CONFIG, RandomPartitioner.class.getName()));
             KafkaProducer<String, byte[]> java = producer(BROKER.get().bootstrapServers(), "fp-java-", Map.of());
             OutputCollector outputs = new OutputCollector(BROKER.get().bootstrapServers(), PARTITIONS, topics, serdes,
                     "fp-outputs-", Map.of(), "ForeignPartitionersIT", null)) {
            app.start();
            awaitRunning(app, Duration.ofSeconds(90));
            for (int from = 0; from < users; from += BATCH) {
                List<Future<RecordMetadata>> side = new ArrayList<>();
                List<String> sideKeys = new ArrayList<>();
                List<Event> contacts = new ArrayList<>();
                for (int i = from; i < from + BATCH; i++) {
                    for (Event event : traffic.user(i)) {
                        if (event.topic().equals(topics.consent())) {
                            side.add(crc32.send(record(event)));
                            sideKeys.add(event.key());
                        } else if (event.topic().equals(topics.registrations())) {
                            side.add(random.send(record(event)));
                            sideKeys.add(event.key());
                        } else {
                            contacts.add(event);
                        }
                    }
                }
                crc32.flush();
                random.flush();
                for (int k = 0; k < side.size(); k++) {
                    RecordMetadata meta = side.get(k).get();
                    sideRecords++;
                    if (meta.partition() != murmur2Partition(sideKeys.get(k))) {
                        offHome++;
                    }
                }
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int c = 0; c < contacts.size(); c++) {
                    KafkaProducer<String, byte[]> p = c % 2 == 0 ? crc32 : java;
                    sent.add(p.send(record(contacts.get(c))));
                }
                crc32.flush();
                java.flush();
                for (int c = 0; c < contacts.size(); c++) {
                    Coord coord = Coord.of(sent.get(c).get());
                    expected.put(coord, contacts.get(c).expected());
                    userOf.put(coord, contacts.get(c).key());
                }
            }
            System.out.printf("[ForeignPartitionersIT] %d side records (%d off their murmur2 partition), %d contact "
                    + "points%n", sideRecords, offHome, expected.size());

            outputs.pollUntilAtLeast(expected.size(), OUTPUT_DEADLINE);
            outputs.drain(Duration.ofSeconds(3));

            Map<Coord, List<Expected>> outcomes = new HashMap<>();
            for (EndToEndSupport.Output out : outputs.all()) {
                Coord coord = out.kind() == Expected.FORWARD ? coordOfDecision(out, expected, config) : out.source();
                outcomes.computeIfAbsent(coord, k -> new ArrayList<>()).add(out.kind());
            }
            List<String> wrong = new ArrayList<>();
            Map<Expected, Integer> leaks = new EnumMap<>(Expected.class);
            for (Map.Entry<Coord, Expected> e : expected.entrySet()) {
                List<Expected> got = outcomes.getOrDefault(e.getKey(), List.of());
                if (got.size() != 1 || got.get(0) != e.getValue()) {
                    if (wrong.size() < 20) {
                        wrong.add(e.getKey() + " " + userOf.get(e.getKey()) + ": expected " + e.getValue()
                                + ", got " + got);
                    }
                    if (e.getValue() == Expected.QUARANTINE && got.contains(Expected.FORWARD)) {
                        leaks.merge(Expected.QUARANTINE, 1, Integer::sum);
                    }
                }
            }
            assertThat(leaks).as("security identifiers forwarded to the ad topic").isEmpty();
            assertThat(wrong).as("contact points without exactly their expected output").isEmpty();
            assertThat(outputs.total()).as("outputs in all (none extra)").isEqualTo(expected.size());
            assertThat(offHome).as("side records off their home partition").isGreaterThan(sideRecords / 2);
            assertThat(metricTotal(app, MetricNames.REHOMED)).as("records-rehomed")
                    .isGreaterThanOrEqualTo(offHome + expected.size() / 4.0);
            assertThat(app.failed()).isFalse();
            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    /** The partition Kafka's default partitioner would have chosen for the key. */
    private static int murmur2Partition(String key) {
        return BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), PARTITIONS);
    }

    private static Coord coordOfDecision(EndToEndSupport.Output out, Map<Coord, Expected> expected,
                                         FirewallConfig config) {
        String decisionId = ((AudienceIdentifier) out.value()).getDecisionId();
        return decisionIndex(expected, config).get(decisionId);
    }

    private static Map<String, Coord> index;

    @org.junit.jupiter.api.BeforeEach
    void forgetDecisionIndex() {
        index = null;
    }

    private static Map<String, Coord> decisionIndex(Map<Coord, Expected> expected, FirewallConfig config) {
        if (index == null) {
            index = new HashMap<>();
            for (Coord coord : expected.keySet()) {
                index.put(EndToEndSupport.decisionId(coord, config.policy().version()), coord);
            }
        }
        return index;
    }

    private static double metricTotal(FirewallApp app, String operation) {
        double sum = 0;
        for (var e : app.streams().metrics().entrySet()) {
            if (e.getKey().group().equals(MetricNames.GROUP) && e.getKey().name().equals(MetricNames.total(operation))) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }
}
