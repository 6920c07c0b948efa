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
}
