package org.purposefirewall.topology;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.monitoring.StreamsFirewallMetrics;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.serde.Decoded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every input processor shares: the coordinates of the record in hand, metrics, and dead-lettering that keeps
 * the whole input so that nothing is lost. Logs carry coordinates and reasons, never keys or values.
 *
 * @param <V> the decoded input type
 */
abstract class InputProcessor<V> implements Processor<String, Decoded<V>, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(InputProcessor.class);

    protected ProcessorContext<String, Object> context;
    protected FirewallMetrics metrics = FirewallMetrics.NONE;

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.metrics = new StreamsFirewallMetrics(context.metrics(), context.taskId().toString());
    }

    @Override
    public final void process(Record<String, Decoded<V>> record) {
        try {
            handle(record);
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

    @Override
    public void close() {
        metrics.close();
    }

    /** Where the record in hand was read, with the event time the topology uses for it. */
    protected SourceCoordinates coordinates(long eventTime) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        return new SourceCoordinates(meta == null ? "" : meta.topic(), meta == null ? -1 : meta.partition(),
                meta == null ? -1L : meta.offset(), Instant.ofEpochMilli(eventTime));
    }

    /** Sends the record, whole, to the dead-letter topic with its reason. */
    protected void deadLetter(Record<String, Decoded<V>> record, String reason, String detail, String errorClass) {
        SourceCoordinates source = coordinates(record.timestamp());
        byte[] raw = record.value() == null ? null : record.value().raw();
        DeadLetterRecord dead = DeadLetterRecord.newBuilder()
                .setReason(reason)
                .setDetail(detail)
                .setErrorClass(errorClass)
                .setSource(source)
                .setOriginalKey(record.key() == null ? null
                        : ByteBuffer.wrap(record.key().getBytes(StandardCharsets.UTF_8)))
                .setOriginalValue(raw == null ? null : ByteBuffer.wrap(raw))
                .setDecisionTime(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        context.forward(new Record<>(record.key(), dead, record.timestamp()), Names.DEAD_LETTER_SINK);
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

    protected static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** The reason a record's user id is unusable, or null if key and payload agree on one. */
    protected static String userIdProblem(String key, String payloadUserId) {
        if (isBlank(key) || isBlank(payloadUserId)) {
            return "MISSING_USER_ID";
        }
        return key.equals(payloadUserId) ? null : "KEY_MISMATCH";
    }

    protected static String userIdDetail(String problem) {
        return "MISSING_USER_ID".equals(problem)
                ? "the record key and the payload's userId must both hold the user id"
                : "the record key differs from the payload's userId; topics are co-partitioned by user id";
    }
}
