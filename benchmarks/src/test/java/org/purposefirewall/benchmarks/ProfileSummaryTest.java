package org.purposefirewall.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profile summary reads a recording made by {@link ProfileRecorder}; it checks the output's shape only. */
class ProfileSummaryTest {

    @TempDir
    Path dir;

    @Test
    void summarizesTheProfiledRunsStreamThreads() throws Exception {
        Path file = dir.resolve("run.jfr");
        String appId = "bench-test-fw-0000abcd";
        ProfileRecorder recorder = ProfileRecorder.start(file, appId, 1);
        Thread worker = new Thread(ProfileSummaryTest::work, appId + "-6f0c-StreamThread-1");
        worker.start();
        worker.join();
        recorder.endRun();
        recorder.close();

        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            ProfileSummary.summarize(file, null, 25, out);
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("the timed run, from its ProfiledRun event", "application " + appId,
                "Stream threads: ", "## Running Java code", "## Top 25 frames by self time",
                "## Top 25 frames by inclusive time", "## Top 15 allocation sites by sampled weight");
    }

    @Test
    void readsSamplingPeriods() {
        assertThat(ProfileSummary.periodMillis("10 ms", 20)).isEqualTo(10);
        assertThat(ProfileSummary.periodMillis("1 s", 20)).isEqualTo(1000);
        assertThat(ProfileSummary.periodMillis("everyChunk", 20)).isEqualTo(20);
        assertThat(ProfileSummary.periodMillis(null, 20)).isEqualTo(20);
    }

    /** Some allocation and computation, for about half a second. */
    private static void work() {
        long end = System.nanoTime() + 500_000_000L;
        List<byte[]> keep = new ArrayList<>();
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            while (System.nanoTime() < end) {
                byte[] data = new byte[1024];
                keep.add(sha.digest(data));
                if (keep.size() > 1000) {
                    keep.clear();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
