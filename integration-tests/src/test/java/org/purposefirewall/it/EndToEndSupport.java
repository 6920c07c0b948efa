package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
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
import org.purposefirewall.config.Processing;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.ScenarioTraffic.Event;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.schema.SuppressedRecord;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * Support shared by the end-to-end tests ({@link FirewallEndToEndIT}, {@link RegistryEndToEndIT}): configuration,
 * topics, producing, reading the four outputs read_committed, and the firewall's decision id and match key as the
 * tests recompute them. Each test class passes its own settings (partitions, deadlines, client ids).
 */
final class EndToEndSupport {

    private EndToEndSupport() {
    }

    // ------------------------------------------------------------------------------------------------------------
    // Coordinates and the firewall's derived keys
    // ------------------------------------------------------------------------------------------------------------

    /** Where one record was written. */
    record Coord(String topic, int partition, long offset) {
        static Coord of(RecordMetadata metadata) {
            return new Coord(metadata.topic(), metadata.partition(), metadata.offset());
        }

        static Coord of(SourceCoordinates source) {
            return new Coord(source.getTopic(), source.getPartition(), source.getOffset());
        }

        @Override
        public String toString() {
            return topic + "/" + partition + "@" + offset;
        }
    }

    /** The decision id a contact point at {@code coord} must carry if forwarded, as Outputs.decisionId derives it. */
    static String decisionId(Coord coord, String policyVersion) {
        String basis = coord.topic() + '/' + coord.partition() + '/' + coord.offset() + '/' + policyVersion;
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String matchKey(ContactPoint contact) {
        return matchKey(contact.getIdentifierType(), contact.getValue());
    }

    /** The SHA-256 match key of a scenario identifier; it must normalize. */
    static String matchKey(IdentifierType type, String value) {
        IdentifierKind kind = IdentifierKind.valueOf(type.name());
        Normalization result = IdentifierNormalizer.normalize(kind, value);
        assertThat(result).as("normalization of a %s in the scenario", type).isInstanceOf(Normalization.Ok.class);
        return ((Normalization.Ok) result).sha256Hex();
    }

    /** Every key of a scenario identifier (each hash form and spelling it has), for checks that no form of it leaked. */
    static java.util.Collection<String> allMatchKeys(IdentifierType type, String value) {
        IdentifierKind kind = IdentifierKind.valueOf(type.name());
        Normalization result = IdentifierNormalizer.normalize(kind, value);
        assertThat(result).as("normalization of a %s in the scenario", type).isInstanceOf(Normalization.Ok.class);
        return ((Normalization.Ok) result).keys().all().stream().map(MatchKeys.Key::hex).toList();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Setup
    // ------------------------------------------------------------------------------------------------------------

    /** What a command of the CLI printed when run in-process, and its exit code. */
    record CommandResult(int code, String out, String err) {
    }

    /** The CLI's {@code command} in-process, as the launcher would run it, on {@code config} and {@code bootstrap}. */
    static CommandResult runCommand(String command, Path config, String bootstrap, String... more) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new org.purposefirewall.app.PurposeFirewallMain());
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of(command, "--config", config.toString(),
                "--bootstrap-servers=" + bootstrap));
        args.addAll(List.of(more));
        int code = cli.execute(args.toArray(String[]::new));
        return new CommandResult(code, out.toString(), err.toString());
    }

    /**
     * The shipped {@code application.yaml} and {@code policy.yaml} copied into {@code dir}, with every topic name
     * prefixed and the registry URL replaced: a config file a command of the CLI can be run on.
     */
    static Path shippedConfig(Path dir, String prefix, String registryUrl) throws java.io.IOException {
        Path shipped = Path.of(System.getProperty("user.dir")).resolve("../config").toAbsolutePath().normalize();
        Files.copy(shipped.resolve("policy.yaml"), dir.resolve("policy.yaml"));
        String yaml = Files.readString(shipped.resolve("application.yaml"))
                .replace("mock://purpose-firewall", registryUrl);
        for (String topic : List.of("user.contact-points", "privacy.consent", "privacy.purpose-registrations",
                "ads.audience-identifiers", "privacy.quarantine", "privacy.suppressed", "privacy.dead-letter",
                "ads.audience-recalls")) {
            yaml = yaml.replace(": " + topic + "\n", ": " + prefix + topic + "\n");
        }
        Path config = dir.resolve("application.yaml");
        Files.writeString(config, yaml);
        return config;
    }

    /** Sends one record with {@code time} as its timestamp and waits for its acknowledgement. */
    static RecordMetadata sendAndWait(KafkaProducer<String, byte[]> producer, String topic, String key,
                                      java.time.Instant time, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(topic, null, time.toEpochMilli(), key, value))
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** {@code config/application.yaml} of the repository, resolved from the module's working directory. */
    static FirewallConfig loadApplicationConfig() {
        Path file = Path.of(System.getProperty("user.dir")).resolve("../config/application.yaml")
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            fail("The repository's application config is missing: expected it at " + file + " (resolved from the "
                    + "working directory " + System.getProperty("user.dir") + "; run the IT from the "
                    + "integration-tests module, as Maven does)");
        }
        return new ConfigLoader().load(file);
    }

    /** {@code c} with other topics, processing settings and Kafka Streams properties. */
    static FirewallConfig rebuilt(FirewallConfig c, Topics topics, Processing processing,
                                  Map<String, String> streams) {
        return new FirewallConfig(c.applicationId(), c.bootstrapServers(), c.schemaRegistry(), topics, processing,
                c.identity(), streams, c.policyFile(), c.policy(), c.honeytokens());
    }

    static Topics prefixed(Topics t, String prefix) {
        return new Topics(prefix + t.contactPoints(), prefix + t.consent(), prefix + t.registrations(),
                prefix + t.audience(), prefix + t.quarantine(), prefix + t.suppressed(), prefix + t.deadLetter())
                .withRecalls(prefix + t.recalls()).withShadowDecisions(prefix + t.shadowDecisions());
    }

    /** Waits until Kafka Streams is RUNNING; fails at once if the firewall stopped, or after {@code deadline}. */
    static void awaitRunning(FirewallApp app, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (app.streams().state() != KafkaStreams.State.RUNNING) {
            if (app.failed() || !app.streams().state().isRunningOrRebalancing()
                    && app.streams().state() != KafkaStreams.State.CREATED) {
                fail("the firewall stopped: state %s, failed=%s", app.streams().state(), app.failed());
            }
            if (System.nanoTime() - end > 0) {
                fail("the firewall is not RUNNING within %s (state %s)", deadline, app.streams().state());
            }
            Thread.sleep(50);
        }
    }

    /** Kafka Streams' enforced-processing count per task (out-of-order processing after max.task.idle.ms). */
    static Map<String, Object> enforcedProcessing(FirewallApp app) {
        Map<String, Object> byTask = new TreeMap<>();
        app.streams().metrics().forEach((name, metric) -> {
            if (name.name().equals("enforced-processing-total")) {
                byTask.put(name.tags().getOrDefault("task-id", name.tags().toString()), metric.metricValue());
            }
        });
        return byTask;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Producing
    // ------------------------------------------------------------------------------------------------------------

    /** An idempotent producer with {@code acks=all} and 5 ms linger, plus {@code overrides}. */
    static KafkaProducer<String, byte[]> producer(String bootstrapServers, String clientIdPrefix,
                                                  Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putAll(overrides);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientIdPrefix + UUID.randomUUID());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    static ProducerRecord<String, byte[]> record(Event event) {
        return new ProducerRecord<>(event.topic(), null, event.timestamp(), event.key(), event.value());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Consuming
    // ------------------------------------------------------------------------------------------------------------

    /**
     * One output record, decoded; {@code source} is the input's coordinates as the record states them, null for
     * audience records (they carry a decision id).
     */
    record Output(Expected kind, String key, byte[] raw, Object value, Coord source) {
    }

    /** Reads the four output topics from the beginning with read_committed, decoding as it goes. */
    static final class OutputCollector implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, Expected> kindByTopic = new HashMap<>();
        private final FirewallSerdes serdes;
        private final Map<Expected, List<Output>> outputs = new EnumMap<>(Expected.class);
        private final String progressLabel;
        private final Duration closeTimeout;
        private int total;

        /**
         * @param consumerOverrides more consumer properties
         * @param progressLabel     if not null, {@link #pollUntilAtLeast} prints its progress every 15 s under this
         *                          label
         * @param closeTimeout      for closing the consumer; null for the consumer's default
         */
        OutputCollector(String bootstrapServers, int partitions, Topics topics, FirewallSerdes serdes,
                        String clientIdPrefix, Map<String, Object> consumerOverrides, String progressLabel,
                        Duration closeTimeout) {
            this.serdes = serdes;
            this.progressLabel = progressLabel;
            this.closeTimeout = closeTimeout;
            kindByTopic.put(topics.audience(), Expected.FORWARD);
            kindByTopic.put(topics.quarantine(), Expected.QUARANTINE);
            kindByTopic.put(topics.suppressed(), Expected.SUPPRESS);
            kindByTopic.put(topics.deadLetter(), Expected.DEAD_LETTER);
            for (Expected e : Expected.values()) {
                outputs.put(e, new ArrayList<>());
            }
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.putAll(consumerOverrides);
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + UUID.randomUUID());
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> assigned = new ArrayList<>();
            for (String topic : kindByTopic.keySet()) {
                for (int p = 0; p < partitions; p++) {
                    assigned.add(new TopicPartition(topic, p));
                }
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
        }

        List<Output> of(Expected kind) {
            return outputs.get(kind);
        }

        List<Output> all() {
            List<Output> all = new ArrayList<>();
            outputs.values().forEach(all::addAll);
            return all;
        }

        int total() {
            return total;
        }

        Map<Expected, Integer> counts() {
            Map<Expected, Integer> counts = new EnumMap<>(Expected.class);
            outputs.forEach((k, v) -> counts.put(k, v.size()));
            return counts;
        }

        Map<Expected, Long> countsAsLongs() {
            Map<Expected, Long> counts = new EnumMap<>(Expected.class);
            outputs.forEach((k, v) -> counts.put(k, (long) v.size()));
            return counts;
        }

        Map<String, Long> deadLetterReasons() {
            Map<String, Long> reasons = new TreeMap<>();
            for (Output out : outputs.get(Expected.DEAD_LETTER)) {
                reasons.merge(((DeadLetterRecord) out.value()).getReason(), 1L, Long::sum);
            }
            return reasons;
        }

        /** Polls until at least {@code expected} records were read; fails with the counts after {@code deadline}. */
        void pollUntilAtLeast(long expected, Duration deadline) {
            long start = System.nanoTime();
            long end = start + deadline.toNanos();
            long lastReport = start;
            while (total < expected) {
                if (System.nanoTime() - end > 0) {
                    fail("only %d of %d outputs arrived (read_committed) within %s; per output %s",
                            total, expected, deadline, counts());
                }
                pollOnce(Duration.ofMillis(500));
                if (progressLabel != null && System.nanoTime() - lastReport > 15_000_000_000L) {
                    lastReport = System.nanoTime();
                    System.out.printf("[%s] ... %d of %d outputs after %d s %s%n", progressLabel, total, expected,
                            (lastReport - start) / 1_000_000_000L, counts());
                }
            }
        }

        /** Keeps reading for {@code period}, so that duplicates or strays beyond the expected count show up. */
        void drain(Duration period) {
            long end = System.nanoTime() + period.toNanos();
            while (System.nanoTime() - end < 0) {
                pollOnce(Duration.ofMillis(200));
            }
        }

        void pollOnce(Duration timeout) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
                Expected kind = kindByTopic.get(record.topic());
                Object value;
                SourceCoordinates source;
                switch (kind) {
                    case FORWARD -> {
                        value = serdes.audience().decode(record.value());
                        source = null;
                    }
                    case QUARANTINE -> {
                        QuarantineRecord q = serdes.quarantine().decode(record.value());
                        value = q;
                        source = q.getSource();
                    }
                    case SUPPRESS -> {
                        SuppressedRecord s = serdes.suppressed().decode(record.value());
                        value = s;
                        source = s.getSource();
                    }
                    default -> {
                        DeadLetterRecord d = serdes.deadLetter().decode(record.value());
                        value = d;
                        source = d.getSource();
                    }
                }
                Coord coord = source == null ? null : Coord.of(source);
                outputs.get(kind).add(new Output(kind, record.key(), record.value(), value, coord));
                total++;
            }
        }

        @Override
        public void close() {
            if (closeTimeout == null) {
                consumer.close();
            } else {
                consumer.close(closeTimeout);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Small things
    // ------------------------------------------------------------------------------------------------------------

    static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    static long total(Map<Expected, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
