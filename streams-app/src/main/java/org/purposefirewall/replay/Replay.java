package org.purposefirewall.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.monitor.Redaction;
import org.purposefirewall.policy.ReplayChange;
import org.purposefirewall.policy.ReplayChange.Fate;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.report.TopicReader;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.serde.FirewallSerdes;
import org.purposefirewall.topology.DecisionObserver;
import org.purposefirewall.topology.FirewallTopology;

/**
 * Re-decides the data records of a {@link Scope} with the service's own topology, and compares each outcome with
 * what the service actually wrote for the record.
 *
 * <p>The one guarantee: <b>each data record is decided with every side record whose event time is at or before its
 * own applied first, whenever that side record arrived</b> (hindsight), by the same processors, stores and policy
 * code as the live service, in Kafka Streams' in-process {@link TopologyTestDriver} (one partition, in-process
 * state under a scratch directory, no producer). So a difference is either what a candidate policy changes, or a
 * record the service decided before a side record arrived late (it was then recalled, if it was forwarded).
 *
 * <p>How: every input in scope is read (read_committed, no consumer group), ordered by event time with side records
 * first at equal times, and piped; the driver's clock follows the records' Kafka timestamps, so event-time
 * plausibility is judged as at arrival. Consent that arrives later is already applied, so the replay never holds a
 * record for late consent. Outputs of the replay are serialized through a private in-memory registry: nothing is
 * registered in the real one, nothing is written to any topic, the running service's state is not read.
 *
 * <p>Memory: every input in scope is held once, as bytes (about its size plus 100 bytes), and one small entry per
 * output of the service for a record in scope. Not thread-safe; one per run.
 */
public final class Replay {

