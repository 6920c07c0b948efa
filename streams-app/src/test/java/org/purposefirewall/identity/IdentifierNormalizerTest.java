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

    private static final String PHONE = "+14155550100";
    private static final String PHONE_KEY = Sha256.hex(PHONE);
    private static final String EMAIL = "alice@example.com";
    private static final String EMAIL_KEY = Sha256.hex(EMAIL);
    private static final String AD_ID = "6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5c";

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
        assertThat(result).isEqualTo(Expected.raw(IdentifierKind.PHONE, PHONE));
    }

    @Test
    void aPhoneNumberThatArrivesHashedIsTakenAsItsMatchKey() {
        // Given the SHA-256 hex of the E.164 form, in upper case
        String hashed = PHONE_KEY.toUpperCase(Locale.ROOT);

        // When it is normalized as a phone number
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.PHONE, hashed);

        // Then it is the same match key as the clear number, marked as arrived hashed
        assertThat(result).isEqualTo(Expected.hashed(IdentifierKind.PHONE, HashForm.SHA256, PHONE_KEY));
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
    void theLengthLimitsAreThoseOfTheNumberingPlanAndE164() {
        // Given numbers at and past the limits: Niue's 7-digit E.164 numbers, 16 digits, a NANP number without its
        // area code, and 7 digits with no country code and no default region
        // When each is normalized
        // Then only the Niue number passes; each other is an invalid phone with its reason
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, "+683 7012"))
                .isEqualTo(Expected.raw(IdentifierKind.PHONE, "+6837012"));
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, "+1234567890123456"))
                .isEqualTo(new Normalization.Invalid(IdentifierError.INVALID_PHONE,
                        "an international phone number has at most 15 digits"));
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, "+1 555 0100"))
                .isEqualTo(new Normalization.Invalid(IdentifierError.INVALID_PHONE,
                        "the number lacks its area code (it is only dialable locally)"));
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, "1234567"))
                .isInstanceOfSatisfying(Normalization.Invalid.class, invalid -> {
                    assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_PHONE);
                    assertThat(invalid.detail()).contains("country code").contains("default region");
                });
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, "123456789012345"))
                .isInstanceOfSatisfying(Normalization.Invalid.class,
                        invalid -> assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_PHONE));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"(415) 555-0100", "415.555.0100", "415 555 0100", "1 (415) 555-0100",
        "+1 415 555 0100", "011 1 415 555 0100", "(415) 555-0100 x12"})
    void withDefaultRegionUsANationalNumberGivesTheKeyOfItsE164Form(String spelling) {
        // Given a normalizer whose default region is the US
        IdentifierNormalizer.Configured us = IdentifierNormalizer.of(new IdentityOptions("US"));

        // When a US number is normalized, written nationally or internationally
        Normalization result = us.normalize(IdentifierKind.PHONE, spelling);

        // Then it is the key of +14155550100
        assertThat(result).isEqualTo(Expected.raw(IdentifierKind.PHONE, PHONE));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"020 7946 0958", "020-7946-0958", "(020) 7946 0958", "+44 20 7946 0958",
        "0044 20 7946 0958"})
    void withDefaultRegionGbANationalNumberGivesTheKeyOfItsE164Form(String spelling) {
        // Given a normalizer whose default region is Great Britain
        IdentifierNormalizer.Configured gb = IdentifierNormalizer.of(new IdentityOptions("GB"));

        // When a London number is normalized, with its trunk prefix 0 or internationally
        Normalization result = gb.normalize(IdentifierKind.PHONE, spelling);

        // Then it is the key of +442079460958, the trunk prefix dropped
        assertThat(result)
                .isEqualTo(Expected.raw(IdentifierKind.PHONE, "+442079460958"));
    }

    @Test
    void withoutDefaultRegionANationalNumberIsInvalidAndSaysWhatIsMissing() {
        // Given no default region (the static shortcut and an explicit normalizer without one)
        // When a US number is written without its country code
        for (Normalization result : List.of(
                IdentifierNormalizer.normalize(IdentifierKind.PHONE, "(415) 555-0100"),
                IdentifierNormalizer.of(IdentityOptions.defaults()).normalize(IdentifierKind.PHONE, "(415) 555-0100"),
                IdentifierNormalizer.of(new IdentityOptions("zz")).normalize(IdentifierKind.PHONE, "415.555.0100"))) {
            // Then it is an invalid phone whose detail names the missing country code or default region
            assertThat(result).isInstanceOfSatisfying(Normalization.Invalid.class, invalid -> {
                assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_PHONE);
                assertThat(invalid.detail()).contains("country code").contains("default region")
                        .doesNotContain("415");
            });
        }
    }

    @Test
    void aDefaultRegionDoesNotChangeOtherKindsOrInternationalNumbers() {
        // Given normalizers with and without a default region
        IdentifierNormalizer.Configured gb = IdentifierNormalizer.of(new IdentityOptions("GB"));

        // When an international number, an email address and a hash are normalized by each
        // Then they give the same result
        for (String phone : List.of("+1 (415) 555-0100", "0014155550100", PHONE_KEY)) {
            assertThat(gb.normalize(IdentifierKind.PHONE, phone))
                    .isEqualTo(IdentifierNormalizer.normalize(IdentifierKind.PHONE, phone));
        }
        assertThat(gb.normalize(IdentifierKind.EMAIL, "Alice@Example.com"))
                .isEqualTo(Expected.raw(IdentifierKind.EMAIL, EMAIL));
    }

    @Test
    void aNumberThatIsPossibleButNotAssignedStillMatches() {
        // Given a number in an unassigned NANP range (area code 999) in two spellings
        Normalization international = IdentifierNormalizer.normalize(IdentifierKind.PHONE, "+1 999 555 0100");
        Normalization national = IdentifierNormalizer.of(new IdentityOptions("US"))
                .normalize(IdentifierKind.PHONE, "(999) 555-0100");

        // When both are normalized
        // Then both give the key of its E.164 form: the firewall checks possibility, not assignment
        Normalization.Ok expected =
                Expected.raw(IdentifierKind.PHONE, "+19995550100");
        assertThat(international).isEqualTo(expected);
        assertThat(national).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @ValueSource(strings = {"XX", "USA", "1", "", " ", "Europe"})
    void anUnknownDefaultRegionIsRejected(String region) {
        // Given a region that has no numbering plan
        // When options are built with it
        // Then they are refused with the key and the rule, never silently ignored
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new IdentityOptions(region))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("default-region: ")
                .hasMessageContaining("ISO 3166");
    }

    @Test
    void aDefaultRegionIsUpperCasedAndZzMeansNone() {
        assertThat(new IdentityOptions(" gb ").defaultRegion()).isEqualTo("GB");
        assertThat(new IdentityOptions("ZZ").defaultRegion()).isNull();
        assertThat(new IdentityOptions(null)).isEqualTo(IdentityOptions.defaults());
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
                .isEqualTo(Expected.raw(IdentifierKind.PHONE, PHONE));
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
        assertThat(result).isEqualTo(Expected.raw(IdentifierKind.PHONE, PHONE));
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
        assertThat(result).isEqualTo(Expected.raw(IdentifierKind.EMAIL, EMAIL));
    }

    @Test
    void anEmailAddressThatArrivesHashedIsTakenAsItsMatchKey() {
        // Given the SHA-256 hex of alice@example.com, with surrounding white space
        // When it is normalized as an email address
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.EMAIL, " " + EMAIL_KEY + " ");

        // Then it is the same key, marked as arrived hashed
        assertThat(result).isEqualTo(Expected.hashed(IdentifierKind.EMAIL, HashForm.SHA256, EMAIL_KEY));
    }

    @Test
    void anInternationalizedDomainMatchesItsPunycodeForm() {
        // Given one address with a Unicode domain, and the same address with the domain in punycode
        Normalization unicode = IdentifierNormalizer.normalize(IdentifierKind.EMAIL, "Leser@Bücher.example");
        Normalization punycode = IdentifierNormalizer.normalize(IdentifierKind.EMAIL, "leser@xn--bcher-kva.example");

        // When both are normalized
        // Then both give the key of the ASCII form
        Normalization.Ok expected =
                Expected.raw(IdentifierKind.EMAIL, "leser@xn--bcher-kva.example");
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

        // Then the keys are the digests of the lowercase dashed UUID (and, written undashed, the MD5 reading)
        assertThat(result).isEqualTo(Expected.adId(spelling.strip(), AD_ID, false));
        assertThat(((Normalization.Ok) result).keys().forwardKey()).isEqualTo(Sha256.hex(AD_ID));
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

    // ---- limit ad tracking: the all-zero mobile advertising id -----------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "00000000-0000-0000-0000-000000000000",
        "00000000000000000000000000000000",
        " 00000000-0000-0000-0000-000000000000\n",
    })
    void theAllZeroMobileAdIdIsMarkedLimitAdTracking(String spelling) {
        // Given a spelling of the all-zero advertising id a device reports when it limits ad tracking
        // When it is normalized
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, spelling);

        // Then it is valid, marked limit ad tracking, and its key is still the SHA-256 of the canonical zero UUID
        assertThat(result).isEqualTo(
                Expected.adId(spelling.strip(), "00000000-0000-0000-0000-000000000000", true));
    }

    @Test
    void theAllZeroMobileAdIdInUpperCaseIsMarkedLimitAdTracking() {
        // Given the all-zero id upper-cased (digits have no case, so it is unchanged), and its digest upper-cased
        Normalization clear = IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID,
                "00000000-0000-0000-0000-000000000000".toUpperCase(Locale.ROOT));
        Normalization hashed = IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID,
                Sha256.hex("00000000-0000-0000-0000-000000000000").toUpperCase(Locale.ROOT));

        // Then both are marked limit ad tracking
        assertThat(clear).isInstanceOfSatisfying(Normalization.Ok.class,
                ok -> assertThat(ok.limitAdTracking()).isTrue());
        assertThat(hashed).isInstanceOfSatisfying(Normalization.Ok.class,
                ok -> assertThat(ok.limitAdTracking()).isTrue());
    }

    @Test
    void onlyTheAllZeroMobileAdIdIsMarkedLimitAdTracking() {
        // Given an ordinary advertising id, one that is almost all zeros, and the zero id's digest read as an email
        Normalization ordinary = IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, AD_ID);
        Normalization almostZero =
                IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, "00000000-0000-0000-0000-000000000001");
        Normalization zeroDigestAsEmail = IdentifierNormalizer.normalize(IdentifierKind.EMAIL,
                Sha256.hex("00000000-0000-0000-0000-000000000000"));

        // Then none is marked limit ad tracking
        assertThat(ordinary).isEqualTo(Expected.raw(IdentifierKind.MOBILE_AD_ID, AD_ID));
        assertThat(almostZero).isInstanceOfSatisfying(Normalization.Ok.class,
                ok -> assertThat(ok.limitAdTracking()).isFalse());
        assertThat(zeroDigestAsEmail).isInstanceOfSatisfying(Normalization.Ok.class,
                ok -> assertThat(ok.limitAdTracking()).isFalse());
    }

    // ---- email provider canonicalization (Gmail) -------------------------------------------------------------

    private static final IdentifierNormalizer.Configured GMAIL_CANONICAL =
            IdentifierNormalizer.of(new IdentityOptions(null, true));

    @Test
    void emailProviderCanonicalizationIsOffByDefault() {
        // Given the default options
        assertThat(IdentityOptions.defaults().emailProviderCanonicalization()).isFalse();
        assertThat(new IdentityOptions("US").emailProviderCanonicalization()).isFalse();

        // When two Gmail spellings of one mailbox are normalized
        Normalization tagged = IdentifierNormalizer.of(IdentityOptions.defaults())
                .normalize(IdentifierKind.EMAIL, "Jane.Doe+ads@gmail.com");
        Normalization plain = IdentifierNormalizer.normalize(IdentifierKind.EMAIL, "janedoe@gmail.com");

        // Then each is forwarded as given (most ad platforms hash the address as given) ...
        assertThat(tagged).isEqualTo(
                Expected.raw(IdentifierKind.EMAIL, "jane.doe+ads@gmail.com"));
        assertThat(plain).isEqualTo(
                Expected.raw(IdentifierKind.EMAIL, "janedoe@gmail.com"));
        assertThat(((Normalization.Ok) tagged).keys().forwardKey())
                .isEqualTo(Sha256.hex("jane.doe+ads@gmail.com"));
        // ... and they share a key: the undotted, untagged spelling Google and UID2 hash a Gmail address in
        assertThat(((Normalization.Ok) tagged).keys().sharesKeyWith(((Normalization.Ok) plain).keys())).isTrue();
        assertThat(((Normalization.Ok) tagged).keys().all())
                .contains(new MatchKeys.Key(HashForm.SHA256, Sha256.hex("janedoe@gmail.com")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "janedoe@gmail.com",
        "Jane.Doe+ads@gmail.com",
        "JANE.DOE@googlemail.com",
        "j.a.n.e.d.o.e+x+y@GoogleMail.com",
        " jane.doe@GMAIL.COM ",
    })
    void withProviderCanonicalizationEveryGmailSpellingOfOneMailboxIsForwardedAsOne(String spelling) {
        // Given provider canonicalization on
        // When a Gmail spelling of janedoe@gmail.com is normalized
        Normalization result = GMAIL_CANONICAL.normalize(IdentifierKind.EMAIL, spelling);

        // Then it is forwarded as janedoe@gmail.com, and still has the keys of the address as given
        assertThat(result).isInstanceOfSatisfying(Normalization.Ok.class, ok -> {
            assertThat(ok.keys().forwardKey()).isEqualTo(Sha256.hex("janedoe@gmail.com"));
            String asGiven = spelling.strip().toLowerCase(java.util.Locale.ROOT);
            assertThat(ok.keys().all()).contains(new MatchKeys.Key(HashForm.SHA256, Sha256.hex(asGiven)));
            assertThat(ok.keys().sharesKeyWith(Expected.keys(IdentifierKind.EMAIL, "janedoe@gmail.com",
                    IdentityOptions.ALL_HASH_FORMS))).isTrue();
        });
    }

    @Test
    void providerCanonicalizationLeavesOtherDomainsAlone() {
        // Given provider canonicalization on
        // When an address at another domain, with dots and a tag, is normalized
        Normalization result = GMAIL_CANONICAL.normalize(IdentifierKind.EMAIL, "john.doe+x@example.com");

        // Then it is only trimmed and lower-cased
        assertThat(result).isEqualTo(
                Expected.raw(IdentifierKind.EMAIL, "john.doe+x@example.com"));
        assertThat(GMAIL_CANONICAL.normalize(IdentifierKind.EMAIL, "jane.doe@gmail.com.example"))
                .isEqualTo(Expected.raw(IdentifierKind.EMAIL, "jane.doe@gmail.com.example"));
    }

    @Test
    void aGmailAddressWhoseLocalPartIsOnlyATagIsInvalidWithProviderCanonicalization() {
        // Given provider canonicalization on
        // When an address whose local part is dots and a tag is normalized
        Normalization result = GMAIL_CANONICAL.normalize(IdentifierKind.EMAIL, ".+ads@gmail.com");

        // Then it is an invalid email address, not the key of "@gmail.com"
        assertThat(result).isInstanceOfSatisfying(Normalization.Invalid.class,
                invalid -> assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_EMAIL));
    }
}
