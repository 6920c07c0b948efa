package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifierNormalizerTest {

    private static final String PHONE_KEY = Sha256.hex("+14155550100");
    private static final String EMAIL_KEY = Sha256.hex("alice@example.com");
    private static final String AD_ID = "6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5c";
    private static final String AD_ID_KEY = Sha256.hex(AD_ID);

    // ---- phone -----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "+14155550100",
        "+1 (415) 555-0100",
        "1.415.555.0100",
        "+1-415-555-0100 ext. 99",
        "+1 415 555 0100 x99",
        "+1 415 555 0100;ext=99",
        "0014155550100",
        "00 1 415 555 0100",
        "＋１ ４１５ ５５５ ０１００",
        "+١ ٤١٥ ٥٥٥ ٠١٠٠",
        "+۱ ۴۱۵ ۵۵۵ ۰۱۰۰",
        "+1\u00A0415\u2013555\u20130100",
        "  +1/415/555/0100\t",
    })
    void everySpellingOfOnePhoneNumberGivesOneMatchKey(String spelling) {
        // Given a spelling of +1 415 555 0100
        // When it is normalized as a phone number
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.PHONE, spelling);

        // Then the match key is the SHA-256 of the E.164 form
        assertThat(result).isEqualTo(new Normalization.Ok(IdentifierKind.PHONE, PHONE_KEY, false));
    }

    @Test
    void aPhoneNumberThatArrivesHashedIsTakenAsItsMatchKey() {
        // Given the SHA-256 hex of the E.164 form, in upper case
        String hashed = PHONE_KEY.toUpperCase(Locale.ROOT);

        // When it is normalized as a phone number
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.PHONE, hashed);

        // Then it is the same match key as the clear number, marked as arrived hashed
        assertThat(result).isEqualTo(new Normalization.Ok(IdentifierKind.PHONE, PHONE_KEY, true));
    }

    static List<Arguments> invalidPhones() {
        return List.of(
                Arguments.of("", IdentifierError.EMPTY_IDENTIFIER),
                Arguments.of("   \t\n", IdentifierError.EMPTY_IDENTIFIER),
                Arguments.of("call me maybe", IdentifierError.INVALID_PHONE),
                Arguments.of("abcdefghij", IdentifierError.INVALID_PHONE),
                Arguments.of("555-0100", IdentifierError.INVALID_PHONE),
                Arguments.of("+1 555 010", IdentifierError.INVALID_PHONE),
                Arguments.of("+1234567890123456", IdentifierError.INVALID_PHONE),
                Arguments.of("1 415 555 0100 1234 5", IdentifierError.INVALID_PHONE),
                Arguments.of("+1 415 +555 0100", IdentifierError.INVALID_PHONE),
                Arguments.of("1+4155550100", IdentifierError.INVALID_PHONE),
                Arguments.of("+04155550100", IdentifierError.INVALID_PHONE),
                Arguments.of("0 415 555 0100", IdentifierError.INVALID_PHONE),
                Arguments.of("+1 415 555 0100 ".repeat(40), IdentifierError.TOO_LONG));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("invalidPhones")
    void anInvalidPhoneNumberIsATypedErrorThatDoesNotRepeatIt(String input, IdentifierError expected) {
        // Given input that is not a phone number
        // When it is normalized as one
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.PHONE, input);

        // Then it is invalid for the expected reason, and the detail does not repeat the input
        assertThat(result).isInstanceOfSatisfying(Normalization.Invalid.class, invalid -> {
            assertThat(invalid.error()).isEqualTo(expected);
            assertThat(invalid.detail()).isNotBlank();
            if (!input.isBlank()) {
                assertThat(invalid.detail()).doesNotContain(input.strip());
            }
        });
    }

    @Test
    void sevenDigitsAreTooFewAndSixteenTooMany() {
        // Given the shortest and longest lengths either side of the E.164 limits
        // When each is normalized
        // Then 8 and 15 digits pass, 7 and 16 do not
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, "1234567"))
                .isEqualTo(new Normalization.Invalid(IdentifierError.INVALID_PHONE,
                        "an international phone number has 8 to 15 digits"));
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, "1234567890123456"))
                .isInstanceOfSatisfying(Normalization.Invalid.class,
                        invalid -> assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_PHONE));
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, "12345678"))
                .isEqualTo(new Normalization.Ok(IdentifierKind.PHONE, Sha256.hex("+12345678"), false));
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, "123456789012345"))
                .isEqualTo(new Normalization.Ok(IdentifierKind.PHONE, Sha256.hex("+123456789012345"), false));
    }

    @Test
    void inputLongerThan512CharactersIsRejectedBeforeAnyWork() {
        // Given a valid number padded with spaces to 513 characters, and one padded to exactly 512
        String tooLong = "+14155550100" + " ".repeat(IdentifierNormalizer.MAX_INPUT_LENGTH - 12 + 1);
        String longest = "+14155550100" + " ".repeat(IdentifierNormalizer.MAX_INPUT_LENGTH - 12);

        // When each is normalized
        // Then only the longer is rejected, as too long
        assertThat(tooLong).hasSize(513);
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, tooLong))
                .isInstanceOfSatisfying(Normalization.Invalid.class, invalid -> {
                    assertThat(invalid.error()).isEqualTo(IdentifierError.TOO_LONG);
                    assertThat(invalid.detail()).contains("512").doesNotContain("+14155550100");
                });
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, longest))
                .isEqualTo(new Normalization.Ok(IdentifierKind.PHONE, PHONE_KEY, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u00A0", "\u00A0\u00A0\u2007", "\u202F"})
    void inputOfOnlyNoBreakSpacesIsEmpty(String input) {
        // Given input that normalizes (NFKC, strip) to nothing
        // When it is normalized as each kind
        // Then it is an empty identifier
        for (IdentifierKind kind : IdentifierKind.values()) {
            assertThat(IdentifierNormalizer.normalize(kind, input))
                    .isInstanceOfSatisfying(Normalization.Invalid.class,
                            invalid -> assertThat(invalid.error()).isEqualTo(IdentifierError.EMPTY_IDENTIFIER));
        }
    }

    @Test
    void digitsOfAScriptOutsideTheBasicMultilingualPlaneAreReadAsTheirValues() {
        // Given +14155550100 written in Adlam digits (U+1E950 is zero)
        StringBuilder adlam = new StringBuilder("+");
        "14155550100".chars().forEach(c -> adlam.appendCodePoint(0x1E950 + (c - '0')));

        // When it is normalized as a phone number
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.PHONE, adlam.toString());

        // Then it is the same number
        assertThat(result).isEqualTo(new Normalization.Ok(IdentifierKind.PHONE, PHONE_KEY, false));
    }

    @Test
    void aMissingKindOrInputIsEmpty() {
        // Given no kind, or no input
        // When normalized
        // Then the result is an empty-identifier error rather than an exception
        assertThat(IdentifierNormalizer.normalize(null, "+14155550100"))
                .isInstanceOfSatisfying(Normalization.Invalid.class,
                        invalid -> assertThat(invalid.error()).isEqualTo(IdentifierError.EMPTY_IDENTIFIER));
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.EMAIL, null))
                .isInstanceOfSatisfying(Normalization.Invalid.class,
                        invalid -> assertThat(invalid.error()).isEqualTo(IdentifierError.EMPTY_IDENTIFIER));
    }

    // ---- email -----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "alice@example.com",
        " Alice@Example.COM ",
        "ALICE@EXAMPLE.COM",
        "\talice@example.com\n",
        "ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    })
    void everySpellingOfOneEmailAddressGivesOneMatchKey(String spelling) {
        // Given a spelling of alice@example.com
        // When it is normalized as an email address
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.EMAIL, spelling);

        // Then the match key is the SHA-256 of the lowercase address
        assertThat(result).isEqualTo(new Normalization.Ok(IdentifierKind.EMAIL, EMAIL_KEY, false));
    }

    @Test
    void anEmailAddressThatArrivesHashedIsTakenAsItsMatchKey() {
        // Given the SHA-256 hex of alice@example.com, with surrounding white space
        // When it is normalized as an email address
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.EMAIL, " " + EMAIL_KEY + " ");

        // Then it is the same key, marked as arrived hashed
        assertThat(result).isEqualTo(new Normalization.Ok(IdentifierKind.EMAIL, EMAIL_KEY, true));
    }

    @Test
    void anInternationalizedDomainMatchesItsPunycodeForm() {
        // Given one address with a Unicode domain, and the same address with the domain in punycode
        Normalization unicode = IdentifierNormalizer.normalize(IdentifierKind.EMAIL, "Leser@Bücher.example");
        Normalization punycode = IdentifierNormalizer.normalize(IdentifierKind.EMAIL, "leser@xn--bcher-kva.example");

        // When both are normalized
        // Then both give the key of the ASCII form
        Normalization.Ok expected =
                new Normalization.Ok(IdentifierKind.EMAIL, Sha256.hex("leser@xn--bcher-kva.example"), false);
        assertThat(unicode).isEqualTo(expected);
        assertThat(punycode).isEqualTo(expected);
    }

    static List<Arguments> invalidEmails() {
        return List.of(
                Arguments.of("", IdentifierError.EMPTY_IDENTIFIER),
                Arguments.of("  ", IdentifierError.EMPTY_IDENTIFIER),
                Arguments.of("alice.example.com", IdentifierError.INVALID_EMAIL),
                Arguments.of("alice@bob@example.com", IdentifierError.INVALID_EMAIL),
                Arguments.of("alice@", IdentifierError.INVALID_EMAIL),
                Arguments.of("@example.com", IdentifierError.INVALID_EMAIL),
                Arguments.of("alice smith@example.com", IdentifierError.INVALID_EMAIL),
                Arguments.of("alice@example..com", IdentifierError.INVALID_EMAIL),
                Arguments.of("alice@.example.com", IdentifierError.INVALID_EMAIL),
                Arguments.of("alice@" + "a".repeat(64) + ".com", IdentifierError.INVALID_EMAIL),
                Arguments.of("alice@exa\u0000mple.com", IdentifierError.INVALID_EMAIL),
                Arguments.of("a".repeat(501) + "@example.com", IdentifierError.TOO_LONG));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("invalidEmails")
    void anInvalidEmailAddressIsATypedErrorThatDoesNotRepeatIt(String input, IdentifierError expected) {
        // Given input that is not an email address
        // When it is normalized as one
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.EMAIL, input);

        // Then it is invalid for the expected reason, and the detail repeats neither the input nor its parts
        assertThat(result).isInstanceOfSatisfying(Normalization.Invalid.class, invalid -> {
            assertThat(invalid.error()).isEqualTo(expected);
            assertThat(invalid.detail()).isNotBlank();
            if (!input.isBlank()) {
                assertThat(invalid.detail()).doesNotContain(input).doesNotContain("alice");
            }
        });
    }

    // ---- mobile advertising id -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5c",
        "6F1ED002-AB5D-42F3-8C0B-8B1A2E3F4D5C",
        "6f1ed002ab5d42f38c0b8b1a2e3f4d5c",
        "6F1ED002AB5D42F38C0B8B1A2E3F4D5C",
        " 6f1ed002-AB5D-42f3-8c0b-8b1a2e3f4d5c\n",
    })
    void everySpellingOfOneMobileAdIdGivesOneMatchKey(String spelling) {
        // Given a spelling of one advertising id
        // When it is normalized
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, spelling);

        // Then the key is the SHA-256 of the lowercase dashed UUID
        assertThat(result).isEqualTo(new Normalization.Ok(IdentifierKind.MOBILE_AD_ID, AD_ID_KEY, false));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5",
        "6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5c0",
        "6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5g",
        "6f1ed002ab5d-42f3-8c0b-8b1a2e3f4d5c",
        "6f1ed00-2ab5d-42f3-8c0b-8b1a2e3f4d5c",
        "6f1ed002-ab5d-42f3-8c0b-8b1a-2e3f4d5c",
        "{6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5c}",
        "6f1ed002 ab5d 42f3 8c0b 8b1a2e3f4d5c",
        "not-an-advertising-id",
    })
    void aMalformedMobileAdIdIsATypedError(String input) {
        // Given something that is not a UUID
        // When it is normalized as an advertising id
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, input);

        // Then it is invalid, and the detail does not repeat it
        assertThat(result).isInstanceOfSatisfying(Normalization.Invalid.class, invalid -> {
            assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_MOBILE_AD_ID);
            assertThat(invalid.detail()).doesNotContain(input);
        });
    }

    @Test
    void theSameTextNormalizedAsDifferentKindsDoesNotCollide() {
        // Given the digits of a phone number read as a phone number and as an email local part
        // When both are normalized
        // Then the email is invalid rather than silently matching the phone key
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.EMAIL, "+14155550100"))
                .isInstanceOf(Normalization.Invalid.class);
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, "+14155550100"))
                .isInstanceOf(Normalization.Invalid.class);
    }
}
