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
 * <p>One exception, {@link #kafkaTimestampAsWritten}: on a guarded topic the Kafka timestamp <em>is</em> the event
 * time, so it is passed on as written (an absent one, -1, as 0), and the guarded decider dead-letters an implausible
 * one on arrival, before anything is set aside, re-homed or written with it.
 *
 * @param <T> the payload type
 */
final class EventTimeExtractor<T> implements TimestampExtractor {

    private final Class<T> type;
    private final ToLongFunction<T> eventTime;
    private final EventTimeBounds bounds;
    private final boolean asWritten;

    EventTimeExtractor(Class<T> type, ToLongFunction<T> eventTime, EventTimeBounds bounds) {
        this(type, eventTime, bounds, false);
    }

    private EventTimeExtractor(Class<T> type, ToLongFunction<T> eventTime, EventTimeBounds bounds,
                               boolean asWritten) {
        this.type = type;
        this.eventTime = eventTime;
        this.bounds = bounds;
        this.asWritten = asWritten;
    }

    /**
     * The Kafka record timestamp if plausible, else the wall clock: for inputs whose records are only carried (the
     * intake of side records), never decided by this time. Never fails, whatever the timestamp (Kafka Streams'
     * default extractor stops the stream thread on a record without one).
     */
    static EventTimeExtractor<Void> kafkaTimestamp(EventTimeBounds bounds) {
        return new EventTimeExtractor<>(Void.class, v -> -1L, bounds);
    }

    /**
     * The Kafka record timestamp as written, for guarded topics, where it is the event time: see the class comment.
     * The decider must check it ({@link EventTimeBounds#problem}) before anything else.
     */
    static EventTimeExtractor<Void> kafkaTimestampAsWritten(EventTimeBounds bounds) {
        return new EventTimeExtractor<>(Void.class, v -> -1L, bounds, true);
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        return eventTime(record.value(), record.timestamp(), System.currentTimeMillis());
    }

    /** The time to process {@code value} at: see the class comment. */
    long eventTime(Object value, long kafkaTimestamp, long now) {
        if (asWritten) {
            return Math.max(0L, kafkaTimestamp);
        }
        long payload = -1L;
        if (value instanceof Decoded.Ok<?> ok && type.isInstance(ok.value())) {
            payload = eventTime.applyAsLong(type.cast(ok.value()));
        }
        return bounds.safe(payload, kafkaTimestamp, now);
    }
}
