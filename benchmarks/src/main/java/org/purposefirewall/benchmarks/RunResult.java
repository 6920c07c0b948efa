package org.purposefirewall.benchmarks;

import java.util.Map;

/**
 * One timed run of one topology over one pre-loaded input set.
 *
 * @param label           "warmup" or "r1", "r2", ...
 * @param round           1-based round, 0 for the warm-up
 * @param kind            which topology
 * @param contactPoints   contact points in the input (the records the rate counts)
 * @param inputRecords    all records the run had to consume (for the firewall, consent and registrations too)
 * @param elapsedSeconds  from {@code KafkaStreams.start()} until the committed offsets reached the input end offsets
 * @param runningSeconds  the same, from the first RUNNING state (startup, rebalance and store set-up excluded)
 * @param streamCpuSeconds CPU time of the run's stream threads until then (the rest of elapsed is waiting)
 * @param processCpuSeconds CPU time of the whole JVM (broker included) during the run
 * @param jitSeconds      time the JIT compilers spent during the run (high means the JVM was still warming up)
 * @param outputs         committed records per output topic, counted after the run
 * @param expectedOutputs what each output topic should hold
 */
public record RunResult(String label,
                        int round,
                        Kind kind,
                        long contactPoints,
                        long inputRecords,
                        double elapsedSeconds,
                        double runningSeconds,
                        double streamCpuSeconds,
                        double processCpuSeconds,
                        double jitSeconds,
                        Map<String, Long> outputs,
                        Map<String, Long> expectedOutputs) {

    /** The two topologies compared. */
    public enum Kind {
        FIREWALL("fw", "firewall"),
        PASS_THROUGH("pt", "pass-through");

        private final String tag;
        private final String title;

        Kind(String tag, String title) {
            this.tag = tag;
            this.title = title;
        }

        /** Short name used in topic names and application ids. */
        public String tag() {
            return tag;
        }

        public String title() {
            return title;
        }
    }

    public RunResult {
        outputs = Map.copyOf(outputs);
        expectedOutputs = Map.copyOf(expectedOutputs);
    }

    /** Contact points per second, from start. */
    public double recordsPerSecond() {
        return contactPoints / elapsedSeconds;
    }

    /** Contact points per second, from RUNNING. */
    public double recordsPerSecondRunning() {
        return contactPoints / runningSeconds;
    }

    /** Committed output records over all output topics of the run. */
    public long outputTotal() {
        return outputs.values().stream().mapToLong(Long::longValue).sum();
    }

    /** True if the run wrote exactly one committed output per input contact point. */
    public boolean processedExactly() {
        return outputTotal() == contactPoints;
    }

    /** True if every output topic holds exactly what the scenario predicts. */
    public boolean outcomesAsExpected() {
        return outputs.equals(expectedOutputs);
    }
}
