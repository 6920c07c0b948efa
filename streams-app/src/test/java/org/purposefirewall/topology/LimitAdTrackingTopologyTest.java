package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.AD_PURPOSE;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.grant;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.identity.Sha256;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.SuppressedRecord;

/** The all-zero mobile advertising id: the device asked to limit ad tracking, so it never reaches the ad side. */
class LimitAdTrackingTopologyTest {

    private static final long T = 1_700_000_000_000L;
    private static final String ZERO_AD_ID = "00000000-0000-0000-0000-000000000000";

    @TempDir
    Path stateDir;

    private FirewallDriver fw;

    @BeforeEach
    void start() {
        fw = new FirewallDriver(stateDir);
    }

    @AfterEach
    void stop() {
        fw.close();
    }

    @Test
    void theAllZeroAdIdOfAGrantedUserIsSuppressedForLimitAdTracking() {
        // Given: frank granted the ad purpose
        fw.send(consent("frank", T, grant(AD_PURPOSE)));

        // When: his device reports the all-zero advertising id, dashed and undashed, and then an ordinary one
        fw.send(contact("frank", IdentifierType.MOBILE_AD_ID, ZERO_AD_ID, T + 1));
        fw.send(contact("frank", IdentifierType.MOBILE_AD_ID, ZERO_AD_ID.replace("-", ""), T + 2));
        fw.send(contact("frank", IdentifierType.MOBILE_AD_ID, "6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5c", T + 3));

        // Then: both zero ids are suppressed for limit ad tracking, and only the ordinary id reaches the ad side
        List<SuppressedRecord> suppressed = fw.suppressed.readValuesToList();
        assertThat(suppressed).hasSize(2).allSatisfy(s -> {
            assertThat(s.getReason()).isEqualTo("LIMIT_AD_TRACKING");
            assertThat(s.getRule()).isEqualTo("identifier.limit-ad-tracking");
            assertThat(s.getPolicyVersion()).isEqualTo("test-policy-7");
        });
        List<AudienceIdentifier> forwarded = fw.audience.readValuesToList();
        assertThat(forwarded).extracting(AudienceIdentifier::getIdentifierHash)
                .containsExactly(Sha256.hex("6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5c"))
                .doesNotContain(Sha256.hex(ZERO_AD_ID));
        assertThat(fw.quarantine.isEmpty()).isTrue();
        assertThat(fw.deadLetter.isEmpty()).isTrue();
    }

    @Test
    void theAllZeroAdIdAloneNeverReachesTheAudienceTopic() {
        // Given: grace granted all of marketing
        fw.send(consent("grace", T, grant("marketing")));

        // When: only the all-zero advertising id arrives, upper-cased
        fw.send(contact("grace", IdentifierType.MOBILE_AD_ID, ZERO_AD_ID.toUpperCase(), T + 1));

        // Then: it is suppressed with reason LIMIT_AD_TRACKING and nothing is on the audience topic
        assertThat(fw.suppressed.readValue().getReason()).isEqualTo("LIMIT_AD_TRACKING");
        assertThat(fw.audience.isEmpty()).isTrue();
    }
}
