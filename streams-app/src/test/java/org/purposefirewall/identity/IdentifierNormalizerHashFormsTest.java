package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The normalizer's hash forms: raw identifiers keyed in every enabled form, digests taken in their own. */
class IdentifierNormalizerHashFormsTest {

    private static final String PHONE = "+14155550100";
    private static final String EMAIL = "alice@example.com";
    private static final String AD_ID = "6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5c";
    private static final String LAT = IdentifierNormalizer.LIMIT_AD_TRACKING_AD_ID;

    private static final IdentifierNormalizer.Configured SHA256_ONLY =
            IdentifierNormalizer.of(new IdentityOptions(null, false, Set.of(HashForm.SHA256)));

    static Stream<Arguments> digestsOfPhoneAndEmail() {
        return Stream.of(IdentifierKind.PHONE, IdentifierKind.EMAIL).flatMap(kind -> Stream.of(HashForm.values())
                .flatMap(form -> Stream.of("lower", "upper", "padded upper").map(spelling -> Arguments.of(
                        kind, form, spelling))));
    }

    @ParameterizedTest(name = "{0} as {1}, {2}")
    @MethodSource("digestsOfPhoneAndEmail")
    void aDigestInAnyFormIsTakenAsTheKeyOfThatForm(IdentifierKind kind, HashForm form, String spelling) {
        // Given the digest, in the form, of the canonical phone number or email address
        String canonical = kind == IdentifierKind.PHONE ? PHONE : EMAIL;
        String digest = form.hex(canonical);
        String input = switch (spelling) {
            case "lower" -> digest;
            case "upper" -> digest.toUpperCase(Locale.ROOT);
            default -> " \t" + digest.toUpperCase(Locale.ROOT) + "\u00A0\n";
        };

        // When it is normalized
        Normalization result = IdentifierNormalizer.normalize(kind, input);

        // Then its only key is the lowercase digest, in its form, marked as arrived in that form
        assertThat(result).isEqualTo(new Normalization.Ok(kind, MatchKeys.ofDigest(form, digest), false));
        Normalization.Ok ok = (Normalization.Ok) result;
        assertThat(ok.arrivedHashed()).isTrue();
        assertThat(ok.keys().arrivedAs()).isEqualTo(form);
        assertThat(ok.keys().forwardKey()).isEqualTo(digest);
        assertThat(ok.sha256Hex()).isEqualTo(form == HashForm.SHA256 ? digest : null);
    }

    @Test
    void aRawIdentifierIsKeyedByTheDigestOfItsCanonicalFormInEveryForm() {
        // Given one spelling of each kind whose canonical form is known
        List<Object[]> cases = List.of(
                new Object[] {IdentifierKind.PHONE, "+1 (415) 555-0100", PHONE},
                new Object[] {IdentifierKind.EMAIL, " Alice@Example.COM ", EMAIL},
                new Object[] {IdentifierKind.MOBILE_AD_ID, AD_ID.toUpperCase(Locale.ROOT), AD_ID});
        for (Object[] c : cases) {
            IdentifierKind kind = (IdentifierKind) c[0];
            String canonical = (String) c[2];

            // When it is normalized
            Normalization result = IdentifierNormalizer.normalize(kind, (String) c[1]);

            // Then it has one key per form and spelling, the canonical spelling's first, and arrived raw
            assertThat(result).isInstanceOfSatisfying(Normalization.Ok.class, ok -> {
                assertThat(ok.arrivedHashed()).isFalse();
                assertThat(ok.keys().arrivedAs()).isNull();
                assertThat(ok.keys()).isEqualTo(Expected.keys(kind, canonical, IdentityOptions.ALL_HASH_FORMS));
                for (HashForm form : HashForm.values()) {
                    assertThat(ok.keys().get(form)).as("%s %s", kind, form).isEqualTo(form.hex(canonical));
                }
                assertThat(ok.sha256Hex()).isEqualTo(HashForm.SHA256.hex(canonical));
                assertThat(ok.keys().forwardForm()).isEqualTo(HashForm.SHA256);
            });
        }
    }

