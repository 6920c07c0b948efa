package org.purposefirewall.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The command line of the campaign: defaults as shipped, each option read, a bad value named. */
class CampaignOptionsTest {

    @Test
    void shouldRunAsShippedByDefault() {
        CampaignOptions o = CampaignOptions.parse(new String[0]);

        assertThat(o.staticMembership()).as("the shipped config derives a group-instance-id").isTrue();
        assertThat(o.standbyReplicas()).isZero();
        assertThat(o.transactionalStateStores()).as("as shipped").isFalse()
                .isEqualTo(org.purposefirewall.config.Processing.TRANSACTIONAL_STATE_STORES.defaultValue());
        assertThat(o.instances()).isEqualTo(2);
        assertThat(o.contactPoints()).isEqualTo(1_000_000);
        assertThat(o.kills()).isEqualTo(20);
    }

    @Test
    void shouldReadMembershipAndStandbys() {
        CampaignOptions o = CampaignOptions.parse(new String[] {"--membership", "dynamic", "--standby-replicas", "1",
            "--streams-setting", "acceptable.recovery.lag=5000"});

        assertThat(o.staticMembership()).isFalse();
        assertThat(o.standbyReplicas()).isEqualTo(1);
        assertThat(o.transactionalStateStores()).isFalse();
        assertThat(CampaignOptions.parse(new String[] {"--transactional-state-stores", "true"})
                .transactionalStateStores()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CampaignOptions.parse(
                        new String[] {"--transactional-state-stores", "yes"}))
                .hasMessageContaining("--transactional-state-stores is true or false");
        assertThat(CampaignOptions.parse(new String[] {"--standby-replicas", "1", "--transactional-state-stores",
            "true"}).standbyReplicas()).as("standbys with transactional stores, refused before ReopenedHistory")
                .isEqualTo(1);
        assertThat(o.streamsSettings()).containsEntry("acceptable.recovery.lag", "5000");
        assertThat(o.instanceJavaOptions()).as("none by default").isEmpty();
        assertThat(CampaignOptions.parse(new String[] {"--instance-java-option", "-XX:+UnlockDiagnosticVMOptions",
            "--instance-java-option", "-Dx=y"}).instanceJavaOptions())
                .containsExactly("-XX:+UnlockDiagnosticVMOptions", "-Dx=y");
        assertThat(CampaignOptions.parse(new String[] {"--membership", "static"}).staticMembership()).isTrue();
    }

    @Test
    void shouldReadAClassDataArchiveWhichIsOffAsShipped() {
        assertThat(CampaignOptions.parse(new String[0]).classDataArchive()).isNull();
        assertThat(CampaignOptions.parse(new String[] {"--cds-archive", "campaign/target/cds/firewall.jsa"})
                .classDataArchive()).isEqualTo(java.nio.file.Path.of("campaign/target/cds/firewall.jsa"));
    }

    @Test
    void shouldNameABadValue() {
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--membership", "sticky"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--membership")
                .hasMessageContaining("sticky");
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--standby-replicas"}))
                .hasMessageContaining("missing value after --standby-replicas");
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--static-membership", "true"}))
                .hasMessageContaining("unknown option --static-membership");
    }

    @Test
    void shouldReturnNullForHelp() {
        assertThat(CampaignOptions.parse(new String[] {"--help"})).isNull();
    }
}
