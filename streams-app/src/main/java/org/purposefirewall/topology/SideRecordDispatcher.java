package org.purposefirewall.topology;

import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.purposefirewall.serde.Decoded;

/**
 * Reads {@link Names#SIDE_RECORDS_TOPIC} at a user's home partition and hands each record to the processor of its
 * input topic, decoded as that input would be, with the event time as its timestamp and its original coordinates in
 * headers ({@link Rehomed}). It decides nothing itself. The timestamp it reads the internal record at is not a time
 * ({@link SideRecordsFirst}): every forward is stamped from the envelope.
 *
 * <p>Fail closed, never stop: a record that cannot be decoded or timed here goes on as {@link Decoded.Failed} (its
 * processor dead-letters it, and a consent record then counts as a revocation), and one of a topic this
 * configuration no longer reads (its topics were changed while records were on their way) is dead-lettered by the
 * contact-point decider, so no record on the internal topic can fail the task again on every restart.
 */
final class SideRecordDispatcher implements Processor<String, ParkedRecord, String, Object> {

    /** How one input topic's records are read and where they go. */
    record Route(String processor, Deserializer<? extends Decoded<?>> decoder, EventTimeExtractor<?> eventTime) {
    }

    private final Map<String, Route> routes;
    private final String fallback;
    private ProcessorContext<String, Object> context;

    /**
     * @param routes input topic → route
     * @param fallback the processor that dead-letters a record of a topic no route names
     */
    SideRecordDispatcher(Map<String, Route> routes, String fallback) {
        this.routes = Map.copyOf(routes);
        this.fallback = fallback;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, ParkedRecord> record) {
        ParkedRecord envelope = record.value();
        long omitted = Rehomed.omittedBytes(record.headers());
        Route route = routes.get(envelope.topic());
        if (route == null) {
            context.forward(new Record<>(envelope.keyString(), (Object) failed("PROCESSING_ERROR",
                    "a re-homed record of topic " + envelope.topic() + ", which this configuration does not read",
                    null, envelope), envelope.timestamp(), Rehomed.headers(envelope, omitted)), fallback);
            return;
        }
        Decoded<?> decoded;
        long time;
        try {
            decoded = omitted >= 0 ? null : route.decoder().deserialize(envelope.topic(), envelope.value());
            time = route.eventTime().eventTime(decoded, envelope.timestamp(), context.currentSystemTimeMs());
        } catch (KafkaException e) {
            throw e;
        } catch (RuntimeException e) {
            decoded = failed("PROCESSING_ERROR", "the re-homed record could not be read", e.getClass().getName(),
                    envelope);
            time = envelope.timestamp();
        }
        context.forward(new Record<>(envelope.keyString(), (Object) decoded, time, Rehomed.headers(envelope, omitted)),
                route.processor());
    }

    private static Decoded.Failed<Object> failed(String reason, String detail, String errorClass, ParkedRecord p) {
        return new Decoded.Failed<>(reason, detail, errorClass, p.value() == null ? new byte[0] : p.value());
    }
}