    @Test
    void aRawIdentifierIsKeyedOnlyInTheEnabledForms() {
        IdentifierNormalizer.Configured sha256AndMd5 =
                IdentifierNormalizer.of(new IdentityOptions(null, false, EnumSet.of(HashForm.SHA256, HashForm.MD5)));

        assertThat(SHA256_ONLY.normalize(IdentifierKind.PHONE, "+1 415 555 0100")).isEqualTo(new Normalization.Ok(
                IdentifierKind.PHONE, Expected.keys(IdentifierKind.PHONE, PHONE, Set.of(HashForm.SHA256)), false));
        assertThat(sha256AndMd5.normalize(IdentifierKind.EMAIL, "ALICE@example.com")).isEqualTo(new Normalization.Ok(
                IdentifierKind.EMAIL, Expected.keys(IdentifierKind.EMAIL, EMAIL, EnumSet.of(HashForm.SHA256, HashForm.MD5)),
                false));
    }

    static Stream<Arguments> disabledDigests() {
        return Stream.of(
                Arguments.of(IdentifierKind.PHONE, HashForm.SHA1),
                Arguments.of(IdentifierKind.PHONE, HashForm.MD5),
                Arguments.of(IdentifierKind.EMAIL, HashForm.SHA1),
                Arguments.of(IdentifierKind.EMAIL, HashForm.MD5),
                Arguments.of(IdentifierKind.MOBILE_AD_ID, HashForm.SHA1));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("disabledDigests")
    void aDigestOfADisabledFormIsUnsupported(IdentifierKind kind, HashForm form) {
        // Given options matching in SHA-256 only, and a digest of another form
        String digest = form.hex(kind == IdentifierKind.MOBILE_AD_ID ? AD_ID : PHONE);

        // When it is normalized, in either case
        for (String input : List.of(digest, digest.toUpperCase(Locale.ROOT))) {
            Normalization result = SHA256_ONLY.normalize(kind, input);

            // Then it is rejected as an unsupported form, naming the form but never the input
            assertThat(result).isInstanceOfSatisfying(Normalization.Invalid.class, invalid -> {
                assertThat(invalid.error()).isEqualTo(IdentifierError.UNSUPPORTED_HASH_FORM);
                assertThat(invalid.detail()).contains(form.algorithm()).contains("match-hash-forms")
                        .doesNotContainIgnoringCase(digest);
            });
        }
    }

    @Test
    void withOnlySha256EnabledASha256DigestAndA32HexAdIdAreStillAccepted() {
        // Given options matching in SHA-256 only
        // When a SHA-256 digest and an undashed ad id (32 hex digits, like an MD5) are normalized
        // Then the digest is taken as its key, and the ad id is an ad id, not an unsupported MD5
        assertThat(SHA256_ONLY.normalize(IdentifierKind.PHONE, HashForm.SHA256.hex(PHONE)))
                .isEqualTo(Expected.hashed(IdentifierKind.PHONE, HashForm.SHA256, HashForm.SHA256.hex(PHONE)));
        assertThat(SHA256_ONLY.normalize(IdentifierKind.MOBILE_AD_ID, AD_ID.replace("-", "")))
                .isEqualTo(new Normalization.Ok(IdentifierKind.MOBILE_AD_ID,
                        Expected.keys(IdentifierKind.MOBILE_AD_ID, AD_ID, Set.of(HashForm.SHA256)), false));
    }

    @Test
    void withSha256AndMd5EnabledOnlySha1IsUnsupported() {
        IdentifierNormalizer.Configured sha256AndMd5 =
                IdentifierNormalizer.of(new IdentityOptions("US", false, EnumSet.of(HashForm.SHA256, HashForm.MD5)));

        assertThat(sha256AndMd5.normalize(IdentifierKind.EMAIL, HashForm.MD5.hex(EMAIL)))
                .isEqualTo(Expected.hashed(IdentifierKind.EMAIL, HashForm.MD5, HashForm.MD5.hex(EMAIL)));
        assertThat(sha256AndMd5.normalize(IdentifierKind.EMAIL, HashForm.SHA1.hex(EMAIL)))
                .isInstanceOfSatisfying(Normalization.Invalid.class, invalid ->
                        assertThat(invalid.error()).isEqualTo(IdentifierError.UNSUPPORTED_HASH_FORM));
    }

    // ---- mobile advertising ids ----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(names = {"SHA256", "SHA1"})
    void theLimitAdTrackingAdIdIsRecognisedAsItsDigest(HashForm form) {
        // Given the digest of the all-zero ad id, in lower and upper case
        String digest = form.hex(LAT);
        for (String input : List.of(digest, digest.toUpperCase(Locale.ROOT))) {
            // When it is normalized as an ad id
            Normalization result = IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, input);

            // Then it is marked limit ad tracking, keyed by the digest in its form
            assertThat(result).isEqualTo(Expected.hashed(IdentifierKind.MOBILE_AD_ID, form, digest, true));
        }
        // And the same digest as another kind is not
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.EMAIL, digest))
                .isEqualTo(Expected.hashed(IdentifierKind.EMAIL, form, digest, false));
    }

    @Test
    void aDigestOfAnotherAdIdIsNotLimitAdTracking() {
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, HashForm.SHA1.hex(AD_ID)))
                .isEqualTo(Expected.hashed(IdentifierKind.MOBILE_AD_ID, HashForm.SHA1, HashForm.SHA1.hex(AD_ID)));
    }

    @Test
    void thirtyTwoHexDigitsOfKindMobileAdIdAreAnAdIdNotAnMd5() {
        // Given 32 hex digits, which as a phone or email would be an MD5
        String hex = AD_ID.replace("-", "").toUpperCase(Locale.ROOT);

        // When normalized as an ad id, it is the ad id written without dashes: every form of its dashed form, forwarded
        // as such; the MD5 reading of the digits is a further key, so that an MD5-hashed ad id meets its registration
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, hex))
                .isEqualTo(Expected.adIdWrittenWithoutDashes(AD_ID, false));
        // When normalized as a phone number or email address, it is an MD5
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, hex))
                .isEqualTo(Expected.hashed(IdentifierKind.PHONE, HashForm.MD5, hex.toLowerCase(Locale.ROOT)));
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.EMAIL, hex))
                .isEqualTo(Expected.hashed(IdentifierKind.EMAIL, HashForm.MD5, hex.toLowerCase(Locale.ROOT)));
        // Even the MD5 of the all-zero ad id, as an ad id, is read as an (ordinary) ad id: the spellings cannot be
        // told apart, and the raw ad id is far more common
        String md5OfZero = HashForm.MD5.hex(LAT);
        String asUuid = md5OfZero.substring(0, 8) + "-" + md5OfZero.substring(8, 12) + "-"
                + md5OfZero.substring(12, 16) + "-" + md5OfZero.substring(16, 20) + "-" + md5OfZero.substring(20);
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, md5OfZero))
                .isEqualTo(Expected.adIdWrittenWithoutDashes(asUuid, false));
    }

    @Test
    void theRawLimitAdTrackingAdIdIsKeyedInEveryForm() {
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, LAT.replace("-", "")))
                .isEqualTo(Expected.adIdWrittenWithoutDashes(LAT, true));
        assertThat(SHA256_ONLY.normalize(IdentifierKind.MOBILE_AD_ID, LAT)).isEqualTo(new Normalization.Ok(
                IdentifierKind.MOBILE_AD_ID, Expected.keys(IdentifierKind.MOBILE_AD_ID, LAT, Set.of(HashForm.SHA256)),
                true));
    }

    // ---- digest-like input that is not a digest -------------------------------------------------------------------

    @Test
    void hexOfNoFormsLengthIsNotTakenAsADigest() {
        // Given hex strings one digit short of or past each form's length
        for (HashForm form : HashForm.values()) {
            String digest = form.hex(EMAIL);
            for (String notADigest : List.of(digest.substring(1), digest + "a")) {
                // Then they are read as what they claim to be, and fail as that
                assertThat(IdentifierNormalizer.normalize(IdentifierKind.EMAIL, notADigest))
                        .isInstanceOfSatisfying(Normalization.Invalid.class,
                                invalid -> assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_EMAIL));
                assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, notADigest))
                        .isInstanceOfSatisfying(Normalization.Invalid.class,
                                invalid -> assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_PHONE));
            }
        }
    }

    @Test
    void fullWidthHexIsFoldedToADigest() {
        // Given a SHA-1 written in full-width characters (NFKC folds them to ASCII)
        String digest = HashForm.SHA1.hex(PHONE);
        String fullWidth = IdentifierArbitraries.fullWidth(digest.toUpperCase(Locale.ROOT));
        assertThat(fullWidth).doesNotContain(digest.substring(0, 4));

        // Then it is the SHA-1 key
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, fullWidth))
                .isEqualTo(Expected.hashed(IdentifierKind.PHONE, HashForm.SHA1, digest));
    }
}
