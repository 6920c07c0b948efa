package org.purposefirewall.app;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.purposefirewall.topology.CommitPacer;

/**
 * Where each stream thread's time goes, from Kafka Streams' own thread metrics ({@code stream-thread-metrics}): the
 * share of its last loop spent processing, punctuating, committing and polling (Kafka records these per loop), the
 * commit latency and the records processed per loop iteration over the metrics window, and the interval
 * {@link CommitPacer} keeps, and its main consumer's fetches ({@code consumer-fetch-manager-metrics}: the latency of
 * a fetch request and the records one returns, over the metrics window). Told beside the barrier's "applied late"
 * warning, it says whether a backlog is a thread that is busy deciding (process share high), one that spends its
 * time waiting for the brokers to acknowledge commits (commit share high, few records an iteration), or one that
 * waits for fetches (poll share high: slow fetches, or fetches that return few records). Thread names only, never
 * a record.
 */
final class ThreadActivity {

    /** Kafka's consumer fetch metrics group; a stream thread's main consumer's client id ends in this suffix. */
    static final String FETCH_METRICS = "consumer-fetch-manager-metrics";
    private static final String MAIN_CONSUMER = "-consumer";
    /** Ends the client id of a thread's main consumer but not of the restore or global consumer's. */
    private static final Pattern STREAM_THREAD = Pattern.compile("StreamThread-\\d+$");

    private ThreadActivity() {
    }

    /**
     * One line per thread, {@code StreamThread-1 process 0.12 punctuate 0.01 commit 0.80 poll 0.07, commit avg 412
     * max 903 ms, 1.4 records an iteration, commits every 400 ms, fetch avg 35 max 480 ms, 120.0 records a fetch},
     * threads separated by "; ", or {@code "none"} without thread metrics; the commit interval is the one
     * {@link CommitPacer} keeps, once the thread has one, and the fetch part is there once the thread's main
     * consumer has fetch metrics (the restore consumer's are not the thread's).
     */
    static String describe(Map<MetricName, ? extends Metric> metrics) {
        Map<String, Map<String, Double>> byThread = new TreeMap<>();
        Map<String, Double> paced = new TreeMap<>();
        Map<String, Map<String, Double>> fetches = new TreeMap<>();
        metrics.forEach((name, metric) -> {
            String client = name.tags().get("client-id");
            if (FETCH_METRICS.equals(name.group()) && client != null && client.endsWith(MAIN_CONSUMER)
                    && name.tags().get("topic") == null && metric.metricValue() instanceof Double value) {
                String thread = client.substring(0, client.length() - MAIN_CONSUMER.length());
                if (STREAM_THREAD.matcher(thread).find()) {
                    fetches.computeIfAbsent(shortName(thread), t -> new TreeMap<>()).put(name.name(), value);
                }
                return;
            }
            if (CommitPacer.PACING_METRICS.equals(name.group()) && CommitPacer.INTERVAL_METRIC.equals(name.name())
                    && name.tags().get("thread-id") != null && metric.metricValue() instanceof Double value) {
                paced.put(shortName(name.tags().get("thread-id")), value);
                return;
            }
            if (!CommitPacer.THREAD_METRICS.equals(name.group())) {
                return;
            }
            String thread = name.tags().get("thread-id");
            if (thread == null || !(metric.metricValue() instanceof Double value)) {
                return;
            }
            byThread.computeIfAbsent(shortName(thread), t -> new TreeMap<>()).put(name.name(), value);
        });
        if (byThread.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        byThread.forEach((thread, values) -> {
            if (!out.isEmpty()) {
                out.append("; ");
            }
            out.append(thread)
                    .append(" process ").append(ratio(values.get("process-ratio")))
                    .append(" punctuate ").append(ratio(values.get("punctuate-ratio")))
                    .append(" commit ").append(ratio(values.get("commit-ratio")))
                    .append(" poll ").append(ratio(values.get("poll-ratio")))
                    .append(", commit avg ").append(millis(values.get("commit-latency-avg")))
                    .append(" max ").append(millis(values.get("commit-latency-max"))).append(" ms, ")
                    .append(records(values.get("process-records-avg"))).append(" records an iteration");
            if (paced.containsKey(thread)) {
                out.append(", commits every ").append(millis(paced.get(thread))).append(" ms");
            }
            Map<String, Double> fetch = fetches.get(thread);
            if (fetch != null) {
                out.append(", fetch avg ").append(millis(fetch.get("fetch-latency-avg")))
                        .append(" max ").append(millis(fetch.get("fetch-latency-max"))).append(" ms, ")
                        .append(records(fetch.get("records-per-request-avg"))).append(" records a fetch");
            }
        });
        return out.toString();
    }

    /** {@code StreamThread-1} of {@code app-<process uuid>-StreamThread-1}: the rest is the same for every thread. */
    private static String shortName(String threadId) {
        int at = threadId.lastIndexOf("StreamThread-");
        return at < 0 ? threadId : threadId.substring(at);
    }

    private static boolean known(Double value) {
        return value != null && !value.isNaN() && !value.isInfinite();
    }

    private static String ratio(Double value) {
        return known(value) ? String.format(Locale.ROOT, "%.2f", value) : "-";
    }

    private static String millis(Double value) {
        return known(value) ? String.format(Locale.ROOT, "%.0f", value) : "-";
    }

    private static String records(Double value) {
        return known(value) ? String.format(Locale.ROOT, "%.1f", value) : "-";
    }
}
