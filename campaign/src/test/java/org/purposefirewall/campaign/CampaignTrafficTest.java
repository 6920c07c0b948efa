package org.purposefirewall.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.purposefirewall.campaign.CampaignTraffic.Outcome;
import org.purposefirewall.campaign.CampaignTraffic.Phase;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.schema.ContactPoint;

class CampaignTrafficTest {

    private final CampaignTraffic traffic = new CampaignTraffic(7, 20_000);

    @Test
    void shouldPlantEveryOutcomeAndRecallsInRoughlyTheirShares() {
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        int recalls = 0;
        for (int k = 0; k < traffic.contactPoints(); k++) {
            counts.merge(traffic.expected(k), 1, Integer::sum);
            if (traffic.expectsRecall(k)) {
                recalls++;
                assertThat(traffic.expected(k)).isEqualTo(Outcome.FORWARD);
            }
        }
        assertThat(counts.get(Outcome.FORWARD)).isBetween(14_000, 16_500);
        assertThat(counts.get(Outcome.QUARANTINE)).isBetween(1_000, 2_000);
        assertThat(counts.get(Outcome.SUPPRESS)).isBetween(2_500, 4_500);
        assertThat(counts.get(Outcome.DEAD_LETTER)).isBetween(50, 200);
        assertThat(recalls).isBetween(1_000, 1_600);
    }

    @Test
    void shouldGiveEveryContactPointItsOwnIdentifier() {
        Set<String> digests = new HashSet<>();
        for (int k = 0; k < traffic.contactPoints(); k++) {
            assertThat(digests.add(traffic.expectedDigest(k))).isTrue();
        }
    }

    /** The oracle's normal forms agree with the firewall's normalizer: a check of the oracle, not used by it. */
    @Test
    void shouldSpellIdentifiersWhoseNormalFormIsTheOneTheOracleHashes() {
        for (int k = 0; k < 2_000; k++) {
            ContactPoint contact = traffic.contactPoint(k, 1_800_000_000_000L);
            if (contact == null || traffic.expected(k) == Outcome.DEAD_LETTER) {
                continue;
            }
            IdentifierKind kind = IdentifierKind.valueOf(contact.getIdentifierType().name());
            Normalization result = IdentifierNormalizer.normalize(kind, contact.getValue());
            assertThat(result).as("contact point %d: %s", k, contact.getValue()).isInstanceOf(Normalization.Ok.class);
            assertThat(((Normalization.Ok) result).sha256Hex()).isEqualTo(traffic.expectedDigest(k));
        }
    }

    @Test
    void shouldCountTheForwardedDigestOfARegisteredPhoneAmongItsSecurityDigests() {
        int checked = 0;
        for (int u = 0; u < traffic.users() && checked < 50; u++) {
            if (traffic.registration(u) == CampaignTraffic.Registration.LATE_PHONE) {
                assertThat(traffic.securityDigests(u)).contains(traffic.expectedDigest(2 * u + 1)).hasSize(6);
                assertThat(traffic.sideRecords(u, Phase.LATE, 0, 1000)).isNotEmpty();
                checked++;
            }
        }
        assertThat(checked).isEqualTo(50);
    }
}
