package org.purposefirewall.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceStartTest {

    private static long at(String utc) {
        return Instant.parse(utc).toEpochMilli();
    }

    @Test
    void eachStartsMarksAreReadAndAStartKilledEarlyHasNone() {
        // Given a log with three starts: one that restored and ran, one killed while joining, one without restores
        List<String> log = List.of(
                "==== campaign: start 1 of firewall-0 at 2026-12-01T20:00:00.000000001Z",
                "2026-12-01 20:00:02,100 WARN  [main] o.p.app.RunCommand - IN-MEMORY SCHEMA REGISTRY",
                "2026-12-01 20:00:03,500 INFO  [main] o.p.app.FirewallApp - starting purpose firewall applicationId=x",
                "2026-12-01 20:00:04,000 INFO  [main] o.p.app.FirewallApp - streams state changed from=\"CREATED\" "
                        + "to=\"REBALANCING\"",
                "\tat a stack frame, which is no log line",
                "2026-12-01 20:00:06,000 INFO  [StateUpdater-1] o.p.app.RestoreLog - restoring store from its "
                        + "changelog store=\"consent-store\"",
                "2026-12-01 20:00:06,200 INFO  [StateUpdater-1] o.p.app.RestoreLog - restoring store from its "
                        + "changelog store=\"exposure-store\"",
                "2026-12-01 20:00:07,000 INFO  [StreamThread-1] o.p.app.FirewallApp - streams state changed "
                        + "from=\"REBALANCING\" to=\"RUNNING\"",
                "2026-12-01 20:00:09,000 INFO  [StreamThread-1] o.p.app.FirewallApp - streams state changed "
                        + "from=\"RUNNING\" to=\"REBALANCING\"",
                "2026-12-01 20:00:10,000 INFO  [StreamThread-1] o.p.app.FirewallApp - streams state changed "
                        + "from=\"REBALANCING\" to=\"RUNNING\"",
                "==== campaign: start 2 of firewall-0 at 2026-12-01T20:01:00Z",
                "2026-12-01 20:01:02,000 WARN  [main] o.p.app.RunCommand - IN-MEMORY SCHEMA REGISTRY",
                "2026-12-01 20:01:03,000 INFO  [main] o.p.app.FirewallApp - starting purpose firewall applicationId=x",
                "==== campaign: start 3 of firewall-0 at 2026-12-01T20:02:00Z",
                "2026-12-01 20:02:01,000 WARN  [main] o.p.app.RunCommand - IN-MEMORY SCHEMA REGISTRY",
                "2026-12-01 20:02:02,000 INFO  [main] o.p.app.FirewallApp - starting purpose firewall applicationId=x",
                "2026-12-01 20:02:02,500 INFO  [main] o.p.app.FirewallApp - streams state changed from=\"CREATED\" "
                        + "to=\"REBALANCING\"",
                "2026-12-01 20:02:03,000 INFO  [StreamThread-1] o.p.app.FirewallApp - streams state changed "
                        + "from=\"REBALANCING\" to=\"RUNNING\"");

        // When it is parsed
        List<InstanceStart> starts = InstanceStart.parse(log.stream(), ZoneOffset.UTC);

        // Then every start is there with its marks; only the first RUNNING of a start counts
        assertThat(starts).containsExactly(
                new InstanceStart(at("2026-12-01T20:00:00Z"), at("2026-12-01T20:00:02.100Z"),
                        at("2026-12-01T20:00:03.500Z"), at("2026-12-01T20:00:04Z"), at("2026-12-01T20:00:06Z"),
                        at("2026-12-01T20:00:07Z")),
                new InstanceStart(at("2026-12-01T20:01:00Z"), at("2026-12-01T20:01:02Z"),
                        at("2026-12-01T20:01:03Z"), -1, -1, -1),
                new InstanceStart(at("2026-12-01T20:02:00Z"), at("2026-12-01T20:02:01Z"),
                        at("2026-12-01T20:02:02Z"), at("2026-12-01T20:02:02.500Z"), -1, at("2026-12-01T20:02:03Z")));
        assertThat(starts).extracting(InstanceStart::reachedRunning).containsExactly(true, false, true);
    }

    @Test
    void theReportGivesEachPhaseOverTheStartsThatReachedRunning() {
        // Given two starts that ran (one restored, one did not) and one killed before it joined
        List<InstanceStart> starts = List.of(
                new InstanceStart(0, 2_000, 3_500, 4_000, 6_000, 7_000),
                new InstanceStart(10_000, 11_000, 12_000, 12_500, -1, 13_000),
                new InstanceStart(20_000, 22_000, 23_000, -1, -1, -1));

        // When the phases are printed
        String text = CampaignReport.phases(starts);

        // Then the killed start is counted but not timed, and each phase has its own n, p50 and max
        assertThat(text).contains("instance starts: 3, 2 reached RUNNING");
        assertThat(text).containsPattern("JVM \\(process start -> first log line\\)\\s+n=2 p50=1000 ms max=2000 ms");
        assertThat(text).containsPattern("group and restore \\(REBALANCING -> RUNNING\\)\\s+n=2 p50=500 ms max=3000 ms");
        assertThat(text).containsPattern("of which to the first restore \\(starts that restored\\)\\s+n=1 p50=2000 ms");
        assertThat(text).containsPattern("whole \\(process start -> RUNNING\\)\\s+n=2 p50=3000 ms max=7000 ms");
    }

    @Test
    void aLogWithoutAStartMarkerHasNoStarts() {
        // Given service lines only (the harness's marker is what delimits a start)
        List<String> log = List.of("2026-12-01 20:00:07,000 INFO  [StreamThread-1] o.p.app.FirewallApp - streams "
                + "state changed from=\"REBALANCING\" to=\"RUNNING\"");

        // When it is parsed, then there is no start to report
        assertThat(InstanceStart.parse(log.stream(), ZoneOffset.UTC)).isEmpty();
    }
}
