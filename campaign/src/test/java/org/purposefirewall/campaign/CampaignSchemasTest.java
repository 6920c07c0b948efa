package org.purposefirewall.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.serde.FirewallSerdes;

class CampaignSchemasTest {

    @Test
    void shouldGiveEverySchemaTheSameIdInAnyFreshScopeWhichIsWhatAnotherJvmHolds() {
        List<Integer> first = CampaignSchemas.seed("schemas-test-a");
        List<Integer> second = CampaignSchemas.seed("schemas-test-b");

        assertThat(first).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(second).isEqualTo(first);
        assertThat(CampaignSchemas.seed("schemas-test-a")).as("seeding twice changes nothing").isEqualTo(first);
    }

    @Test
    void shouldLetTheFirewallsOwnRegistrationUnderItsSubjectsFindTheSeededIds() {
        CampaignSchemas.seed("schemas-test-c");
        FirewallSerdes serdes = FirewallSerdes.create(MockSchemaRegistryClient.forScope("schemas-test-c"), true);

        assertThat(serdes.contactPoint().schemaIdFor("campaign.user.contact-points")).isEqualTo(1);
        assertThat(serdes.audience().schemaIdFor("campaign.ads.audience-identifiers")).isEqualTo(4);
        assertThat(serdes.contactPoint().schema()).isEqualTo(ContactPoint.getClassSchema());
        assertThat(serdes.audience().schema()).isEqualTo(AudienceIdentifier.getClassSchema());
    }
}
