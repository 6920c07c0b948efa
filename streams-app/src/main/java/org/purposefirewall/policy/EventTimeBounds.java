package org.purposefirewall.policy;

/**
 * Which event times the firewall believes. A record's event time decides which consent and registrations apply to
 * it, and it becomes the Kafka timestamp of what the firewall writes (outputs and changelogs). So an implausible one
 * is a fault of the record, never a time to decide by: one later than {@code now + maxFutureSkewMs} (a skewed
 * producer clock; brokers refuse timestamps more than {@code message.timestamp.after.max.ms} ahead, one hour by
 * default) or earlier than {@code floorMs} (a zero or garbage time) is rejected.
 *
 * @param floorMs the earliest plausible event time, epoch milliseconds
 * @param maxFutureSkewMs how far ahead of the processing clock an event time may be
 */
public record EventTimeBounds(long floorMs, long maxFutureSkewMs) {

    /** 2000-01-01T00:00:00Z: no record of this firewall's kind is older. */
    public static final long DEFAULT_FLOOR_MS = 946_684_800_000L;
    /** Five minutes: well beyond NTP-kept clocks, well inside the broker's default hour. */
    public static final long DEFAULT_MAX_FUTURE_SKEW_MS = 300_000L;

    public EventTimeBounds {
        if (floorMs < 0) {
            throw new IllegalArgumentException("the event-time floor must not be negative");
        }
        if (maxFutureSkewMs < 0) {
            throw new IllegalArgumentException("the future skew must not be negative");
        }
    }

    public static EventTimeBounds defaults() {
        return new EventTimeBounds(DEFAULT_FLOOR_MS, DEFAULT_MAX_FUTURE_SKEW_MS);
    }

    /** Why {@code eventTime} is not plausible when processed at {@code now}, or null if it is. */
    public String problem(long eventTime, long now) {
        if (eventTime < floorMs) {
            return "the event time is before the plausible floor (processing.event-time-floor-ms)";
        }
        if (eventTime > now + maxFutureSkewMs) {
            return "the event time is more than " + maxFutureSkewMs + " ms ahead of the processing clock "
                    + "(processing.max-event-time-skew-ms)";
        }
        return null;
    }

    public boolean plausible(long eventTime, long now) {
        return eventTime >= floorMs && eventTime <= now + maxFutureSkewMs;
    }

    /**
     * A timestamp safe to write with: {@code preferred} if plausible, else {@code fallback} if plausible, else
     * {@code now}. Whatever a record holds, the result is one a broker accepts.
     */
    public long safe(long preferred, long fallback, long now) {
        if (plausible(preferred, now)) {
            return preferred;
        }
        return plausible(fallback, now) ? fallback : now;
    }
}
