package org.purposefirewall.monitor;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.purposefirewall.monitor.Redaction.DeadLetterRow;
import org.purposefirewall.monitor.Redaction.QuarantineRow;

/**
 * The monitor's counts, per-minute buckets and latest rows, all bounded: at most {@value #MAX_LABELS} labels per
 * dimension (more are counted as {@value #OTHER}), {@value #MINUTES} one-minute buckets, and the configured number of
 * latest rows per topic. Records are bucketed by their decision time. Thread-safe: the consumer thread adds, HTTP
 * threads take snapshots (one lock; each operation is short).
 */
final class MonitorState {

    static final int MAX_LABELS = 100;
    static final String OTHER = "(other)";
    /** Minutes kept for the chart and the recent rates. */
    static final int MINUTES = 60;
    /** The window of the per-minute rate. */
    static final int RATE_MINUTES = 10;
    private static final long MINUTE = 60_000L;

    private final Clock clock;
    private final int latestLimit;
    private final long since;

    private long quarantined;
    private long deadLettered;
    private long unreadable;
    private long honeytokenHits;
    private QuarantineRow latestHoneytoken;
    private final Map<String, Dimension> dimensions = new LinkedHashMap<>();
    private final TreeMap<Long, long[]> minutes = new TreeMap<>();
    private final ArrayDeque<QuarantineRow> latestQuarantine = new ArrayDeque<>();
    private final ArrayDeque<DeadLetterRow> latestDeadLetters = new ArrayDeque<>();

    /** @param since the start of the lookback (epoch ms), shown as "counted since" */
    MonitorState(Clock clock, int latestLimit, long since) {
        this.clock = clock;
        this.latestLimit = latestLimit;
        this.since = since;
        for (String name : List.of("reason", "rule", "sourceSystem", "sourceTopic", "deadLetterReason",
                "deadLetterTopic")) {
            dimensions.put(name, new Dimension());
        }
    }

    synchronized void add(QuarantineRow row) {
        quarantined++;
        long minute = row.decisionTime() / MINUTE;
        dimensions.get("reason").add(row.reason(), minute);
        dimensions.get("rule").add(row.rule(), minute);
        dimensions.get("sourceSystem").add(row.sourceSystem().isEmpty() ? "(none: declared or honeytoken)"
                : row.sourceSystem(), minute);
        dimensions.get("sourceTopic").add(row.topic(), minute);
        bucket(minute)[0]++;
        if (!row.honeytoken().isEmpty() || "HONEYTOKEN".equals(row.reason())) {
            honeytokenHits++;
            if (latestHoneytoken == null || row.decisionTime() >= latestHoneytoken.decisionTime()) {
                latestHoneytoken = row;
            }
        }
        latestQuarantine.addFirst(row);
        while (latestQuarantine.size() > latestLimit) {
            latestQuarantine.removeLast();
        }
    }

    synchronized void add(DeadLetterRow row) {
        deadLettered++;
        long minute = row.decisionTime() / MINUTE;
        dimensions.get("deadLetterReason").add(row.reason(), minute);
        dimensions.get("deadLetterTopic").add(row.topic(), minute);
        bucket(minute)[1]++;
        latestDeadLetters.addFirst(row);
        while (latestDeadLetters.size() > latestLimit) {
            latestDeadLetters.removeLast();
        }
    }

    /** A record on the monitored topics that could not be decoded: counted, never shown. */
    synchronized void addUnreadable() {
        unreadable++;
    }

    /** A count of one label: in all, in the last hour, and per minute over the last {@value #RATE_MINUTES}. */
    record Count(String label, long total, long lastHour, double perMinute) {
    }

    record Bucket(long minuteStart, long quarantined, long deadLettered) {
    }

    record Honeytokens(long hits, String latestLabel, long latestDecisionTime, String latestTopic,
                       int latestPartition, long latestOffset) {
    }

