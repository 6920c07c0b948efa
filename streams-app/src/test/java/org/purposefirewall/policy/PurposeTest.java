package org.purposefirewall.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PurposeTest {

    private static final Purpose SECURITY = new Purpose("essential.service.security");

    @Test
    void parsingIgnoresCaseAndSurroundingWhiteSpace() {
        // Given a purpose as a consent platform might write it
        String text = " \t Marketing.ADVERTISING.Third_Party \n";

        // When it is parsed
        Purpose purpose = Purpose.parse(text);

        // Then it is the canonical lowercase purpose
        assertThat(purpose.value()).isEqualTo("marketing.advertising.third_party");
        assertThat(purpose).isEqualTo(new Purpose("marketing.advertising.third_party"));
    }

    @Test
    void parsingFoldsCompatibilityCharactersWithNfkc() {
        // Given full-width letters and a full-width full stop (U+FF0E), and a Kelvin sign (U+212A) for 'k'
        String fullWidth = "ｍａｒｋｅｔｉｎｇ．ＡＤＶＥＲＴＩＳＩＮＧ";
        String kelvin = "mar\u212Aeting";

        // When they are parsed
        Purpose fromFullWidth = Purpose.parse(fullWidth);
        Purpose fromKelvin = Purpose.parse(kelvin);

        // Then they are the ASCII purposes
        assertThat(fromFullWidth.value()).isEqualTo("marketing.advertising");
        assertThat(fromKelvin.value()).isEqualTo("marketing");
    }

    @Test
    void twoSpellingsOfOnePurposeAreEqual() {
        // Given two spellings of the same purpose
        // When both are parsed
        // Then they are equal and hash alike
        assertThat(Purpose.parse("Essential.Service.Security "))
                .isEqualTo(Purpose.parse("essential.service.security"))
                .hasSameHashCodeAs(Purpose.parse("essential.service.security"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "   ",
        "marketing..advertising",
        "marketing.",
        ".marketing",
        ".",
        "marketing advertising",
        "marketing.adver tising",
        "marketing/advertising",
        "marketing.-advertising",
        "marketing.advertising-",
        "marketing.ad$",
    })
    void parsingRejectsTextThatIsNotADottedPurpose(String text) {
        // Given text that is not a dotted purpose
        // When it is parsed
        // Then it is rejected with a message about purposes
        assertThatThrownBy(() -> Purpose.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("purpose");
    }

    @Test
    void aRejectionNeverRepeatsTheInput() {
        // Given text that is not a purpose and would be personal data if echoed
        String text = "alice@example.com";

        // When it is parsed
        // Then the message does not repeat it
        assertThatThrownBy(() -> Purpose.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain(text)
                .doesNotContain("alice");
    }

    @Test
    void parsingRejectsAPurposeLongerThan256Characters() {
        // Given a purpose of 257 characters, and one of exactly 256
        String tooLong = "a".repeat(128) + "." + "b".repeat(128);
        String longest = "a".repeat(128) + "." + "b".repeat(127);

        // When each is parsed
        // Then only the longer one is rejected, with a message naming the limit
        assertThat(tooLong).hasSize(257);
        assertThatThrownBy(() -> Purpose.parse(tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("256");
        assertThat(Purpose.parse(longest).value()).hasSize(256);
    }

    @Test
    void theConstructorIsStrictWhereParsingIsLenient() {
        // Given an upper-case purpose
        // When it is constructed directly rather than parsed
        // Then it is rejected
        assertThatThrownBy(() -> new Purpose("Marketing"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Purpose(" marketing"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hyphensAndUnderscoresAreAllowedInsideASegment() {
        // Given segments with inner hyphens, underscores and digits
        // When they are parsed
        // Then they are accepted as written
        assertThat(Purpose.parse("marketing.third-party.v2_ads").value()).isEqualTo("marketing.third-party.v2_ads");
    }

    @Test
    void aPurposeIsWithinItselfAndItsAncestors() {
        // Given a purpose below essential.service.security
        Purpose authentication = new Purpose("essential.service.security.authentication");

        // When it is compared with itself and with its ancestors
        // Then it is within each of them
        assertThat(authentication.isWithin(authentication)).isTrue();
        assertThat(authentication.isWithin(SECURITY)).isTrue();
        assertThat(authentication.isWithin(new Purpose("essential"))).isTrue();
    }

    @Test
    void aPurposeIsNotWithinItsDescendantsSiblingsOrTextualPrefixes() {
        // Given purposes that share text but not segments, siblings and descendants
        Purpose securityx = new Purpose("essential.service.securityx");
        Purpose operations = new Purpose("essential.service.operations");
        Purpose authentication = new Purpose("essential.service.security.authentication");

        // When each is tested against essential.service.security
        // Then matching is by whole segments, downward only
        assertThat(securityx.isWithin(SECURITY)).isFalse();
        assertThat(operations.isWithin(SECURITY)).isFalse();
        assertThat(SECURITY.isWithin(authentication)).isFalse();
        assertThat(new Purpose("essential.service").isWithin(SECURITY)).isFalse();
        assertThat(new Purpose("essential.service.security_x").isWithin(SECURITY)).isFalse();
        assertThat(new Purpose("essential.service.security-x").isWithin(SECURITY)).isFalse();
    }

    @Test
    void overlapHoldsBetweenAncestorsAndDescendantsInBothDirections() {
        // Given an ancestor, a descendant, a sibling and a textual near-miss
        Purpose marketing = new Purpose("marketing");
        Purpose targeted = new Purpose("marketing.advertising.third_party.targeted");
        Purpose firstParty = new Purpose("marketing.advertising.first_party");
        Purpose marketingx = new Purpose("marketingx.advertising.third_party.targeted");

        // When overlap is tested
        // Then it is symmetric and holds only along one line of descent
        assertThat(marketing.overlaps(targeted)).isTrue();
        assertThat(targeted.overlaps(marketing)).isTrue();
        assertThat(targeted.overlaps(targeted)).isTrue();
        assertThat(firstParty.overlaps(targeted)).isFalse();
        assertThat(targeted.overlaps(firstParty)).isFalse();
        assertThat(marketingx.overlaps(marketing)).isFalse();
        assertThat(marketing.overlaps(marketingx)).isFalse();
    }
}
