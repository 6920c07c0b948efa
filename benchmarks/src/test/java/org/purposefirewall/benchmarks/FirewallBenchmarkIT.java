package org.purposefirewall.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Smoke test of the harness on a tiny input: it completes, both topologies process every input exactly once, and it
 * yields a usable ratio. It checks the harness, never the speed.
 */
class FirewallBenchmarkIT {

    @Test
    void harnessRunsBothTopologiesOverTheSameInput() {
        BenchmarkOptions options = BenchmarkOptions.parse("--users", "2000", "--warmup-users", "200", "--rounds", "1");
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        BenchmarkReport report;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            report = FirewallBenchmark.run(options, out);
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        assertThat(report.warmups()).hasSize(2);
        assertThat(report.measured()).hasSize(2);
        assertThat(report.measured()).extracting(RunResult::kind)
                .containsExactlyInAnyOrder(RunResult.Kind.FIREWALL, RunResult.Kind.PASS_THROUGH);
        long contactPoints = report.environment().contactPoints();
        assertThat(contactPoints).isPositive();
        for (RunResult run : report.measured()) {
            assertThat(run.contactPoints()).isEqualTo(contactPoints);
            assertThat(run.outputTotal()).as("committed outputs of %s", run.kind()).isEqualTo(contactPoints);
            assertThat(run.outputs()).as("outputs of %s", run.kind()).isEqualTo(run.expectedOutputs());
            assertThat(run.elapsedSeconds()).isPositive();
        }
        for (RunResult run : report.warmups()) {
            assertThat(run.processedExactly()).as("warm-up %s", run.kind()).isTrue();
        }
        RunResult firewall = report.run(1, RunResult.Kind.FIREWALL).orElseThrow();
        assertThat(firewall.inputRecords()).isGreaterThan(contactPoints);

        assertThat(report.ratios()).hasSize(1);
        double ratio = report.medianRatio();
        assertThat(ratio).isPositive();
        assertThat(Double.isFinite(ratio)).isTrue();
        assertThat(report.allProcessedExactly()).isTrue();
        assertThat(printed).contains("## Summary (for the README)", "| Partitions | 4 |", "exactly_once_v2");
    }
}
