package org.purposefirewall.topology;

import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.purposefirewall.serde.Decoded;

/**
 * Reads {@link Names#SIDE_RECORDS_TOPIC} at a user's home partition and hands each record to the processor of its
 * input topic, decoded as that input would be, with the event time as its timestamp and its original coordinates in
 * headers ({@link Rehomed}). It decides nothing itself.
 */
final class SideRecordDispatcher implements Processor<String, ParkedRecord, String, Object> {

    /** How one input topic's records are read and where they go. */
    record Route(String processor, Deserializer<? extends Decoded<?>> decoder, EventTimeExtractor<?> eventTime) {
    }

    private final Map<String, Route> routes;
    private ProcessorContext<String, Object> context;

    /** @param routes input topic → route; a record of any other topic is a bug and fails the task */
    SideRecordDispatcher(Map<String, Route> routes) {
        this.routes = Map.copyOf(routes);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, ParkedRecord> record) {
        ParkedRecord envelope = record.value();
        Route route = routes.get(envelope.topic());
        if (route == null) {
            throw new IllegalStateException("a re-homed record of topic " + envelope.topic() + " has no processor");
        }
        Decoded<?> decoded = route.decoder().deserialize(envelope.topic(), envelope.value());
        long time = route.eventTime().eventTime(decoded, envelope.timestamp(), context.currentSystemTimeMs());
        context.forward(new Record<>(envelope.keyString(), (Object) decoded, time, Rehomed.headers(envelope)),
                route.processor());
    }
}