    /**
     * What a replay needs.
     *
     * @param config the configuration to replay with: its policy is the one that decides (the configured one or a
     *     candidate); its topics are where inputs and the service's outputs are read
     * @param serdes the service's serdes over the real registry: inputs are decoded with them, nothing is
     *     registered through them
     * @param streams the Kafka Streams properties the service runs with (the driver needs its application id)
     * @param client consumer properties for reading the cluster
     * @param scope which data records to re-decide
     * @param workDir scratch directory for the driver's state; emptied and removed after the run
     * @param observer sees each replayed decision with what it was taken on ({@code explain}), or null
     */
    public record Request(FirewallConfig config, FirewallSerdes serdes, Properties streams,
                          Map<String, Object> client, Scope scope, Path workDir, DecisionObserver observer) {
        public Request {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(serdes, "serdes");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(workDir, "workDir");
        }

        /**
         * The replay of {@code scope} under {@code config} (its policy decides), beside the running service and never
         * inside it: its own application id ({@code <application-id>-replay}) for the driver, and no waiting for
         * late consent, since with hindsight every side record up to a record's time is already applied.
         *
         * @param streamsSettings turns a configuration into its Kafka Streams properties (the service's own rules)
         */
        public static Request of(FirewallConfig config, Function<FirewallConfig, Properties> streamsSettings,
                                 Scope scope, Path workDir, DecisionObserver observer) {
            FirewallConfig replay = config.withProcessing(config.processing().toBuilder()
                    .consentHold(Duration.ZERO).build());
            Properties streams = streamsSettings.apply(replay);
            streams.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId() + "-replay");
            return new Request(replay, FirewallSerdes.fromSettings(config.schemaRegistry()), streams,
                    TopicReader.clientProperties(config), scope, workDir, observer);
        }
    }

    /**
     * One data record's fate then (the service's outputs) and now (the replay's).
     *
     * @param change what the difference means, or null if the fates agree
     * @param then the first of the service's outputs for the record, or null if none
     * @param now the first of the replay's outputs for the record, or null if none
     */
    public record Comparison(ReplayChange change, Output.Source source, long eventTime, Fate thenFate,
                             Output then, Fate nowFate, Output now) {
    }

    /** Receives each data record's comparison as it is made, in replay (event-time) order. */
    public interface Listener {
        void compared(Comparison comparison);
    }

    /**
     * The run's totals.
     *
     * @param sideRecords consent and registration records applied
     * @param dataRecords data records re-decided
     * @param agreed data records whose replayed fate equals the service's
     * @param changes differences by kind
     * @param serviceOutputs outputs of the service read
     * @param unreadableOutputs outputs of the service that could not be decoded (skipped)
     * @param reading time spent reading the cluster
     * @param replaying time spent re-deciding
     */
    public record Summary(long sideRecords, long dataRecords, long agreed, Map<ReplayChange, Long> changes,
                          long serviceOutputs, long unreadableOutputs, Duration reading, Duration replaying) {

        public long differences() {
            return changes.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Data records re-decided per second of replaying. */
        public double rate() {
            double seconds = replaying.toNanos() / 1e9;
            return seconds <= 0 ? 0 : dataRecords / seconds;
        }
    }

    /**
     * Reads further back than {@code --from} by Kafka timestamp, since a record's event time may be ahead of its
     * Kafka timestamp (by at most the firewall's skew bound for a record it accepts) and an output's timestamp is
     * its input's event time.
     */
    static final Duration READ_SLACK = Duration.ofDays(1);
    /** How many records are piped between two reads of the driver's outputs. */
    private static final int DRAIN_EVERY = 256;
    /** The driver's clock moves when a record's timestamp is this far ahead: fine enough for the skew bound. */
    private static final long CLOCK_STEP_MS = 1_000L;

    private final Request request;
    private final Progress progress;
    private final Listener listener;
    private final Topics topics;
    private final Map<String, Integer> topicIndex = new HashMap<>();
    private final List<String> topicNames = new ArrayList<>();
    private final List<Piped> inputs = new ArrayList<>();
    private final Set<Output.Source> wanted = new HashSet<>();
    private final Map<ReplayChange, Long> changes = new EnumMap<>(ReplayChange.class);
    private long sideRecords;
    private long dataRecords;
    private long agreed;

    private Replay(Request request, Listener listener, Progress progress) {
        this.request = request;
        this.listener = listener;
        this.progress = progress;
        this.topics = request.config().topics();
    }

    /**
     * Runs a replay: reads, re-decides, compares. Differences go to {@code listener} as they are found.
     *
     * @throws IllegalStateException if a topic does not exist or cannot be read in time
     */
    public static Summary run(Request request, Listener listener, Progress progress) {
        return new Replay(request, listener, progress).run();
    }

    private Summary run() {
        long started = System.nanoTime();
        Fates then = new Fates(wanted);
        long[] unreadable = {0};
        try (TopicReader reader = new TopicReader(request.client(), "purpose-firewall-replay", Duration.ofHours(2))) {
            readInputs(reader);
            readServiceOutputs(reader, then, unreadable);
        }
        Duration reading = Duration.ofNanos(System.nanoTime() - started);
        inputs.sort(Comparator.comparingLong((Piped p) -> p.eventTime)
                .thenComparing(p -> !p.side)
                .thenComparingInt(p -> p.topic)
                .thenComparingInt(p -> p.partition)
                .thenComparingLong(p -> p.offset));
        long replayStarted = System.nanoTime();
        replay(then);
        Duration replaying = Duration.ofNanos(System.nanoTime() - replayStarted);
        return new Summary(sideRecords, dataRecords, agreed, Map.copyOf(changes), then.read(), unreadable[0],
                reading, replaying);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading
    // ---------------------------------------------------------------------------------------------------------

    private void readInputs(TopicReader reader) {
        Scope scope = request.scope();
        FirewallSerdes serdes = request.serdes();
        Map<String, Map<TopicPartition, TopicReader.Range>> side = new HashMap<>();
        side.put(topics.consent(), reader.ranges(topics.consent(), null));
        side.put(topics.registrations(), reader.ranges(topics.registrations(), null));
        Map<String, Map<TopicPartition, TopicReader.Range>> data = new HashMap<>();
        List<String> dataTopics = new ArrayList<>();
        dataTopics.add(topics.contactPoints());
        dataTopics.addAll(topics.guarded());
        Instant readFrom = scope.from() == null ? null : scope.from().minus(READ_SLACK);
        for (String topic : dataTopics) {
            if (scope.offsets().isEmpty()) {
                data.put(topic, reader.ranges(topic, readFrom));
            } else {
                Map<TopicPartition, TopicReader.Range> ranges = new HashMap<>();
                for (Scope.OffsetRange r : scope.offsets()) {
                    if (r.topic().equals(topic)) {
                        ranges.putAll(reader.range(topic, r.partition(), r.from(), r.to()));
                    }
                }
                data.put(topic, ranges);
            }
        }
        for (Scope.OffsetRange r : scope.offsets()) {
            if (!dataTopics.contains(r.topic())) {
                throw new IllegalArgumentException("--offsets names " + r.topic() + ", which is not an input "
                        + "topic the firewall decides (" + String.join(", ", dataTopics) + ")");
            }
        }
        long total = Stream.concat(side.values().stream(), data.values().stream())
                .flatMap(m -> m.values().stream()).mapToLong(TopicReader.Range::size).sum();
        progress.start("reading inputs", total);
        long[] seen = {0};
        for (Map.Entry<String, Map<TopicPartition, TopicReader.Range>> e : side.entrySet()) {
            boolean consent = e.getKey().equals(topics.consent());
            reader.read(e.getValue(), r -> {
                progress.advance(++seen[0]);
                Timed t = consent
                        ? timed(r, bytes -> serdes.consentState().decode(bytes), ConsentState::getUserId,
                            c -> c.getEffectiveTime().toEpochMilli())
                        : timed(r, bytes -> serdes.registration().decode(bytes), PurposeRegistration::getUserId,
                            g -> g.getEventTime().toEpochMilli());
                if (scope.sideInScope(t.eventTime(), t.user())) {
                    add(r, t.eventTime(), true);
                    sideRecords++;
                }
            });
        }
        for (Map.Entry<String, Map<TopicPartition, TopicReader.Range>> e : data.entrySet()) {
            boolean contactPoints = e.getKey().equals(topics.contactPoints());
            reader.read(e.getValue(), r -> {
                progress.advance(++seen[0]);
                // A guarded topic's event time is its Kafka timestamp, as the topology takes it.
                Timed t = contactPoints
                        ? timed(r, bytes -> serdes.contactPoint().decode(bytes), ContactPoint::getUserId,
                            c -> c.getEventTime().toEpochMilli())
                        : new Timed(Math.max(0L, r.timestamp()), key(r));
                if (scope.dataInScope(r.topic(), r.partition(), r.offset(), t.eventTime(), t.user())) {
                    add(r, t.eventTime(), false);
                    wanted.add(new Output.Source(r.topic(), r.partition(), r.offset()));
                    dataRecords++;
                }
            });
        }
        progress.done();
    }

    /** A record's event time and user, as the topology will take them. */
    private record Timed(long eventTime, String user) {
    }

    /**
     * The record's event time (its payload's, else its Kafka timestamp: an undecodable record is dead-lettered
     * whatever its place in the order) and its user (its key, else its payload's user id).
     */
    private static <T> Timed timed(ConsumerRecord<byte[], byte[]> r, Function<byte[], T> decode,
                                   Function<T, CharSequence> user, java.util.function.ToLongFunction<T> time) {
        String key = key(r);
        try {
            T value = decode.apply(r.value());
            if (value != null) {
                CharSequence payloadUser = user.apply(value);
                return new Timed(time.applyAsLong(value),
                        key != null || payloadUser == null ? key : payloadUser.toString());
            }
        } catch (RuntimeException e) {
            // Undecodable here is undecodable in the topology too: it is dead-lettered there, at its Kafka time.
        }
        return new Timed(Math.max(0L, r.timestamp()), key);
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private void add(ConsumerRecord<byte[], byte[]> r, long eventTime, boolean side) {
        Integer index = topicIndex.computeIfAbsent(r.topic(), t -> {
            topicNames.add(t);
            return topicNames.size() - 1;
        });
        Headers headers = r.headers();
        inputs.add(new Piped(index, r.partition(), r.offset(), r.timestamp(), eventTime, r.key(), r.value(),
                headers.toArray().length == 0 ? null : headers, side));
    }

    private void readServiceOutputs(TopicReader reader, Fates then, long[] unreadable) {
        FirewallSerdes serdes = request.serdes();
        Redaction redaction = new Redaction(IdentifierNormalizer.of(request.config().identity()));
        Instant readFrom = request.scope().from() == null ? null : request.scope().from().minus(READ_SLACK);
        Map<String, Function<byte[], Output>> outputs = Map.of(
                topics.audience(), b -> Output.of(serdes.audience().decode(b)),
                topics.quarantine(), b -> Output.of(serdes.quarantine().decode(b), redaction),
                topics.suppressed(), b -> Output.of(serdes.suppressed().decode(b)),
                topics.deadLetter(), b -> Output.of(serdes.deadLetter().decode(b)));
        Map<String, Map<TopicPartition, TopicReader.Range>> ranges = new HashMap<>();
        outputs.keySet().forEach(t -> ranges.put(t, reader.ranges(t, readFrom)));
        progress.start("reading the service's outputs",
                ranges.values().stream().flatMap(m -> m.values().stream()).mapToLong(TopicReader.Range::size).sum());
        long[] seen = {0};
        for (Map.Entry<String, Function<byte[], Output>> e : outputs.entrySet()) {
            reader.read(ranges.get(e.getKey()), r -> {
                progress.advance(++seen[0]);
                Output output;
                try {
                    output = e.getValue().apply(r.value());
                } catch (RuntimeException ex) {
                    unreadable[0]++;
                    return;
                }
                if (output != null) {
                    then.add(output);
                }
            });
        }
        progress.done();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Re-deciding
    // ---------------------------------------------------------------------------------------------------------

    private void replay(Fates then) {
        String scope = "replay-" + UUID.randomUUID();
        FirewallSerdes serdes = request.serdes().withOutputsIn(MockSchemaRegistryClient.forScope(scope));
        Properties props = new Properties();
        props.putAll(request.streams());
        props.put(StreamsConfig.STATE_DIR_CONFIG, request.workDir().toString());
        long clock = inputs.stream().mapToLong(p -> Math.max(0L, p.timestamp)).min().orElse(0L);
        Map<Integer, List<Piped>> byDriverOffset = new HashMap<>();
        Map<Integer, BitSet> decided = new HashMap<>();
        progress.start("replaying", inputs.size());
        try (TopologyTestDriver driver = new TopologyTestDriver(
                FirewallTopology.build(request.config(), serdes, request.observer()), props, Instant.ofEpochMilli(clock))) {
            ByteArraySerializer bytes = new ByteArraySerializer();
            List<TestInputTopic<byte[], byte[]>> in = new ArrayList<>();
            for (String name : topicNames) {
                in.add(driver.createInputTopic(name, bytes, bytes));
            }
            Drain drain = new Drain(driver, serdes, then, byDriverOffset, decided);
            long piped = 0;
            for (Piped p : inputs) {
                if (p.timestamp > clock + CLOCK_STEP_MS) {
                    driver.advanceWallClockTime(Duration.ofMillis(p.timestamp - clock));
                    clock = p.timestamp;
                }
                byDriverOffset.computeIfAbsent(p.topic, t -> new ArrayList<>()).add(p);
                in.get(p.topic).pipeInput(new TestRecord<>(p.key, p.value, p.headers, p.timestamp));
                if (++piped % DRAIN_EVERY == 0) {
                    drain.run();
                    progress.advance(piped);
                }
            }
            // Anything still set aside (waiting for the registry) gets its retries.
            for (int i = 0; i < 5; i++) {
                drain.run();
                driver.advanceWallClockTime(Duration.ofSeconds(2));
            }
            drain.run();
            progress.advance(piped);
        } finally {
            MockSchemaRegistryClient.dropScope(scope);
            deleteTree(request.workDir());
        }
        progress.done();
        // Every data record in scope was compared exactly once; one with no replayed output is undecided now.
        for (Map.Entry<Integer, List<Piped>> e : byDriverOffset.entrySet()) {
            BitSet done = decided.getOrDefault(e.getKey(), new BitSet());
            List<Piped> list = e.getValue();
            for (int offset = done.nextClearBit(0); offset < list.size(); offset = done.nextClearBit(offset + 1)) {
                Piped p = list.get(offset);
                if (!p.side) {
                    compare(then, source(p), p.eventTime, List.of());
                }
            }
        }
    }

    /** Reads the driver's outputs and compares each data record's, grouped by the record they name. */
    private final class Drain {
        private final TestOutputTopic<String, ?>[] outcomes;
        private final List<Function<Object, Output>> readers = new ArrayList<>();
        private final TestOutputTopic<String, byte[]> recalls;
        private final Fates then;
        private final Map<Integer, List<Piped>> byDriverOffset;
        private final Map<Integer, BitSet> decided;

        @SuppressWarnings({"unchecked", "rawtypes"})
        Drain(TopologyTestDriver driver, FirewallSerdes serdes, Fates then, Map<Integer, List<Piped>> byDriverOffset,
              Map<Integer, BitSet> decided) {
            StringDeserializer keys = new StringDeserializer();
            Redaction redaction = new Redaction(IdentifierNormalizer.of(request.config().identity()));
            this.outcomes = new TestOutputTopic[] {
                driver.createOutputTopic(topics.audience(), keys, serdes.audience().deserializer()),
                driver.createOutputTopic(topics.quarantine(), keys, serdes.quarantine().deserializer()),
                driver.createOutputTopic(topics.suppressed(), keys, serdes.suppressed().deserializer()),
                driver.createOutputTopic(topics.deadLetter(), keys, serdes.deadLetter().deserializer())};
            readers.add(v -> Output.of((org.purposefirewall.schema.AudienceIdentifier) v));
            readers.add(v -> Output.of((org.purposefirewall.schema.QuarantineRecord) v, redaction));
            readers.add(v -> Output.of((org.purposefirewall.schema.SuppressedRecord) v));
            readers.add(v -> Output.of((org.purposefirewall.schema.DeadLetterRecord) v));
            this.recalls = driver.createOutputTopic(topics.recalls(), keys,
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
            this.then = then;
            this.byDriverOffset = byDriverOffset;
            this.decided = decided;
        }

        void run() {
            Map<Output.Source, List<Output>> now = new java.util.LinkedHashMap<>();
            Map<Output.Source, Piped> inputsBySource = new HashMap<>();
            for (int i = 0; i < outcomes.length; i++) {
                for (Object value : outcomes[i].readValuesToList()) {
                    Output output = readers.get(i).apply(value);
                    Output.Source at = output.source();
                    Integer topic = at == null ? null : topicIndex.get(at.topic());
                    List<Piped> list = topic == null ? null : byDriverOffset.get(topic);
                    if (list == null || at.offset() < 0 || at.offset() >= list.size()) {
                        continue;
                    }
                    Piped input = list.get((int) at.offset());
                    if (input.side) {
                        continue;
                    }
                    Output.Source real = source(input);
                    now.computeIfAbsent(real, k -> new ArrayList<>(1)).add(output.at(real));
                    inputsBySource.put(real, input);
                    decided.computeIfAbsent(topic, t -> new BitSet()).set((int) at.offset());
                }
            }
            recalls.readValuesToList();
            for (Map.Entry<Output.Source, List<Output>> e : now.entrySet()) {
                compare(then, e.getKey(), inputsBySource.get(e.getKey()).eventTime, e.getValue());
            }
        }
    }

    private void compare(Fates then, Output.Source source, long eventTime, List<Output> now) {
        List<Output> before = then.of(source);
        Fate thenFate = Fates.fate(before);
        Fate nowFate = Fates.fate(now);
        ReplayChange change = ReplayChange.of(thenFate, nowFate);
        if (change == null) {
            agreed++;
        } else {
            changes.merge(change, 1L, Long::sum);
        }
        listener.compared(new Comparison(change, source, eventTime, thenFate,
                before.isEmpty() ? null : before.get(0), nowFate, now.isEmpty() ? null : now.get(0)));
    }

    private Output.Source source(Piped p) {
        return new Output.Source(topicNames.get(p.topic), p.partition, p.offset);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One input as read, held until it is piped. */
    private static final class Piped {
        final int topic;
        final int partition;
        final long offset;
        final long timestamp;
        final long eventTime;
        final byte[] key;
        final byte[] value;
        final Headers headers;
        final boolean side;

        Piped(int topic, int partition, long offset, long timestamp, long eventTime, byte[] key, byte[] value,
              Headers headers, boolean side) {
            this.topic = topic;
            this.partition = partition;
            this.offset = offset;
            this.timestamp = Math.max(0L, timestamp);
            this.eventTime = eventTime;
            this.key = key;
            this.value = value;
            this.headers = headers;
            this.side = side;
        }
    }
}