    record Summary(long now, long since, long quarantined, long deadLettered, long unreadable,
                   double quarantinedPerMinute, double deadLetteredPerMinute, Honeytokens honeytokens,
                   Map<String, List<Count>> counts, List<Bucket> minutes) {
    }

    record Latest(List<QuarantineRow> quarantined, List<DeadLetterRow> deadLettered) {
    }

    synchronized Summary summary() {
        long nowMinute = clock.millis() / MINUTE;
        Map<String, List<Count>> counts = new LinkedHashMap<>();
        dimensions.forEach((name, d) -> counts.put(name, d.counts(nowMinute)));
        List<Bucket> chart = new ArrayList<>(MINUTES);
        double q = 0;
        double dl = 0;
        for (long m = nowMinute - MINUTES + 1; m <= nowMinute; m++) {
            long[] b = minutes.getOrDefault(m, new long[2]);
            chart.add(new Bucket(m * MINUTE, b[0], b[1]));
            if (m > nowMinute - RATE_MINUTES) {
                q += b[0];
                dl += b[1];
            }
        }
        QuarantineRow h = latestHoneytoken;
        Honeytokens tokens = new Honeytokens(honeytokenHits, h == null ? "" : h.honeytoken(),
                h == null ? 0 : h.decisionTime(), h == null ? "" : h.topic(), h == null ? -1 : h.partition(),
                h == null ? -1 : h.offset());
        return new Summary(clock.millis(), since, quarantined, deadLettered, unreadable, q / RATE_MINUTES,
                dl / RATE_MINUTES, tokens, counts, chart);
    }

    synchronized Latest latest() {
        return new Latest(List.copyOf(latestQuarantine), List.copyOf(latestDeadLetters));
    }

    private long[] bucket(long minute) {
        long[] b = minutes.computeIfAbsent(minute, m -> new long[2]);
        // Keep the newest MINUTES buckets only (records of a rebuild arrive in any minute order).
        while (minutes.size() > MINUTES) {
            minutes.pollFirstEntry();
        }
        return minutes.getOrDefault(minute, new long[2]);
    }

    /** The counts of one dimension, bounded to {@value #MAX_LABELS} labels. */
    private static final class Dimension {
        private final Map<String, long[]> byLabel = new HashMap<>();

        /** Per label: [0] the total, [1..MINUTES] a ring of per-minute counts, [MINUTES+1] the ring's newest minute. */
        void add(String label, long minute) {
            String key = label == null || label.isEmpty() ? "(none)" : label;
            if (!byLabel.containsKey(key) && byLabel.size() >= MAX_LABELS - 1) {
                key = OTHER;
            }
            long[] c = byLabel.computeIfAbsent(key, k -> new long[MINUTES + 2]);
            c[0]++;
            long newest = c[MINUTES + 1];
            if (minute > newest) {
                for (long m = Math.max(newest + 1, minute - MINUTES + 1); m <= minute; m++) {
                    c[1 + (int) Math.floorMod(m, (long) MINUTES)] = 0;
                }
                c[MINUTES + 1] = minute;
                newest = minute;
            }
            if (minute > newest - MINUTES) {
                c[1 + (int) Math.floorMod(minute, (long) MINUTES)]++;
            }
        }

        List<Count> counts(long nowMinute) {
            List<Count> out = new ArrayList<>(byLabel.size());
            byLabel.forEach((label, c) -> {
                long newest = c[MINUTES + 1];
                long hour = 0;
                long recent = 0;
                for (long m = nowMinute - MINUTES + 1; m <= nowMinute; m++) {
                    if (m > newest || m <= newest - MINUTES) {
                        continue;
                    }
                    long n = c[1 + (int) Math.floorMod(m, (long) MINUTES)];
                    hour += n;
                    if (m > nowMinute - RATE_MINUTES) {
                        recent += n;
                    }
                }
                out.add(new Count(label, c[0], hour, recent / (double) RATE_MINUTES));
            });
            out.sort(Comparator.comparingLong(Count::total).reversed().thenComparing(Count::label));
            return out;
        }
    }
}
