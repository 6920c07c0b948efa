package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.campaign.Campaign;
import org.purposefirewall.campaign.CampaignOptions;
import org.purposefirewall.campaign.CampaignReport;

/**
 * The failure campaign's short version ({@code scripts/campaign.sh} runs the long one): two firewall instances as
 * separate processes, 100,000 contact points with their consent and registrations (preloaded, live and late) from a
 * murmur2 and a CRC32 producer, four kill -9s of instances (each restarted, some killed again during start-up), one
 * broker bounce and a CPU-starvation stretch. Judged from the outputs alone against the traffic's oracle: nothing
 * lost, duplicated, leaked or decided otherwise, and every expected recall present. Timings are printed, not asserted.
 */
class CampaignIT {

    @Test
    void shouldLoseDuplicateLeakAndMisdecideNothingThroughKillsABrokerBounceAndStarvation(@TempDir Path dir)
            throws Exception {
        CampaignOptions options = CampaignOptions.parse(
                "--instances", "2",
                "--contact-points", "100000",
                "--kills", "4",
                "--broker-restarts", "1",
                "--starvation-s", "5",
                "--rate", "1200",
                "--seed", "20261201",
                "--deadline-s", "540",
                "--instance-heap", "384m",
                "--work-dir", dir.toString(),
                "--config-dir", Path.of(System.getProperty("user.dir")).resolve("../config").normalize().toString());

        CampaignReport report = Campaign.run(options, System.out);

        assertThat(report.lost()).as("lost").isZero();
        assertThat(report.duplicated()).as("duplicated").isZero();
        assertThat(report.leaked()).as("leaked").isZero();
        assertThat(report.wrong()).as("wrong outcome").isZero();
        assertThat(report.missingRecalls()).as("missing recalls").isZero();
        assertThat(report.unattributed()).as("outputs naming no produced contact point").isZero();
        assertThat(report.passed()).as(report.text()).isTrue();
    }
}
