package org.purposefirewall.topology;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.monitoring.StreamsFirewallMetrics;
import org.purposefirewall.policy.EventTimeBounds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of every side record (consent, registration, withdrawal): wrapped, whole and undecoded, with the
 * coordinates it was read at, and sent to its user's home partition of {@link Names#SIDE_RECORDS_TOPIC}, whatever
 * partition its producer's partitioner chose. Nothing is decided or dropped here: a null key, or one longer than a
 * user id can be, travels under the internal key "" (the envelope keeps the latter) and is dead-lettered at home; a
 * tombstone travels as an envelope without a value; a record too large to carry whole travels without its value,
 * marked ({@link Rehomed#OMITTED_BYTES}). So every side record reaches the task that decides its user's data records
 * by the same path, and the side-record barrier can tell when it has.
 *
 * <p>The copy's Kafka timestamp is the input's if plausible, else the wall clock: never one the broker refuses.
 */
final class SideRecordIntake implements Processor<String, byte[], String, ParkedRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(SideRecordIntake.class);

    private final int partitions;
    private final EventTimeBounds bounds;
    private final Set<Integer> misroutedLogged = new HashSet<>();
    private ProcessorContext<String, ParkedRecord> context;
    private FirewallMetrics metrics = FirewallMetrics.NONE;

    SideRecordIntake(int partitions, EventTimeBounds bounds) {
        this.partitions = partitions;
        this.bounds = bounds;
    }

    @Override
    public void init(ProcessorContext<String, ParkedRecord> context) {
        this.context = context;
        this.metrics = new StreamsFirewallMetrics(context.metrics(), context.taskId().toString());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        long now = context.currentSystemTimeMs();
        long timestamp = bounds.safe(record.timestamp(), -1L, now);
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        long size = Limits.size(record.key(), record.value());
        // Too large to carry whole within the internal topic's 1 MiB: it goes home without its value (and without a
        // key no user id can be), marked, and is dead-lettered there as RECORD_TOO_LARGE; a consent record's user
        // then has no consent from its time on.
        boolean tooLarge = size > Limits.MAX_COPIED_BYTES;
        ParkedRecord envelope = new ParkedRecord(meta.topic(), meta.partition(), meta.offset(), timestamp,
                tooLarge && key != null && key.length > IdentifierKeys.MAX_USER_ID_BYTES ? null : key,
                tooLarge ? null : record.value());
        if (meta.partition() != HomePartition.of(record.key(), partitions)) {
            metrics.rehomed();
            if (misroutedLogged.add(meta.partition())) {
                LOG.atInfo().addKeyValue("topic", meta.topic()).addKeyValue("partition", meta.partition())
                        .addKeyValue("offset", meta.offset())
                        .log("side record is not on the partition Kafka's default partitioner gives its key; it is "
                                + "re-homed like every side record (logged once per partition)");
            }
        }
        Headers headers = new RecordHeaders();
        if (tooLarge) {
            headers.add(Rehomed.omitted(size));
        }
        context.forward(new Record<>(Limits.homeKey(record.key()), envelope, timestamp, headers));
    }

    @Override
    public void close() {
        metrics.close();
    }
}
