package org.purposefirewall.topology;

import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.purposefirewall.policy.EventTimeBounds;
import org.purposefirewall.serde.Decoded;

/**
 * Event time from the record's payload (its {@code eventTime} or {@code effectiveTime}), so that consent,
 * registrations and data are ordered by when things happened rather than when they were produced.
 *
 * <p>The result becomes the Kafka timestamp of everything the firewall writes for the record (outputs, changelog
 * entries), so it is always one the brokers accept: a payload time outside {@link EventTimeBounds} (or an
 * undecodable payload) falls back to the record's Kafka timestamp, then to the wall clock. It is never negative,
 * which would make Kafka Streams drop the record. The processors dead-letter a decodable record whose own time is
 * implausible, so a fallback never decides anything.
 *
 * @param <T> the payload type
 */
final class EventTimeExtractor<T> implements TimestampExtractor {

    private final Class<T> type;
    private final ToLongFunction<T> eventTime;
    private final EventTimeBounds bounds;

    EventTimeExtractor(Class<T> type, ToLongFunction<T> eventTime, EventTimeBounds bounds) {
        this.type = type;
        this.eventTime = eventTime;
        this.bounds = bounds;
    }

    /** Event time from the Kafka record timestamp alone, for guarded topics whose schemas the firewall does not own. */
    static EventTimeExtractor<Void> kafkaTimestamp(EventTimeBounds bounds) {
        return new EventTimeExtractor<>(Void.class, v -> -1L, bounds);
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        return eventTime(record.value(), record.timestamp(), System.currentTimeMillis());
    }

    /** The time to process {@code value} at: see the class comment. */
    long eventTime(Object value, long kafkaTimestamp, long now) {
        long payload = -1L;
        if (value instanceof Decoded.Ok<?> ok && type.isInstance(ok.value())) {
            payload = eventTime.applyAsLong(type.cast(ok.value()));
        }
        return bounds.safe(payload, kafkaTimestamp, now);
    }
}
