package org.purposefirewall.app;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.purposefirewall.topology.CommitPacer;

/**
 * Where each stream thread's time goes, from Kafka Streams' own thread metrics ({@code stream-thread-metrics}): the
 * share of its last loop spent processing, punctuating, committing and polling (Kafka records these per loop), the
 * commit latency and the records processed per loop iteration over the metrics window, and the interval
 * {@link CommitPacer} keeps. Told beside the barrier's "applied late" warning, it says whether a backlog
 * is a thread that is busy deciding (process share high) or one that spends its time waiting for the brokers to
 * acknowledge commits (commit share high, few records an iteration). Thread names only, never a record.
 */
final class ThreadActivity {

    private ThreadActivity() {
    }

    /**
     * One line per thread, {@code StreamThread-1 process 0.12 punctuate 0.01 commit 0.80 poll 0.07, commit avg 412
     * max 903 ms, 1.4 records an iteration, commits every 400 ms}, threads separated by "; ", or {@code "none"}
     * without thread metrics; the last part is the interval {@link CommitPacer} keeps, once the thread has one.
     */
    static String describe(Map<MetricName, ? extends Metric> metrics) {
        Map<String, Map<String, Double>> byThread = new TreeMap<>();
        Map<String, Double> paced = new TreeMap<>();
        metrics.forEach((name, metric) -> {
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
