package org.purposefirewall.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaxonomyTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "marketing", "marketing.advertising.third_party.targeted", "essential.service.security.authentication",
        "essential.fraud_detection", "analytics.reporting.ad_performance", "third_party_sharing.legal_obligation",
        "train_ai_system", "personalize.content.profiling", "marketing.advertising.third_party.targeted.email",
    })
    void theDefaultKnowsFideslangsDataUsesAndWhatLiesBelowThem(String purpose) {
        assertThat(Taxonomy.fideslang().knows(new Purpose(purpose))).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"foo.bar_baz", "marketingx", "marketing-ads", "security.mfa", "ads", "user.contact"})
    void theDefaultDoesNotKnowOtherPurposesWhateverTheirTextualPrefix(String purpose) {
        assertThat(Taxonomy.fideslang().knows(new Purpose(purpose))).isFalse();
    }

    @Test
    void aPurposeIsKnownWithinARootByWholeSegmentsAndNotAboveIt() {
        Taxonomy taxonomy = new Taxonomy(List.of(new Purpose("marketing.advertising")));

        assertThat(taxonomy.knows(new Purpose("marketing.advertising"))).isTrue();
        assertThat(taxonomy.knows(new Purpose("marketing.advertising.first_party"))).isTrue();
        assertThat(taxonomy.knows(new Purpose("marketing"))).isFalse();
        assertThat(taxonomy.knows(new Purpose("marketing.advertisingx"))).isFalse();
        assertThat(taxonomy.knows(new Purpose("marketing.communications"))).isFalse();
    }

    @Test
    void theDefaultIsFideslangsTwelveTopLevelDataUses() {
        assertThat(Taxonomy.fideslang().roots()).extracting(Purpose::value)
                .containsExactlyElementsOf(Taxonomy.FIDESLANG_DATA_USES)
                .hasSize(12);
    }

    @Test
    void aTaxonomyNeedsARoot() {
        assertThatThrownBy(() -> new Taxonomy(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("known-purposes must name at least one purpose");
    }
}
