package org.purposefirewall.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import jdk.jfr.EventType;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarizes a JFR recording of a benchmark run ({@code --profile}) for the stream threads of the profiled
 * firewall: how much of the wall clock they were running Java code, the top frames by self and by inclusive time,
 * and the top allocation sites. It prints only code locations (classes, methods), counts and shares: never an event
 * field that could hold a record's content.
 *
 * <p>Usage: {@code ProfileSummary FILE.jfr [--threads REGEX] [--top N]}. Without {@code --threads} it uses the
 * pattern and the timed window of the recording's {@link ProfileRecorder.ProfiledRun} event, else every
 * {@code ...StreamThread-N} and the whole recording.
 */
public final class ProfileSummary {

    private static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";
    private static final String NATIVE_SAMPLE = "jdk.NativeMethodSample";
    private static final String ALLOCATION_SAMPLE = "jdk.ObjectAllocationSample";
    private static final String ACTIVE_SETTING = "jdk.ActiveSetting";
    private static final String GC = "jdk.GarbageCollection";
    private static final Pattern ANY_STREAM_THREAD = Pattern.compile(".*StreamThread-\\d+$");

    private ProfileSummary() {
    }

    public static void main(String[] args) throws IOException {
        Path file = null;
        Pattern threads = null;
        int top = 25;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Pattern.compile(value(args, ++i));
                case "--top" -> top = Integer.parseInt(value(args, ++i));
                case "--help", "-h" -> {
                    System.out.println("usage: ProfileSummary FILE.jfr [--threads REGEX] [--top N]");
                    return;
                }
                default -> {
                    if (file != null) {
                        usage("one recording at a time");
                    }
                    file = Path.of(args[i]);
                }
            }
        }
        if (file == null) {
            usage("no recording given");
        }
        if (!Files.isRegularFile(file)) {
            usage(file + ": no such file");
        }
        summarize(file, threads, top, System.out);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: ProfileSummary FILE.jfr [--threads REGEX] [--top N]");
        System.exit(2);
    }

    /** Frame counts, keyed by frame name. */
    private static final class Counter {
        private final Map<String, Long> counts = new HashMap<>();
        private long total;

        void add(String key, long n) {
            counts.merge(key, n, Long::sum);
        }

        List<Map.Entry<String, Long>> top(int n) {
            List<Map.Entry<String, Long>> list = new ArrayList<>(counts.entrySet());
            list.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
            return list.subList(0, Math.min(n, list.size()));
        }
    }

    /** Reads {@code file} twice: the run's window and settings first, then the samples in it. */
    static void summarize(Path file, Pattern threadsOrNull, int top, PrintStream out) throws IOException {
        // Pass 1: the profiled window, the event type ids, the sampling period.
        Instant windowStart = null;
        Instant windowEnd = null;
        String applicationId = null;
        String recordedPattern = null;
        Instant first = null;
        Instant last = null;
        Map<Long, String> typeNames = new HashMap<>();
        Map<String, String> periods = new HashMap<>();
        try (RecordingFile recording = new RecordingFile(file)) {
            for (EventType type : recording.readEventTypes()) {
                typeNames.put(type.getId(), type.getName());
            }
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                String name = event.getEventType().getName();
                if (first == null || event.getStartTime().isBefore(first)) {
                    first = event.getStartTime();
                }
                if (last == null || event.getEndTime().isAfter(last)) {
                    last = event.getEndTime();
                }
                if (name.equals(ProfileRecorder.ProfiledRun.NAME)) {
                    windowStart = event.getStartTime();
                    windowEnd = event.getEndTime();
                    applicationId = event.getString("applicationId");
                    recordedPattern = event.getString("threadPattern");
                } else if (name.equals(ACTIVE_SETTING) && "period".equals(event.getString("name"))) {
                    String type = typeNames.get(event.getLong("id"));
                    if (type != null) {
                        periods.put(type, event.getString("value"));
                    }
                }
            }
        }
        if (first == null) {
            out.println("no events in " + file);
            return;
        }
        boolean haveWindow = windowStart != null;
        Instant from = haveWindow ? windowStart : first;
        Instant to = haveWindow ? windowEnd : last;
        Pattern threads = threadsOrNull != null ? threadsOrNull
                : recordedPattern != null ? Pattern.compile(recordedPattern) : ANY_STREAM_THREAD;
        double wallSeconds = Duration.between(from, to).toNanos() / 1e9;
        long periodMs = periodMillis(periods.get(EXECUTION_SAMPLE), 10);

        // Pass 2: samples of the matched threads inside the window.
        Map<String, Long> samplesPerThread = new TreeMap<>();
        Set<String> matchedThreads = new HashSet<>();
        Counter self = new Counter();
        Counter inclusive = new Counter();
        Counter nativeTop = new Counter();
        Counter allocations = new Counter();
        long executionSamples = 0;
        long truncated = 0;
        long nativeSamples = 0;
        long allocationWeight = 0;
        long allocationWeightAllThreads = 0;
        long allocationSamples = 0;
        long skippedFirst = 0;
        Set<String> firstAllocation = new HashSet<>();
        long gcCount = 0;
        Duration gcPause = Duration.ZERO;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                Instant at = event.getStartTime();
                if (at.isBefore(from) || at.isAfter(to)) {
                    continue;
                }
                String name = event.getEventType().getName();
                switch (name) {
                    case EXECUTION_SAMPLE -> {
                        String thread = threadName(event.getThread("sampledThread"));
                        if (!threads.matcher(thread).matches()) {
                            continue;
                        }
                        matchedThreads.add(thread);
                        samplesPerThread.merge(thread, 1L, Long::sum);
                        executionSamples++;
                        RecordedStackTrace stack = event.getStackTrace();
                        if (stack == null || stack.getFrames().isEmpty()) {
                            continue;
                        }
                        if (stack.isTruncated()) {
                            truncated++;
                        }
                        List<RecordedFrame> frames = stack.getFrames();
                        self.add(frame(frames.get(0)), 1);
                        Set<String> seen = new HashSet<>();
                        for (RecordedFrame f : frames) {
                            String key = frame(f);
                            if (seen.add(key)) {
                                inclusive.add(key, 1);
                            }
                        }
                    }
                    case NATIVE_SAMPLE -> {
                        String thread = threadName(event.getThread("sampledThread"));
                        if (!threads.matcher(thread).matches()) {
                            continue;
                        }
                        matchedThreads.add(thread);
                        nativeSamples++;
                        RecordedStackTrace stack = event.getStackTrace();
                        if (stack != null && !stack.getFrames().isEmpty()) {
                            nativeTop.add(frame(stack.getFrames().get(0)), 1);
                        }
                    }
                    case ALLOCATION_SAMPLE -> {
                        long weight = event.getLong("weight");
                        String thread = threadName(event.getThread());
                        if (firstAllocation.add(thread)) {
                            // A sample's weight is what its thread allocated since its previous sample; the first one
                            // of a thread that ran before the recording covers all of that (the realistic mode's
                            // preload: gigabytes), so it would swamp the window's sites.
                            if (threads.matcher(thread).matches()) {
                                skippedFirst += weight;
                            }
                            continue;
                        }
                        allocationWeightAllThreads += weight;
                        if (!threads.matcher(thread).matches()) {
                            continue;
                        }
                        allocationWeight += weight;
                        allocationSamples++;
                        String type = event.getClass("objectClass") == null ? "?"
                                : event.getClass("objectClass").getName();
                        allocations.add(type + "  at " + allocationSite(event.getStackTrace()), weight);
                    }
                    case GC -> {
                        gcCount++;
                        gcPause = gcPause.plus(event.getDuration("sumOfPauses"));
                    }
                    default -> {
                    }
                }
            }
        }

        out.printf(Locale.ROOT, "Profile %s%n", file);
        out.printf(Locale.ROOT, "Window: %.2f s wall (%s)%s%n", wallSeconds,
                haveWindow ? "the timed run, from its ProfiledRun event" : "the whole recording",
                applicationId != null ? ", application " + applicationId : "");
        out.printf(Locale.ROOT, "Stream threads: %d matching %s%n", matchedThreads.size(), threads.pattern());
        out.printf(Locale.ROOT, "Execution sampling period: %d ms (%s)%n", periodMs,
                periods.containsKey(EXECUTION_SAMPLE) ? "from the recording's settings" : "assumed");
        out.println();
        out.println("## Running Java code (execution samples x period / wall)");
        for (Map.Entry<String, Long> e : samplesPerThread.entrySet()) {
            double running = e.getValue() * periodMs / 1e3;
            out.printf(Locale.ROOT, "  %-14s %,7d samples = %6.2f s of %.2f s = %5.1f%%%n", shortThread(e.getKey()),
                    e.getValue(), running, wallSeconds, 100 * running / wallSeconds);
        }
        if (samplesPerThread.isEmpty()) {
            out.println("  (no execution samples on matching threads)");
        }
        out.println("  A lower bound: JFR samples only threads running Java (not in native code such as RocksDB,");
        out.println("  see the native samples below) and at most a few threads per period. Compare the benchmark's");
        out.println("  'stream thread CPU' figure.");
        if (executionSamples > 0 && truncated > 0) {
            out.printf(Locale.ROOT, "  %.1f%% of stacks were truncated (raise -XX:FlightRecorderOptions=stackdepth)"
                    + "; inclusive counts of outer frames are then low%n", 100.0 * truncated / executionSamples);
        }
        out.println();
        printTop(out, "Top " + top + " frames by self time (execution samples on stream threads)", self, top,
                executionSamples, "samples");
        printTop(out, "Top " + top + " frames by inclusive time (execution samples on stream threads)", inclusive,
                top, executionSamples, "samples");
        int allocTop = Math.min(top, 15);
        out.printf(Locale.ROOT, "## Top %d allocation sites by sampled weight (jdk.ObjectAllocationSample, stream "
                        + "threads: %.1f MB of %.1f MB sampled in all threads)%n", allocTop, allocationWeight / 1e6,
                allocationWeightAllThreads / 1e6);
        out.printf(Locale.ROOT, "   (%,d samples; class allocated, at the allocating frame <- the nearest frame outside"
                + " the JDK; each thread's first sample, %.1f MB on stream threads, is left out: its weight covers"
                + " allocation before the recording)%n", allocationSamples, skippedFirst / 1e6);
        printRows(out, allocations, allocTop, allocationWeight, true);
        out.println();
        out.printf(Locale.ROOT, "## Native method samples on stream threads: %,d (1 thread per period is sampled, so"
                + " few; top frames)%n", nativeSamples);
        printRows(out, nativeTop, 8, nativeSamples, false);
        out.println();
        out.printf(Locale.ROOT, "GC during the window: %d collections, %.3f s of pauses%n", gcCount,
                gcPause.toNanos() / 1e9);
    }

    private static void printTop(PrintStream out, String title, Counter counter, int top, long total, String unit) {
        out.println("## " + title);
        printRows(out, counter, top, total, false);
        out.println();
    }

    private static void printRows(PrintStream out, Counter counter, int top, long total, boolean bytes) {
        int rank = 1;
        for (Map.Entry<String, Long> e : counter.top(top)) {
            String amount = bytes ? String.format(Locale.ROOT, "%9.1f MB", e.getValue() / 1e6)
                    : String.format(Locale.ROOT, "%,9d", e.getValue());
            out.printf(Locale.ROOT, "%3d. %s %5.1f%%  %s%n", rank++, amount,
                    total == 0 ? 0.0 : 100.0 * e.getValue() / total, e.getKey());
        }
        if (counter.counts.isEmpty()) {
            out.println("  (none)");
        }
    }

    /** {@code class.method}: a location in code, never data. */
    static String frame(RecordedFrame frame) {
        RecordedMethod method = frame.getMethod();
        if (method == null || method.getType() == null) {
            return "?";
        }
        return method.getType().getName() + "." + method.getName();
    }

    /** The allocating frame, and the nearest frame outside the JDK if that is not it. */
    static String allocationSite(RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return "?";
        }
        List<RecordedFrame> frames = stack.getFrames();
        String top = frame(frames.get(0));
        if (!jdk(top)) {
            return top;
        }
        for (RecordedFrame f : frames) {
            String name = frame(f);
            if (!jdk(name)) {
                return top + " <- " + name;
            }
        }
        return top;
    }

    private static boolean jdk(String frame) {
        return frame.startsWith("java.") || frame.startsWith("jdk.") || frame.startsWith("sun.")
                || frame.startsWith("com.sun.");
    }

    private static String threadName(RecordedThread thread) {
        if (thread == null) {
            return "";
        }
        return thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName() == null ? ""
                : thread.getOSName();
    }

    /** "StreamThread-1" of a long client-id-prefixed name. */
    private static String shortThread(String name) {
        int i = name.lastIndexOf("StreamThread-");
        return i >= 0 ? name.substring(i) : name;
    }

    /** "10 ms", "20 ms", "1 s" to milliseconds. */
    static long periodMillis(String value, long fallback) {
        if (value == null) {
            return fallback;
        }
        String v = value.strip();
        try {
            if (v.endsWith(" ms")) {
                return Long.parseLong(v.substring(0, v.length() - 3).strip());
            }
            if (v.endsWith(" s")) {
                return Long.parseLong(v.substring(0, v.length() - 2).strip()) * 1000;
            }
        } catch (NumberFormatException e) {
            return fallback;
        }
        return fallback;
    }
}
