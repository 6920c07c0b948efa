package org.purposefirewall.topology;

import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.purposefirewall.serde.Decoded;

/**
 * Event time from the record's payload (its {@code eventTime} or {@code effectiveTime}), so that consent,
 * registrations and data are ordered by when things happened rather than when they were produced.
 *
 * <p>Never returns a negative time, which would make Kafka Streams drop the record: undecodable records and
 * payloads with no valid time fall back to the Kafka timestamp, then to partition time. The processors dead-letter a
 * decodable record whose own time is invalid, so the fallback never decides anything.
 *
 * @param <T> the payload type
 */
final class EventTimeExtractor<T> implements TimestampExtractor {

    private final Class<T> type;
    private final ToLongFunction<T> eventTime;

    EventTimeExtractor(Class<T> type, ToLongFunction<T> eventTime) {
        this.type = type;
        this.eventTime = eventTime;
    }

    /** Event time from the Kafka record timestamp alone, for guarded topics whose schemas the firewall does not own. */
    static EventTimeExtractor<Void> kafkaTimestamp() {
        return new EventTimeExtractor<>(Void.class, v -> -1L);
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof Decoded.Ok<?> ok && type.isInstance(ok.value())) {
            long time = eventTime.applyAsLong(type.cast(ok.value()));
            if (time >= 0) {
                return time;
            }
        }
        if (record.timestamp() >= 0) {
            return record.timestamp();
        }
        return Math.max(partitionTime, 0L);
    }
}
