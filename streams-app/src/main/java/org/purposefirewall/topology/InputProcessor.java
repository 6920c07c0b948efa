package org.purposefirewall.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.monitoring.StreamsFirewallMetrics;
import org.purposefirewall.registry.RegistryUnavailableException;
import org.purposefirewall.serde.AvroDecoder;
import org.purposefirewall.serde.SerdeException;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.serde.Decoded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every input processor shares: the coordinates of the record in hand, metrics, dead-lettering that keeps the
 * whole input so that nothing is lost, and parking. Logs carry coordinates and reasons, never keys or values.
 *
 * <p>Parking: a record whose schema could not be fetched because the registry did not answer
 * ({@link Decoded.Unavailable}) is set aside, whole, in the changelogged {@link Names#PARKED_STORE} instead of
 * blocking its stream thread, so records of cached schemas keep flowing. A wall-clock punctuator tries the parked
 * records again every {@link #RELEASE_INTERVAL}, in offset order, and decides each exactly once when the registry
 * answers. Subclasses may hold records that could be decided ({@link #mustHold}) to keep a decision from
 * overtaking a parked record it depends on. Past {@code maxParked} parked records of one topic in one task, the
 * outage is passed to Kafka Streams instead (the thread is replaced and resumes from its last commit).
 *
 * @param <V> the decoded input type
 */
abstract class InputProcessor<V> implements Processor<String, Decoded<V>, String, Object> {

    /** How often parked records are tried again. */
    static final Duration RELEASE_INTERVAL = Duration.ofSeconds(1);
    private static final int RELEASE_BATCH = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(InputProcessor.class);

    /**
     * The most bytes of an input record's key and value the firewall copies anywhere: into a dead letter or
     * quarantine record, a store (parked, held, settling) and its changelog, or the internal side-records topic.
     * With any envelope (and the user id a second time as a record key) that stays below the producer's and the
     * topics' default 1 MiB limit, so no input, however large, makes a record the broker refuses. A larger input is
     * dead-lettered on arrival as RECORD_TOO_LARGE, naming its coordinates (the input topic still has it).
     */
    static final int MAX_COPIED_BYTES = 900_000;

    protected final String topic;
    private final AvroDecoder<V> serde;
    private final long maxParked;
    private final RegistryHealth health;
    private final Routing routing;
    private final java.util.Set<Integer> misroutedPartitionsLogged = new java.util.HashSet<>();
    private String sideRecordsTopic = "";
    protected ProcessorContext<String, Object> context;
    protected FirewallMetrics metrics = FirewallMetrics.NONE;
    protected KeyValueStore<String, ParkedRecord> parked;
    private long parkedHere;
    private String sourceTopic = "";
    private int sourcePartition = -1;
    private long sourceOffset = -1L;

    /**
     * @param topic the input topic this processor reads
     * @param serde the serde that decodes it, for parked records
     * @param maxParked the most records of this topic one task may park
     * @param health told when a parked record finds the registry answering again
     * @param routing where users' records belong, and which event times are believed
     */
    protected InputProcessor(String topic, AvroDecoder<V> serde, long maxParked, RegistryHealth health,
                             Routing routing) {
        this.topic = topic;
        this.serde = serde;
        this.maxParked = maxParked;
        this.health = health;
        this.routing = routing;
    }

    /**
     * Where each user's records belong and which event times are believed.
     *
     * @param partitions the input topics' common partition count (checked at startup)
     * @param rehomeMisrouted true for processors that read an input topic directly: a record off its home
     *     partition is sent home through {@link Names#SIDE_RECORDS_TOPIC} instead of being decided here
     * @param bounds the plausible event times
     */
    record Routing(int partitions, boolean rehomeMisrouted, org.purposefirewall.policy.EventTimeBounds bounds) {
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.sideRecordsTopic = context.applicationId() + "-" + Names.SIDE_RECORDS_TOPIC;
        this.metrics = new StreamsFirewallMetrics(context.metrics(), context.taskId().toString());
        this.parked = context.getStateStore(Names.PARKED_STORE);
        this.parkedHere = countParked(topic);
        context.schedule(RELEASE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> releaseParked());
    }

    @Override
    public final void process(Record<String, Decoded<V>> record) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        // Only the dispatcher's copies, read from the firewall's own internal topic, carry trusted coordinates:
        // headers of an input record are its producer's to set.
        Rehomed.Source rehomed = meta != null && meta.topic().equals(sideRecordsTopic)
                ? Rehomed.source(record.headers()) : null;
        if (rehomed != null) {
            setSource(rehomed.topic(), rehomed.partition(), rehomed.offset());
            long omitted = Rehomed.omittedBytes(record.headers());
            if (omitted >= 0) {
                failClosed(record, () -> tooLarge(record, omitted));
                return;
            }
        } else {
            setSource(meta == null ? "" : meta.topic(), meta == null ? -1 : meta.partition(),
                    meta == null ? -1L : meta.offset());
            if (refusedOnArrival(record)) {
                return;
            }
            if (routing.rehomeMisrouted() && meta != null
                    && meta.partition() != HomePartition.of(record.key(), routing.partitions())) {
                rehome(record);
                return;
            }
        }
        if (record.value() instanceof Decoded.Unavailable<V> || (record.value() != null && mustHold())) {
            park(record);
            return;
        }
        admit(record);
    }

    /**
     * Dead-letters a record read from its input topic that nothing may copy or be written with, before it is set
     * aside, re-homed or decided: key and value over {@link #MAX_COPIED_BYTES} (no store, internal topic or output
     * could hold it whole), or a Kafka timestamp that is its event time and is implausible ({@link
     * #arrivalTimeProblem}). True if it did.
     */
    private boolean refusedOnArrival(Record<String, Decoded<V>> record) {
        long size = size(record);
        if (size > MAX_COPIED_BYTES) {
            failClosed(record, () -> tooLarge(record, size));
            return true;
        }
        String timeProblem = arrivalTimeProblem(record.timestamp());
        if (timeProblem != null) {
            deadLetter(record, "INVALID_EVENT_TIME", timeProblem, null);
            return true;
        }
        return false;
    }

    /**
     * Why the timestamp a record arrived with is no event time to decide it at, or null. Only where the Kafka
     * timestamp is the event time (guarded topics); elsewhere the payload's own time is checked when deciding.
     */
    protected String arrivalTimeProblem(long timestamp) {
        return null;
    }

    /**
     * A record too large to carry or copy ({@code bytes} of key and value): dead-lettered as RECORD_TOO_LARGE, with
     * its coordinates only. Subclasses may add what failing closed needs (the consent updater revokes).
     */
    protected void tooLarge(Record<String, Decoded<V>> record, long bytes) {
        deadLetter(record, "RECORD_TOO_LARGE", "the record's key and value, " + bytes + " bytes, are more than the "
                + MAX_COPIED_BYTES + " the firewall sets aside or copies; read it at the source coordinates", null);
    }

    private static long size(Record<String, ? extends Decoded<?>> record) {
        return size(record.key(), record.value() == null ? null : record.value().raw());
    }

    /** The bytes of key and value that {@link #MAX_COPIED_BYTES} bounds. */
    static long size(String key, byte[] value) {
        return (key == null ? 0L : key.getBytes(StandardCharsets.UTF_8).length) + (value == null ? 0L : value.length);
    }

    /**
     * The key a record travels home under on {@link Names#SIDE_RECORDS_TOPIC}: its user id; "" for none, or for a key
     * longer than a user id can be (it is dead-lettered at home, and its envelope keeps it: carried once, not twice).
     */
    static String homeKey(String key) {
        return key == null || key.length() > MAX_USER_ID_CHARS ? "" : key;
    }

    /**
     * What happens to a record that can be decided now: decided. Deciders first wait for side records that must
     * be applied before it (see {@code DecidingProcessor}).
     */
    protected void admit(Record<String, Decoded<V>> record) {
        decide(record);
    }

    /**
     * Sends a record read off its user's home partition to that partition's task, whole, with its coordinates:
     * only there are the user's consent and registrations. Counted, and logged once per partition and task.
     */
    private void rehome(Record<String, Decoded<V>> record) {
        ParkedRecord envelope = setAside(record);
        context.forward(new Record<>(homeKey(record.key()), envelope, record.timestamp()), Names.REHOME_SINK);
        metrics.rehomed();
        if (misroutedPartitionsLogged.add(sourcePartition)) {
            LOG.atInfo().addKeyValue("topic", sourceTopic).addKeyValue("partition", sourcePartition)
                    .addKeyValue("offset", sourceOffset).addKeyValue("task", context.taskId())
                    .log("record is not on the partition Kafka's default partitioner gives its key; re-homing it "
                            + "(its producer uses another partitioner; logged once per partition)");
        }
    }

    /** The event times this processor believes. */
    protected final org.purposefirewall.policy.EventTimeBounds bounds() {
        return routing.bounds();
    }

    /** Why {@code eventTime}, a record's own, is not to be decided by now, or null if it may be. */
    protected final String eventTimeProblem(long eventTime) {
        return routing.bounds().problem(eventTime, context.currentSystemTimeMs());
    }

    /** Decides the record in hand now, failing closed on any unforeseen exception. */
    protected final void decide(Record<String, Decoded<V>> record) {
        failClosed(record, () -> handle(record));
    }

    /** Runs {@code action} for the record in hand; any unforeseen exception dead-letters the record instead. */
    private void failClosed(Record<String, Decoded<V>> record, Runnable action) {
        try {
            action.run();
        } catch (KafkaException e) {
            // Store and producer failures belong to Kafka Streams: it aborts the transaction and retries the task.
            throw e;
        } catch (RuntimeException e) {
            // Fail closed: a bug or an unforeseen input never lets a record through and never stops the app.
            deadLetter(record, "PROCESSING_ERROR", "the firewall could not process the record",
                    e.getClass().getName());
        }
    }

    /** Handles one record; must forward it to exactly one sink. */
    protected abstract void handle(Record<String, Decoded<V>> record);

    /** True if a decodable record must be parked anyway, behind parked records it depends on. */
    protected boolean mustHold() {
        return false;
    }

    /** True if any record of {@code inputTopic} is parked in this task. */
    protected final boolean hasParked(String inputTopic) {
        if (parked.approximateNumEntries() == 0) {
            return false;
        }
        try (KeyValueIterator<String, ParkedRecord> it =
                     parked.prefixScan(ParkedRecord.storeKeyPrefix(inputTopic), new StringSerializer())) {
            return it.hasNext();
        }
    }

    private long countParked(String inputTopic) {
        long count = 0;
        try (KeyValueIterator<String, ParkedRecord> it =
                     parked.prefixScan(ParkedRecord.storeKeyPrefix(inputTopic), new StringSerializer())) {
            while (it.hasNext()) {
                it.next();
                count++;
            }
        }
        return count;
    }

    private void park(Record<String, Decoded<V>> record) {
        if (parkedHere >= maxParked) {
            throw new RegistryUnavailableException("more than " + maxParked + " records of " + topic
                    + " are parked in task " + context.taskId() + " while the schema registry is unreachable", null);
        }
        ParkedRecord entry = setAside(record);
        parked.put(entry.storeKey(), entry);
        parkedHere++;
        metrics.parked();
        LOG.atDebug().addKeyValue("topic", sourceTopic).addKeyValue("partition", sourcePartition)
                .addKeyValue("offset", sourceOffset).log("record parked until it can be decided");
    }

    /** Tries parked records again, oldest first; stops at the first one the registry still cannot serve. */
    private void releaseParked() {
        if (parkedHere == 0 || mustHold()) {
            return;
        }
        List<KeyValue<String, ParkedRecord>> batch = new ArrayList<>();
        try (KeyValueIterator<String, ParkedRecord> it =
                     parked.prefixScan(ParkedRecord.storeKeyPrefix(topic), new StringSerializer())) {
            while (it.hasNext() && batch.size() < RELEASE_BATCH) {
                batch.add(it.next());
            }
        }
        for (KeyValue<String, ParkedRecord> entry : batch) {
            if (!redecide(entry.value, true)) {
                return;
            }
            parked.delete(entry.key);
            parkedHere--;
        }
        if (parkedHere == 0) {
            LOG.atInfo().addKeyValue("topic", topic).addKeyValue("task", context.taskId())
                    .log("every parked record decided");
        }
    }

    /**
     * Decodes a record set aside and decides it now, as read at its own coordinates.
     *
     * @return false if the registry still cannot serve its schema (nothing was decided)
     */
    protected final boolean redecide(ParkedRecord p) {
        return redecide(p, false);
    }

    /**
     * As {@link #redecide(ParkedRecord)}; with {@code admit} the record passes {@link #admit} (it may wait again for
     * side records), else it is decided at once.
     */
    protected final boolean redecide(ParkedRecord p, boolean admit) {
        Decoded<V> decoded;
        try {
            decoded = p.value() == null ? null : new Decoded.Ok<>(serde.decode(p.value()), p.value());
            health.answered();
        } catch (RegistryUnavailableException e) {
            health.unavailable(e.getMessage());
            return false;
        } catch (SerdeException e) {
            decoded = new Decoded.Failed<>(e.kind().name(), e.getMessage(),
                    e.getCause() == null ? e.getClass().getName() : e.getCause().getClass().getName(), p.value());
        }
        setSource(p.topic(), p.partition(), p.offset());
        Record<String, Decoded<V>> record = new Record<>(p.keyString(), decoded, p.timestamp());
        if (admit) {
            admit(record);
        } else {
            decide(record);
        }
        return true;
    }

    /** The coordinates of the record in hand. */
    protected final Rehomed.Source currentSource() {
        return new Rehomed.Source(sourceTopic, sourcePartition, sourceOffset);
    }

    /** Makes {@code source} the coordinates of the record in hand again. */
    protected final void restoreSource(Rehomed.Source source) {
        setSource(source.topic(), source.partition(), source.offset());
    }

    /** Makes {@code p}'s coordinates those of the record in hand. */
    protected final void restoreSource(ParkedRecord p) {
        setSource(p.topic(), p.partition(), p.offset());
    }

    /** Parks a record that was set aside elsewhere and now finds the registry unreachable. */
    protected final void parkAgain(ParkedRecord p) {
        parked.put(p.storeKey(), p);
        parkedHere++;
        metrics.parked();
    }

    /** The record in hand, whole, to set aside. */
    protected final ParkedRecord setAside(Record<String, Decoded<V>> record) {
        return new ParkedRecord(sourceTopic, sourcePartition, sourceOffset, record.timestamp(),
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
                record.value() == null ? null : record.value().raw());
    }

    private void setSource(String topic, int partition, long offset) {
        this.sourceTopic = topic;
        this.sourcePartition = partition;
        this.sourceOffset = offset;
    }

    @Override
    public void close() {
        metrics.close();
    }

    /** Where the record in hand was read, with the event time the topology uses for it. */
    protected SourceCoordinates coordinates(long eventTime) {
        return new SourceCoordinates(sourceTopic, sourcePartition, sourceOffset, Instant.ofEpochMilli(eventTime));
    }

    /**
     * Sends the record, whole, to the dead-letter topic with its reason. Written with a timestamp the brokers accept
     * whatever the record's own (a guarded record's implausible one is only named in its coordinates).
     */
    protected void deadLetter(Record<String, Decoded<V>> record, String reason, String detail, String errorClass) {
        detail = bounded(detail);
        SourceCoordinates source = coordinates(record.timestamp());
        byte[] raw = record.value() == null ? null : record.value().raw();
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        int copied = (raw == null ? 0 : raw.length) + (key == null ? 0 : key.length);
        boolean copy = copied <= MAX_COPIED_BYTES;
        DeadLetterRecord dead = DeadLetterRecord.newBuilder()
                .setReason(reason)
                .setDetail(copy ? detail : detail + " (key and value, " + copied + " bytes, are not copied here: "
                        + "read them at the source coordinates)")
                .setErrorClass(errorClass)
                .setSource(source)
                .setOriginalKey(copy && key != null ? ByteBuffer.wrap(key) : null)
                .setOriginalValue(copy && raw != null ? ByteBuffer.wrap(raw) : null)
                .setDecisionTime(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        // A key no user id can be (too long) is not written as the output's key either: it could exceed the limit.
        String outKey = record.key() != null && record.key().length() <= MAX_USER_ID_CHARS ? record.key() : null;
        long now = context.currentSystemTimeMs();
        context.forward(new Record<>(outKey, dead, routing.bounds().safe(record.timestamp(), -1L, now)),
                Names.DEAD_LETTER_SINK);
        metrics.deadLettered();
        LOG.atWarn()
                .addKeyValue("topic", source.getTopic())
                .addKeyValue("partition", source.getPartition())
                .addKeyValue("offset", source.getOffset())
                .addKeyValue("reason", reason)
                .addKeyValue("detail", detail)
                .log("record dead-lettered");
    }

    /** Dead-letters an undecodable record. */
    protected void deadLetter(Record<String, Decoded<V>> record, Decoded.Failed<V> failed) {
        deadLetter(record, failed.reason(), failed.detail(), failed.errorClass());
    }

    /** Longest detail or field path written into an output or a log line. */
    static final int MAX_DETAIL_CHARS = 1_000;

    /**
     * {@code text} cut to {@link #MAX_DETAIL_CHARS}: details and paths name fields, purposes and schema parts that a
     * producer controls, and must never make an output too large for the brokers or a log line unbounded.
     */
    static String bounded(String text) {
        return text == null || text.length() <= MAX_DETAIL_CHARS ? text
                : text.substring(0, MAX_DETAIL_CHARS) + "... (" + text.length() + " characters)";
    }

    protected static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** The reason a record's user id is unusable, or null if key and payload agree on one. */
    protected static String userIdProblem(String key, String payloadUserId) {
        if (isBlank(key) || isBlank(payloadUserId)) {
            return "MISSING_USER_ID";
        }
        if (key.length() > MAX_USER_ID_CHARS) {
            return "USER_ID_TOO_LONG";
        }
        return key.equals(payloadUserId) ? null : "KEY_MISMATCH";
    }

    protected static String userIdDetail(String problem) {
        return switch (problem) {
            case "MISSING_USER_ID" -> "the record key and the payload's userId must both hold the user id";
            case "USER_ID_TOO_LONG" -> "the user id is longer than " + MAX_USER_ID_CHARS + " characters";
            default -> "the record key differs from the payload's userId; topics are co-partitioned by user id";
        };
    }

    /** Longest user id, in characters: any such id fits the registration store's two-byte length prefix. */
    protected static final int MAX_USER_ID_CHARS = IdentifierKeys.MAX_USER_ID_BYTES / 3;
}
