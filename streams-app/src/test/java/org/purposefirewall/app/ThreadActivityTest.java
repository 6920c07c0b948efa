package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;
import org.purposefirewall.topology.CommitPacer;

/** A thread's time shares, commit latency and records an iteration, read from Kafka Streams' thread metrics. */
class ThreadActivityTest {

    private static final String THREAD_1 = "app-6f1c2d3e-aaaa-bbbb-cccc-0123456789ab-StreamThread-1";
    private static final String THREAD_2 = "app-6f1c2d3e-aaaa-bbbb-cccc-0123456789ab-StreamThread-2";

    private final Map<MetricName, Metric> metrics = new LinkedHashMap<>();

    @Test
    void shouldTellEachThreadsSharesCommitLatencyAndRecordsAnIteration() {
        threadMetrics(THREAD_2, 0.70, 0.05, 0.20, 0.05, 35.0, 120.0, 48.0);
        threadMetrics(THREAD_1, 0.08, 0.02, 0.85, 0.05, 412.4, 903.0, 1.36);

        assertThat(ThreadActivity.describe(metrics)).isEqualTo(
                "StreamThread-1 process 0.08 punctuate 0.02 commit 0.85 poll 0.05, commit avg 412 max 903 ms, "
                        + "1.4 records an iteration; "
                        + "StreamThread-2 process 0.70 punctuate 0.05 commit 0.20 poll 0.05, commit avg 35 max 120 ms, "
                        + "48.0 records an iteration");
    }

    @Test
    void shouldTellTheCommitIntervalEachThreadKeepsOnceItHasOne() {
        threadMetrics(THREAD_1, 0.30, 0.00, 0.50, 0.20, 60.0, 400.0, 900.0);
        threadMetrics(THREAD_2, 0.70, 0.05, 0.20, 0.05, 35.0, 120.0, 48.0);
        put(CommitPacer.INTERVAL_METRIC, CommitPacer.PACING_METRICS, Map.of("thread-id", THREAD_1), 400.0);

        assertThat(ThreadActivity.describe(metrics)).isEqualTo(
                "StreamThread-1 process 0.30 punctuate 0.00 commit 0.50 poll 0.20, commit avg 60 max 400 ms, "
                        + "900.0 records an iteration, commits every 400 ms; "
                        + "StreamThread-2 process 0.70 punctuate 0.05 commit 0.20 poll 0.05, commit avg 35 max 120 ms, "
                        + "48.0 records an iteration");
    }

    @Test
    void shouldTellEachThreadsMainConsumerFetchesButNotTheRestoreConsumers() {
        threadMetrics(THREAD_1, 0.30, 0.00, 0.05, 0.65, 4.0, 36.0, 30.9);
        threadMetrics(THREAD_2, 0.70, 0.05, 0.20, 0.05, 35.0, 120.0, 48.0);
        fetchMetrics(THREAD_1 + "-consumer", 212.4, 503.0, 41.25);
        fetchMetrics(THREAD_2 + "-restore-consumer", 9.0, 10.0, 900.0);
        fetchMetrics("app-6f1c2d3e-aaaa-bbbb-cccc-0123456789ab-global-consumer", 9.0, 10.0, 900.0);
        put("fetch-latency-avg", ThreadActivity.FETCH_METRICS,
                Map.of("client-id", THREAD_2 + "-consumer", "topic", "t"), 999.0);

        assertThat(ThreadActivity.describe(metrics)).isEqualTo(
                "StreamThread-1 process 0.30 punctuate 0.00 commit 0.05 poll 0.65, commit avg 4 max 36 ms, "
                        + "30.9 records an iteration, fetch avg 212 max 503 ms, 41.3 records a fetch; "
                        + "StreamThread-2 process 0.70 punctuate 0.05 commit 0.20 poll 0.05, commit avg 35 max 120 ms, "
                        + "48.0 records an iteration");
    }

    @Test
    void shouldShowAValueTheWindowHasNotMeasuredAsADash() {
        threadMetrics(THREAD_1, Double.NaN, 0.0, 0.0, 1.0, Double.NaN, Double.NaN, Double.NaN);

        assertThat(ThreadActivity.describe(metrics)).isEqualTo(
                "StreamThread-1 process - punctuate 0.00 commit 0.00 poll 1.00, commit avg - max - ms, "
                        + "- records an iteration");
    }

    @Test
    void shouldIgnoreOtherMetricsAndSayNoneWithoutThreads() {
        put("commit-ratio", "stream-task-metrics", Map.of("thread-id", THREAD_1, "task-id", "1_0"), 0.5);
        put("commit-latency-avg", "producer-metrics", Map.of("client-id", "p"), 10.0);

        assertThat(ThreadActivity.describe(metrics)).isEqualTo("none");
        assertThat(ThreadActivity.describe(Map.of())).isEqualTo("none");
    }

    private void threadMetrics(String thread, double process, double punctuate, double commit, double poll,
                               double commitAvg, double commitMax, double recordsAvg) {
        Map<String, String> tags = Map.of("thread-id", thread);
        put("process-ratio", CommitPacer.THREAD_METRICS, tags, process);
        put("punctuate-ratio", CommitPacer.THREAD_METRICS, tags, punctuate);
        put("commit-ratio", CommitPacer.THREAD_METRICS, tags, commit);
        put("poll-ratio", CommitPacer.THREAD_METRICS, tags, poll);
        put("commit-latency-avg", CommitPacer.THREAD_METRICS, tags, commitAvg);
        put("commit-latency-max", CommitPacer.THREAD_METRICS, tags, commitMax);
        put("process-records-avg", CommitPacer.THREAD_METRICS, tags, recordsAvg);
    }

    private void fetchMetrics(String client, double latencyAvg, double latencyMax, double recordsPerRequest) {
        Map<String, String> tags = Map.of("client-id", client);
        put("fetch-latency-avg", ThreadActivity.FETCH_METRICS, tags, latencyAvg);
        put("fetch-latency-max", ThreadActivity.FETCH_METRICS, tags, latencyMax);
        put("records-per-request-avg", ThreadActivity.FETCH_METRICS, tags, recordsPerRequest);
    }

    private void put(String name, String group, Map<String, String> tags, double value) {
        MetricName metricName = new MetricName(name, group, "", tags);
        metrics.put(metricName, new Metric() {
            @Override
            public MetricName metricName() {
                return metricName;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }
}
