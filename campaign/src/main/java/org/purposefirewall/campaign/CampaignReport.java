package org.purposefirewall.campaign;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A campaign's result: the verdict from the outputs, recovery times, throughput and the chaos that happened.
 *
 * <p><b>Recovery time</b> of a kill (or broker event) at wall time K: for every home partition p (the murmur2
 * partition of an output's key, i.e. the task that decided it), the first output record appended at or after K
 * (output topics use {@code LogAppendTime}, so a record's timestamp is when the broker wrote it); the recovery time is
 * the latest of these minus K: how long until every partition, the killed instance's included, whoever took them
 * over, wrote decisions again. A partition with no output at or after K makes it unbounded ({@code none}). Events
 * closer together than a recovery share its gap; traffic runs through the whole chaos window, so a partition only
 * stays silent while nobody decides it.
 *
 * <p>A kill's recovery is <b>alone</b> when no other chaos event (another kill, another instance's restart, a broker
 * event, the starvation stretch) falls in {@link #QUIET_BEFORE_MS} before it or during its recovery: only then does
 * it measure one failure. Both kinds are reported, and the target applies to all of them.
 */
public record CampaignReport(CampaignOptions options, OutputCollector.Verdict verdict, List<Chaos.Event> events,
                      List<String> selfExits, long producerFailures, boolean productionCut, long productionStart,
                      long productionEnd, long elapsedMs, Path runDir, List<Recovery> recoveries,
                      List<InstanceStart> starts) {

    /**
     * Recovery after one event: {@code millis} (-1: some partition never wrote again), the partition that took
     * longest, and for a kill how long until the killed instance's Kafka Streams was RUNNING again (its log; -1 if
     * never).
     */
    record Recovery(Chaos.Event event, long millis, int slowestPartition, long instanceRunningMillis) {
    }

    static CampaignReport of(CampaignOptions options, OutputCollector.Verdict verdict, List<Chaos.Event> events,
                             List<String> selfExits, long producerFailures, boolean productionCut,
                             long productionStart, long productionEnd, long elapsedMs, Path runDir,
                             Map<String, List<InstanceStart>> starts) {
        List<Recovery> recoveries = new ArrayList<>();
        for (Chaos.Event event : events) {
            if (event.kind().startsWith("kill") || event.kind().startsWith("broker") || event.kind().startsWith("self")) {
                Recovery r = recovery(event, verdict.appendTimes());
                long running = -1;
                for (InstanceStart start : starts.getOrDefault(event.target(), List.of())) {
                    if (start.running() >= event.atMs()) {
                        running = start.running() - event.atMs();
                        break;
                    }
                }
                recoveries.add(new Recovery(r.event(), r.millis(), r.slowestPartition(), running));
            }
        }
        return new CampaignReport(options, verdict, events, selfExits, producerFailures, productionCut,
                productionStart, productionEnd, elapsedMs, runDir, recoveries,
                starts.values().stream().flatMap(List::stream).toList());
    }

    static Recovery recovery(Chaos.Event event, long[][] appendTimes) {
        long worst = 0;
        int slowest = -1;
        for (int p = 0; p < appendTimes.length; p++) {
            long[] times = appendTimes[p];
            int i = Arrays.binarySearch(times, event.atMs());
            if (i < 0) {
                i = -i - 1;
            } else {
                while (i > 0 && times[i - 1] == event.atMs()) {
                    i--;
                }
            }
            if (i >= times.length) {
                return new Recovery(event, -1, p, -1);
            }
            long gap = times[i] - event.atMs();
            if (gap >= worst) {
                worst = gap;
                slowest = p;
            }
        }
        return new Recovery(event, worst, slowest, -1);
    }

    public long lost() {
        return verdict.lost();
    }

    public long duplicated() {
        return verdict.duplicated();
    }

    public long leaked() {
        return verdict.leaked();
    }

    public long wrong() {
        return verdict.wrong();
    }

    public long missingRecalls() {
        return verdict.missingRecalls();
    }

    /** Outputs that name no contact point the producers wrote, or could not be decoded. */
    public long unattributed() {
        return verdict.unattributed() + verdict.undecodable();
    }

    /** 0/0/0/0, nothing missing or unattributed, every planned contact point produced, no harness failure. */
    public boolean passed() {
        return verdict.clean() && producerFailures == 0 && !productionCut;
    }

    /** Recovery times of the instance kills (ms, -1 for unbounded), in event order. */
    public List<Long> killRecoveries() {
        return recoveries.stream().filter(r -> r.event().kind().startsWith("kill")).map(Recovery::millis).toList();
    }

    /**
     * A kill's recovery in two parts: until the killed instance's Kafka Streams was RUNNING again (the restart, and
     * every further kill of it before it got there), and the catch-up after that, until every partition wrote again
     * (0 when they all had before it: another instance decided them). Kills with an unbounded recovery or no
     * RUNNING again are left out of both, so that the two lists stay pairs.
     */
    List<long[]> killParts() {
        return recoveries.stream().filter(r -> r.event().kind().startsWith("kill"))
                .filter(r -> r.millis() >= 0 && r.instanceRunningMillis() >= 0)
                .map(r -> new long[] {r.instanceRunningMillis(), Math.max(0, r.millis() - r.instanceRunningMillis())})
                .toList();
    }

    /** How long before a kill the system must have been left alone for its recovery to count as one failure's. */
    static final long QUIET_BEFORE_MS = 20_000;

    /**
     * True if no other event touches the kill's recovery: none in {@link #QUIET_BEFORE_MS} before it or until it
     * recovered, its own restart aside. An unbounded recovery is never alone (it has no end to look until).
     */
    static boolean alone(Recovery r, List<Chaos.Event> events) {
        if (r.millis() < 0) {
            return false;
        }
        Chaos.Event kill = r.event();
        long from = kill.atMs() - QUIET_BEFORE_MS;
        long to = kill.atMs() + r.millis();
        boolean ownRestartSeen = false;
        for (Chaos.Event e : events) {
            if (e.equals(kill) || e.kind().startsWith("chaos-window")) {
                continue;
            }
            if (!ownRestartSeen && e.kind().equals("restart") && e.target().equals(kill.target())
                    && e.atMs() >= kill.atMs() && e.atMs() <= to) {
                ownRestartSeen = true;
                continue;
            }
            if (e.doneMs() >= from && e.atMs() <= to) {
                return false;
            }
        }
        return true;
    }

    /** Recovery times of the kills that were {@link #alone}, or of the others. */
    public List<Long> killRecoveries(boolean alone) {
        return recoveries.stream().filter(r -> r.event().kind().startsWith("kill"))
                .filter(r -> alone(r, events) == alone).map(Recovery::millis).toList();
    }

    static long percentile(List<Long> values, double q) {
        if (values.isEmpty()) {
            return 0;
        }
        if (values.contains(-1L)) {
            return -1;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** The printed report. */
    public String text() {
        OutputCollector.Verdict v = verdict;
        StringBuilder s = new StringBuilder();
        s.append("\nCampaign report (seed ").append(options.seed()).append(", ").append(options.instances())
                .append(" instances, run ").append(runDir).append(")\n");
        s.append(String.format(Locale.ROOT, "  contact points: %,d; ad records %,d; recalls %,d%n", v.contactPoints(),
                v.adRecords(), v.recalls()));
        s.append(String.format(Locale.ROOT, "  lost %d  duplicated %d  leaked %d  wrong %d%n", v.lost(), v.duplicated(),
                v.leaked(), v.wrong()));
        s.append(String.format(Locale.ROOT, "  missing recalls %d  unattributed outputs %d  undecodable outputs %d"
                + "  producer failures %d%s%n", v.missingRecalls(), v.unattributed(), v.undecodable(),
                producerFailures, productionCut ? "  PRODUCTION CUT BY THE DEADLINE" : ""));
        if (!v.wrongKinds().isEmpty()) {
            s.append("  wrong outcomes (expected->actual reason): ").append(v.wrongKinds()).append('\n');
        }
        for (String finding : v.findings()) {
            s.append("  ").append(finding).append('\n');
        }
        sample(s, "lost", v.lostSamples());
        sample(s, "duplicated", v.duplicateSamples());
        sample(s, "wrong", v.wrongSamples());
        s.append("  chaos:\n");
        for (Chaos.Event e : events) {
            s.append(String.format(Locale.ROOT, "    %s  %-28s %-12s (took %d ms)%n", Instant.ofEpochMilli(e.atMs()),
                    e.kind(), e.target(), e.doneMs() - e.atMs()));
        }
        if (!selfExits.isEmpty()) {
            s.append("  instances that exited by themselves (restarted):\n");
            selfExits.forEach(x -> s.append("    ").append(x).append('\n'));
        }
        s.append("  recovery: event -> every home partition wrote output again (ms, slowest partition);"
                + " killed instance RUNNING again (ms, its log)\n");
        for (Recovery r : recoveries) {
            s.append(String.format(Locale.ROOT, "    %s  %-28s %-12s %s%s%n", Instant.ofEpochMilli(r.event().atMs()),
                    r.event().kind(), r.event().target(), r.millis() < 0 ? "none (partition " + r.slowestPartition()
                            + " never wrote again)" : r.millis() + " (partition " + r.slowestPartition() + ")",
                    r.event().kind().startsWith("kill") || r.event().kind().startsWith("self")
                            ? "; RUNNING again " + (r.instanceRunningMillis() < 0 ? "never"
                            : r.instanceRunningMillis() + " ms") : ""));
        }
        List<Long> kills = killRecoveries();
        s.append(String.format(Locale.ROOT, "  kill recovery: n=%d p50=%s p99=%s max=%s (target p99 < 10000)%n",
                kills.size(), ms(percentile(kills, 0.5)), ms(percentile(kills, 0.99)), ms(percentile(kills, 1.0))));
        for (boolean alone : new boolean[] {true, false}) {
            List<Long> some = killRecoveries(alone);
            s.append(String.format(Locale.ROOT, "    %s: n=%d p50=%s p99=%s max=%s%n", alone
                    ? "alone (no other event from " + QUIET_BEFORE_MS / 1000 + " s before it until recovered)"
                    : "overlapping another kill, restart, broker event or the starvation", some.size(),
                    some.isEmpty() ? "-" : ms(percentile(some, 0.5)), some.isEmpty() ? "-" : ms(percentile(some, 0.99)),
                    some.isEmpty() ? "-" : ms(percentile(some, 1.0))));
        }
        List<long[]> parts = killParts();
        for (int part = 0; part < 2; part++) {
            int i = part;
            List<Long> some = parts.stream().map(p -> p[i]).toList();
            s.append(String.format(Locale.ROOT, "    %s: n=%d p50=%s p99=%s max=%s%n", part == 0
                    ? "of which until the killed instance was RUNNING again"
                    : "of which the catch-up after it (0: every partition wrote before it)", some.size(),
                    some.isEmpty() ? "-" : ms(percentile(some, 0.5)), some.isEmpty() ? "-" : ms(percentile(some, 0.99)),
                    some.isEmpty() ? "-" : ms(percentile(some, 1.0))));
        }
        s.append(phases(starts));
        s.append("  outputs per 10 s (by broker append time, from the start of the traffic):\n");
        Map<Long, Long> buckets = new TreeMap<>();
        for (long[] times : v.appendTimes()) {
            for (long t : times) {
                buckets.merge(Math.floorDiv(t - productionStart, 10_000L), 1L, Long::sum);
            }
        }
        buckets.forEach((b, n) -> s.append(String.format(Locale.ROOT, "    %5d s  %,9d  %s%n", b * 10, n,
                "#".repeat((int) Math.min(60, n / Math.max(1, maxOf(buckets) / 60))))));
        s.append(String.format(Locale.ROOT, "  production %.1f s, whole campaign %.1f s%n",
                (productionEnd - productionStart) / 1000.0, elapsedMs / 1000.0));
        s.append("  result: ").append(passed() ? "PASS" : "FAIL").append('\n');
        return s.toString();
    }

    /** Where a start's seconds went, over every start that reached RUNNING: a phase from one mark to the next. */
    static String phases(List<InstanceStart> starts) {
        StringBuilder s = new StringBuilder();
        List<InstanceStart> done = starts.stream().filter(InstanceStart::reachedRunning).toList();
        s.append(String.format(Locale.ROOT, "  instance starts: %d, %d reached RUNNING; their phases (instances' logs):%n",
                starts.size(), done.size()));
        phase(s, "JVM (process start -> first log line)", done, InstanceStart::processStart, InstanceStart::firstLog);
        phase(s, "service (-> Kafka Streams started: config, topic check, schemas)", done, InstanceStart::firstLog,
                InstanceStart::streamsStarted);
        phase(s, "Kafka Streams start (-> REBALANCING)", done, InstanceStart::streamsStarted,
                InstanceStart::rebalancing);
        phase(s, "group and restore (REBALANCING -> RUNNING)", done, InstanceStart::rebalancing,
                InstanceStart::running);
        phase(s, "  of which to the first restore (starts that restored)", done, InstanceStart::rebalancing,
                InstanceStart::firstRestore);
        phase(s, "  of which from the first restore", done, InstanceStart::firstRestore, InstanceStart::running);
        phase(s, "whole (process start -> RUNNING)", done, InstanceStart::processStart, InstanceStart::running);
        return s.toString();
    }

    private static void phase(StringBuilder s, String name, List<InstanceStart> starts,
                              java.util.function.ToLongFunction<InstanceStart> from,
                              java.util.function.ToLongFunction<InstanceStart> to) {
        List<Long> spans = new ArrayList<>();
        for (InstanceStart start : starts) {
            long a = from.applyAsLong(start);
            long b = to.applyAsLong(start);
            if (a >= 0 && b >= a) {
                spans.add(b - a);
            }
        }
        s.append(String.format(Locale.ROOT, "    %-66s n=%d p50=%s max=%s%n", name, spans.size(),
                spans.isEmpty() ? "-" : ms(percentile(spans, 0.5)), spans.isEmpty() ? "-" : ms(percentile(spans, 1.0))));
    }

    private static long maxOf(Map<Long, Long> buckets) {
        return buckets.values().stream().mapToLong(Long::longValue).max().orElse(1);
    }

    private static String ms(long value) {
        return value < 0 ? "none" : value + " ms";
    }

    private static void sample(StringBuilder s, String what, List<Integer> samples) {
        if (!samples.isEmpty()) {
            s.append("  ").append(what).append(" contact points (first ").append(samples.size()).append("): ")
                    .append(samples).append('\n');
        }
    }
}
