package org.purposefirewall.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything one benchmark run measured, and its Markdown rendering.
 *
 * @param environment what the figures depend on
 * @param warmups     the warm-up runs (not part of the comparison)
 * @param measured    the measured runs, in execution order
 */
public record BenchmarkReport(Environment environment, List<RunResult> warmups, List<RunResult> measured) {

    /**
     * The conditions of the run.
     *
     * @param jvm              JVM name and version
     * @param maxHeapMb        the JVM's maximum heap
     * @param gc               garbage collectors in use
     * @param cores            available processors
     * @param kafkaVersion     Kafka client (and broker) version
     * @param partitions       partitions of every topic
     * @param guarantee        Kafka Streams processing guarantee
     * @param commitIntervalMs Kafka Streams commit interval
     * @param streamThreads    stream threads per instance
     * @param users            users of the measured input
     * @param contactPoints    contact points of the measured input
     * @param stateRecords     consent and registration records of the measured input (standard mode: read by the
     *                         firewall only; realistic mode: the side records both topologies read while timed)
     * @param preload          realistic mode: what was loaded and applied before timing; null in standard mode
     * @param loadAtStart      the machine's 1-minute load average when the benchmark started (negative if unknown)
     * @param loadAtEnd        the same after the last measured run
     */
    public record Environment(String jvm, long maxHeapMb, String gc, int cores, String kafkaVersion, int partitions,
                              String guarantee, long commitIntervalMs, int streamThreads, int users,
                              long contactPoints, long stateRecords, String preload, double loadAtStart,
                              double loadAtEnd) {
    }

    public BenchmarkReport {
        warmups = List.copyOf(warmups);
        measured = List.copyOf(measured);
    }

    /** Firewall throughput divided by pass-through throughput, per round (1 = no cost; 0.5 = half the rate). */
    public List<Double> ratios() {
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; ; round++) {
            Optional<RunResult> fw = run(round, RunResult.Kind.FIREWALL);
            Optional<RunResult> pt = run(round, RunResult.Kind.PASS_THROUGH);
            if (fw.isEmpty() || pt.isEmpty()) {
                return ratios;
            }
            ratios.add(fw.get().recordsPerSecond() / pt.get().recordsPerSecond());
        }
    }

    /** The median of {@link #ratios()}. */
    public double medianRatio() {
        List<Double> sorted = new ArrayList<>(ratios());
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** True if every run, warm-ups included, wrote exactly one committed output per input. */
    public boolean allProcessedExactly() {
        return warmups.stream().allMatch(RunResult::processedExactly)
                && measured.stream().allMatch(RunResult::processedExactly);
    }

    public Optional<RunResult> run(int round, RunResult.Kind kind) {
        return measured.stream().filter(r -> r.round() == round && r.kind() == kind).findFirst();
    }

    /** Every run with its details, for the log of this run. */
    public String detailTable() {
        StringBuilder md = new StringBuilder();
        md.append("| Run | Topology | Contact points | All input records | Elapsed (s) | Contact points/s"
                + " | From RUNNING (s) | Stream thread CPU (s) | JVM CPU (s) | JIT (s)"
                + " | Committed outputs | Outcomes as expected |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        List<RunResult> all = new ArrayList<>(warmups);
        all.addAll(measured);
        for (RunResult r : all) {
            md.append("| ").append(r.label())
                    .append(" | ").append(r.kind().title())
                    .append(" | ").append(count(r.contactPoints()))
                    .append(" | ").append(count(r.inputRecords()))
                    .append(" | ").append(seconds(r.elapsedSeconds()))
                    .append(" | ").append(count(Math.round(r.recordsPerSecond())))
                    .append(" | ").append(seconds(r.runningSeconds()))
                    .append(" | ").append(seconds(r.streamCpuSeconds()))
                    .append(" | ").append(seconds(r.processCpuSeconds()))
                    .append(" | ").append(seconds(r.jitSeconds()))
                    .append(" | ").append(count(r.outputTotal()))
                    .append(" | ").append(r.outcomesAsExpected() ? "yes" : "NO: " + r.outputs())
                    .append(" |\n");
        }
        return md.toString();
    }

    /** The summary to paste into the README: conditions, then one row per measured run, then the ratios. */
    public String markdown() {
        Environment e = environment;
        StringBuilder md = new StringBuilder();
        md.append("| Setting | Value |\n|---|---|\n");
        md.append("| JVM | ").append(e.jvm()).append(", max heap ").append(e.maxHeapMb()).append(" MB, ")
                .append(e.gc()).append(" |\n");
        md.append("| Cores | ").append(e.cores()).append(" |\n");
        md.append("| Kafka | ").append(e.kafkaVersion())
                .append(", one KRaft broker in the same JVM (LocalKafkaBroker) |\n");
        md.append("| Partitions | ").append(e.partitions()).append(" |\n");
        md.append("| Guarantee | ").append(e.guarantee()).append(", commit interval ").append(e.commitIntervalMs())
                .append(" ms, ").append(e.streamThreads()).append(" stream thread")
                .append(e.streamThreads() == 1 ? "" : "s").append(" |\n");
        if (e.preload() == null) {
            md.append("| Input | ").append(count(e.contactPoints())).append(" contact points of ")
                    .append(count(e.users())).append(" users; the firewall also reads ")
                    .append(count(e.stateRecords())).append(" consent and registration records |\n");
        } else {
            md.append("| Preloaded (not timed) | ").append(e.preload()).append(" |\n");
            md.append("| Timed input | ").append(count(e.contactPoints())).append(" contact points over ")
                    .append(count(e.users())).append(" users, with ").append(count(e.stateRecords()))
                    .append(" side records (consent changes, registrations) that both topologies read |\n");
        }
        if (e.loadAtStart() >= 0) {
            md.append("| Machine load | 1-min load average ").append(ratio(e.loadAtStart())).append(" at start, ")
                    .append(ratio(e.loadAtEnd())).append(" at end (").append(e.cores())
                    .append(" cores; above that, other processes competed for CPU) |\n");
        }
        md.append('\n');
        md.append("| Round | Topology | Input records | Elapsed (s) | Records/s | Firewall / pass-through |\n");
        md.append("|---|---|---:|---:|---:|---:|\n");
        List<Double> ratios = ratios();
        for (RunResult r : measured) {
            boolean secondOfRound = measured.stream()
                    .filter(o -> o.round() == r.round()).reduce((a, b) -> b).orElse(r) == r;
            String ratio = secondOfRound && r.round() - 1 < ratios.size() ? ratio(ratios.get(r.round() - 1)) : "";
            md.append("| ").append(r.round())
                    .append(" | ").append(r.kind().title())
                    .append(" | ").append(count(r.contactPoints()))
                    .append(" | ").append(seconds(r.elapsedSeconds()))
                    .append(" | ").append(count(Math.round(r.recordsPerSecond())))
                    .append(" | ").append(ratio)
                    .append(" |\n");
        }
        md.append("| median | | | | | **").append(ratio(medianRatio())).append("** |\n");
        return md.toString();
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String seconds(double s) {
        return String.format(Locale.ROOT, "%.2f", s);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }
}
