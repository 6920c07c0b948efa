package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Identifiers in free text written the way real text writes them (tabs and line breaks between digit groups, an
 * address after a key or inside a URL, RFC 5322 characters, digits outside the BMP, invisible characters): each one
 * {@link IdentifierNormalizer} accepts on its own must also be found by {@link IdentifierCandidates}, since an
 * under-read is a leak through the tripwire.
 */
class IdentifierCandidatesEdgeCasesTest {

    private static final IdentifierNormalizer.Configured NO_REGION = IdentifierNormalizer.of(IdentityOptions.defaults());

    private static IdentifierCandidates.Scan scan(String text) {
        return IdentifierCandidates.find(NO_REGION, text);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"call +1\t415\t555\t0100 now", "+1 415\n555 0100"})
    void aPhoneNumberWhoseGroupsAreSeparatedByTabsOrLineBreaksIsFound(String text) {
        assertThat(NO_REGION.normalize(IdentifierKind.PHONE, text.replace("call ", "").replace(" now", "")))
                .isEqualTo(Expected.raw(IdentifierKind.PHONE, "+14155550100"));
        assertThat(scan(text).candidates()).contains(Expected.raw(IdentifierKind.PHONE, "+14155550100"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "login user=jane@example.com ok",
        "https://app.example/reset?email=jane@example.com",
        "https://app.example/users/jane@example.com",
    })
    void anEmailAddressAfterAKeyOrInAUrlIsFound(String text) {
        assertThat(scan(text).candidates()).contains(Expected.raw(IdentifierKind.EMAIL, "jane@example.com"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "mailto:jane@example.com?subject=Hello",
        "write to jane@example.com/ or call",
        "jane@example.com&bob@example.org",
    })
    void anEmailAddressFollowedByUrlPunctuationIsFound(String text) {
        assertThat(scan(text).candidates()).contains(Expected.raw(IdentifierKind.EMAIL, "jane@example.com"));
    }

    @Test
    void twoAddressesJoinedBySlashAreBothFound() {
        assertThat(scan("alice@example.com/bob@example.org").candidates()).contains(
                Expected.raw(IdentifierKind.EMAIL, "alice@example.com"),
                Expected.raw(IdentifierKind.EMAIL, "bob@example.org"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"o'brien@example.com", "{o|brien}@example.com"})
    void anAddressWithAnApostropheOrBraceInItsLocalPartIsFound(String address) {
        assertThat(NO_REGION.normalize(IdentifierKind.EMAIL, address))
                .isEqualTo(Expected.raw(IdentifierKind.EMAIL, address));
        assertThat(scan("write to " + address + " today").candidates())
                .contains(Expected.raw(IdentifierKind.EMAIL, address));
    }

    @Test
    void aPhoneNumberInAdlamDigitsIsFound() {
        StringBuilder adlam = new StringBuilder("+");
        "14155550100".chars().forEach(c -> adlam.appendCodePoint(0x1E950 + (c - '0')));
        assertThat(NO_REGION.normalize(IdentifierKind.PHONE, adlam.toString()))
                .isEqualTo(Expected.raw(IdentifierKind.PHONE, "+14155550100"));

        assertThat(scan("call " + adlam + " now").candidates())
                .contains(Expected.raw(IdentifierKind.PHONE, "+14155550100"));
    }

    @Test
    void aShortInternationalNumberAfterADoublePlusIsFound() {
        assertThat(scan("niue ++683 7012").candidates()).contains(Expected.raw(IdentifierKind.PHONE, "+6837012"));
    }

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(strings = {"FEFF", "200B", "2060"})
    void anInvisibleFormatCharacterBeforeAnEmailAddressDoesNotChangeItsKey(String codePoint) {
        String invisible = Character.toString(Integer.parseInt(codePoint, 16));

        Normalization result = NO_REGION.normalize(IdentifierKind.EMAIL, invisible + "jane@example.com");

        // Either it is the address's key, or the input is rejected; never the key of another text
        if (result instanceof Normalization.Ok ok) {
            assertThat(ok).isEqualTo(Expected.raw(IdentifierKind.EMAIL, "jane@example.com"));
        }
        assertThat(scan("mail " + invisible + "jane@example.com").candidates())
                .contains(Expected.raw(IdentifierKind.EMAIL, "jane@example.com"));
    }
}
