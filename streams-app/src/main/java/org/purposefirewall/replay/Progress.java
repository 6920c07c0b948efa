package org.purposefirewall.replay;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar for a long read or replay: records done of the total, the rate, the time left. On a terminal it
 * redraws one line; otherwise (a log, a CI job) it prints a line every {@link #LINE_INTERVAL_NANOS} and at the end of
 * each phase. Counts only, never a record's content. Not thread-safe.
 */
public final class Progress {

    /** Prints nothing. */
    public static final Progress NONE = new Progress(null, false);

    private static final long REDRAW_NANOS = 250_000_000L;
    private static final long LINE_INTERVAL_NANOS = 10_000_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private String phase;
    private long total;
    private long done;
    private long started;
    private long lastPrint;

    /**
     * @param out where the bar goes (standard error, so standard output stays the summary)
     * @param terminal redraw one line with carriage returns
     */
    public Progress(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void start(String name, long expected) {
        phase = name;
        total = Math.max(0L, expected);
        done = 0;
        started = System.nanoTime();
        lastPrint = started;
    }

    void advance(long count) {
        done = count;
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastPrint >= (terminal ? REDRAW_NANOS : LINE_INTERVAL_NANOS)) {
            lastPrint = now;
            print(now, false);
        }
    }

    void done() {
        // The total counted offsets, which include transaction markers and aborted records: the phase is complete.
        total = done;
        if (out != null) {
            print(System.nanoTime(), true);
        }
    }

    private void print(long now, boolean last) {
        double seconds = Math.max(1e-9, (now - started) / 1e9);
        double rate = done / seconds;
        long shown = Math.min(done, total == 0 ? done : total);
        double fraction = total == 0 ? 1.0 : Math.min(1.0, (double) shown / total);
        int filled = (int) Math.round(fraction * WIDTH);
        String left = last || rate <= 0 || total <= done ? "" : String.format(Locale.ROOT, ", %s left",
                duration((total - done) / rate));
        String line = String.format(Locale.ROOT, "%-30s [%s%s] %3d%% %,d/%,d records, %,.0f/s%s", phase,
                "#".repeat(filled), "-".repeat(WIDTH - filled), Math.round(fraction * 100), shown, total, rate,
                last ? ", " + duration(seconds) : left);
        if (terminal) {
            out.print("\r" + line + (last ? System.lineSeparator() : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + " s";
    }
}
