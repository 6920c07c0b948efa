package org.purposefirewall.config;

import java.nio.file.Path;
import java.util.Locale;
import org.purposefirewall.policy.EventTimeBounds;

/**
 * How the topology processes.
 *
 * @param guarantee {@code exactly_once_v2} (default; every input ends in exactly one output) or
 *     {@code at_least_once}
 * @param maxTaskIdleMs how long a task waits for an empty co-partitioned input before processing the others, so that
 *     consent and registrations are read in event-time order with the data (Kafka's {@code max.task.idle.ms})
 * @param consentHistoryRetentionMs how far back in event time consent is kept for lookups; a record older than this
 *     (relative to stream time) finds no consent and is suppressed
 * @param numStreamThreads stream threads per instance
 * @param commitIntervalMs how often offsets and transactions are committed
 * @param stateDir local state directory; null means {@code <java.io.tmpdir>/purpose-firewall}
 * @param registryOutageMaxBlockMs how long a record that needs a schema not seen yet waits, retrying, while the
 *     schema registry is unreachable, before it is parked (set aside, whole, and decided once the registry answers);
 *     the stream thread waits meanwhile, so keep it short; must stay below {@code max.poll.interval.ms} (300000)
 * @param consentHoldMs how long (wall clock) a data record of a user with no consent state at its event time is held
 *     in case the consent is late, before it is suppressed as CONSENT_MISSING; 0 (default) suppresses at once
 * @param maxHeldRecords the most records one task holds for late consent; past it, records are decided at once
 * @param eventTimeFloorMs the earliest plausible event time (epoch ms, default 2000-01-01); earlier is dead-lettered
 * @param maxEventTimeSkewMs how far ahead of the processing clock an event time may be (default 300000); later is
 *     dead-lettered, never written with a timestamp the broker refuses
 * @param settleMs how long after a data record is read a side record (consent, registration) may still be committed
 *     and still be applied before the record is decided (default 200; 0: only those committed before the read)
 * @param sideBarrierPollMs how often each instance asks the brokers how far side records have been applied
 */
public record Processing(String guarantee,
                         Long maxTaskIdleMs,
                         Long consentHistoryRetentionMs,
                         Integer numStreamThreads,
                         Long commitIntervalMs,
                         Path stateDir,
                         Long registryOutageMaxBlockMs,
                         Long consentHoldMs,
                         Integer maxHeldRecords,
                         Long eventTimeFloorMs,
                         Long maxEventTimeSkewMs,
                         Long settleMs,
                         Long sideBarrierPollMs) {

    public static final String EXACTLY_ONCE_V2 = "exactly_once_v2";
    /** The default settle window, ms. */
    public static final long DEFAULT_SETTLE_MS = 200L;
    public static final String AT_LEAST_ONCE = "at_least_once";

    public Processing {
        guarantee = guarantee == null ? EXACTLY_ONCE_V2 : guarantee.strip().toLowerCase(Locale.ROOT);
        if (!guarantee.equals(EXACTLY_ONCE_V2) && !guarantee.equals(AT_LEAST_ONCE)) {
            throw new IllegalArgumentException("guarantee: '" + guarantee + "' is not one of "
                    + EXACTLY_ONCE_V2 + ", " + AT_LEAST_ONCE);
        }
        // 0: wait for data already on the brokers, never for producers. The side-record barrier, not idling, is what
        // makes side records apply before the data records they precede.
        maxTaskIdleMs = atLeast("max-task-idle-ms", maxTaskIdleMs == null ? 0L : maxTaskIdleMs, 0);
        consentHistoryRetentionMs = atLeast("consent-history-retention-ms",
                consentHistoryRetentionMs == null ? 30L * 24 * 3600 * 1000 : consentHistoryRetentionMs, 60_000);
        numStreamThreads = (int) atLeast("num-stream-threads", numStreamThreads == null ? 1 : numStreamThreads, 1);
        commitIntervalMs = atLeast("commit-interval-ms", commitIntervalMs == null ? 100L : commitIntervalMs, 1);
        stateDir = stateDir == null ? Path.of(System.getProperty("java.io.tmpdir"), "purpose-firewall") : stateDir;
        registryOutageMaxBlockMs = atLeast("registry-outage-max-block-ms",
                registryOutageMaxBlockMs == null ? 2_000L : registryOutageMaxBlockMs, 0);
        consentHoldMs = atLeast("consent-hold-ms", consentHoldMs == null ? 0L : consentHoldMs, 0);
        maxHeldRecords = (int) atLeast("max-held-records", maxHeldRecords == null ? 100_000 : maxHeldRecords, 1);
        eventTimeFloorMs = atLeast("event-time-floor-ms",
                eventTimeFloorMs == null ? EventTimeBounds.DEFAULT_FLOOR_MS : eventTimeFloorMs, 0);
        maxEventTimeSkewMs = atLeast("max-event-time-skew-ms",
                maxEventTimeSkewMs == null ? EventTimeBounds.DEFAULT_MAX_FUTURE_SKEW_MS : maxEventTimeSkewMs, 0);
        if (maxEventTimeSkewMs >= 3_600_000L) {
            throw new IllegalArgumentException("max-event-time-skew-ms: " + maxEventTimeSkewMs + " must stay below "
                    + "the brokers' default message.timestamp.after.max.ms (3600000), or outputs stamped with such "
                    + "event times are refused");
        }
        // 200 ms: a producer that sends a registration and then a contact point without waiting for the first
        // acknowledgement, or a cluster whose partitions live on different brokers, can let the second land first by
        // a few milliseconds; the window covers that, at 200 ms more latency per data record.
        settleMs = atLeast("settle-ms", settleMs == null ? DEFAULT_SETTLE_MS : settleMs, 0);
        sideBarrierPollMs = atLeast("side-barrier-poll-ms", sideBarrierPollMs == null ? 50L : sideBarrierPollMs, 5);
        if (registryOutageMaxBlockMs >= 300_000L) {
            throw new IllegalArgumentException("registry-outage-max-block-ms: " + registryOutageMaxBlockMs
                    + " must stay below max.poll.interval.ms (300000), or the consumer leaves its group while waiting");
        }
    }

    /** A copy with another state directory. */
    public Processing withStateDir(Path dir) {
        return new Processing(guarantee, maxTaskIdleMs, consentHistoryRetentionMs, numStreamThreads, commitIntervalMs,
                dir, registryOutageMaxBlockMs, consentHoldMs, maxHeldRecords, eventTimeFloorMs, maxEventTimeSkewMs,
                settleMs, sideBarrierPollMs);
    }

    /** The event times this configuration believes. */
    public EventTimeBounds eventTimeBounds() {
        return new EventTimeBounds(eventTimeFloorMs, maxEventTimeSkewMs);
    }

    public static Processing defaults() {
        return new Processing(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public boolean exactlyOnce() {
        return guarantee.equals(EXACTLY_ONCE_V2);
    }

    private static long atLeast(String key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(key + ": " + value + " is below the minimum " + min);
        }
        return value;
    }
}
