package org.purposefirewall.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CampaignReportTest {

    @Test
    void shouldMeasureRecoveryUntilTheLastPartitionWritesAgain() {
        long[][] appendTimes = {{100, 900, 1_000, 5_000}, {950, 1_200}, {800, 3_000}};
        Chaos.Event kill = new Chaos.Event("kill-9", "firewall-0", 1_000, 1_001);

        CampaignReport.Recovery recovery = CampaignReport.recovery(kill, appendTimes);

        assertThat(recovery.millis()).isEqualTo(2_000);
        assertThat(recovery.slowestPartition()).isEqualTo(2);
    }

    @Test
    void shouldCallARecoveryUnboundedWhenAPartitionNeverWritesAgain() {
        long[][] appendTimes = {{100, 5_000}, {200}};

        assertThat(CampaignReport.recovery(new Chaos.Event("kill-9", "f", 1_000, 1_000), appendTimes).millis())
                .isEqualTo(-1);
        assertThat(CampaignReport.percentile(List.of(10L, -1L), 0.99)).isEqualTo(-1);
        assertThat(CampaignReport.percentile(List.of(10L, 30L, 20L), 0.5)).isEqualTo(20);
    }

    @Test
    void shouldSplitAKillsRecoveryIntoItsRestartAndTheCatchUpAfterIt() {
        Chaos.Event kill = new Chaos.Event("kill-9", "firewall-0", 100_000, 100_050);
        Chaos.Event broker = new Chaos.Event("broker-restart", "node-1", 120_000, 130_000);
        CampaignReport report = new CampaignReport(null, null, List.of(), List.of(), 0, false, 0, 0, 0, null, List.of(
                new CampaignReport.Recovery(kill, 17_500, 3, 11_600),
                new CampaignReport.Recovery(kill, 3_800, 1, 18_900),
                new CampaignReport.Recovery(kill, -1, 2, 9_000),
                new CampaignReport.Recovery(kill, 12_000, 2, -1),
                new CampaignReport.Recovery(broker, 25_000, 3, -1)), List.of());

        assertThat(report.killParts()).containsExactly(new long[] {11_600, 5_900}, new long[] {18_900, 0});
    }

    @Test
    void shouldCallAKillAloneOnlyWithNothingElseFromBeforeItUntilItRecovered() {
        Chaos.Event kill = new Chaos.Event("kill-9", "firewall-0", 100_000, 100_050);
        Chaos.Event ownRestart = new Chaos.Event("restart", "firewall-0", 101_000, 101_005);
        CampaignReport.Recovery recovery = new CampaignReport.Recovery(kill, 8_000, 3, 7_000);

        assertThat(CampaignReport.alone(recovery, List.of(
                new Chaos.Event("chaos-window-300s-from-x", "-", 1_000, 1_000),
                new Chaos.Event("kill-9", "firewall-1", 70_000, 70_050),
                new Chaos.Event("restart", "firewall-1", 72_000, 72_001), kill, ownRestart,
                new Chaos.Event("kill-9", "firewall-1", 108_001, 108_050))))
                .as("events 28 s before and just after the recovery").isTrue();

        assertThat(CampaignReport.alone(recovery, List.of(kill, ownRestart,
                new Chaos.Event("kill-9", "firewall-1", 105_000, 105_050)))).as("a kill during it").isFalse();
        assertThat(CampaignReport.alone(recovery, List.of(
                new Chaos.Event("restart", "firewall-1", 85_000, 85_001), kill, ownRestart)))
                .as("another instance restarted 15 s before").isFalse();
        assertThat(CampaignReport.alone(recovery, List.of(
                new Chaos.Event("cpu-starvation-4-threads-20s", "machine", 60_000, 81_000), kill, ownRestart)))
                .as("starvation ending 19 s before").isFalse();
        assertThat(CampaignReport.alone(recovery, List.of(kill, ownRestart,
                new Chaos.Event("restart", "firewall-0", 104_000, 104_001)))).as("a second restart of its own").isFalse();
        assertThat(CampaignReport.alone(new CampaignReport.Recovery(kill, -1, 3, -1), List.of(kill)))
                .as("unbounded").isFalse();
    }
}
