package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The forms ad platforms document, with their own published examples where they give one, and the URI and domain
 * spellings identifiers arrive in: {@code tel:}, {@code mailto:}, a fully qualified domain's trailing dot,
 * internationalized domains, base64 digests and digests wrapped in invisible characters.
 */
class PlatformFormsTest {

    private static final IdentifierNormalizer.Configured NO_REGION = IdentifierNormalizer.of(IdentityOptions.defaults());
    private static final IdentifierNormalizer.Configured US = IdentifierNormalizer.of(new IdentityOptions("US"));

    private static final String PHONE = "+14155550100";
    private static final String EMAIL = "jane@example.com";

    // ---- the platforms' own examples -------------------------------------------------------------------------

    @Test
    void shouldMatchMetasPublishedPhoneDigestWithTheRawNumber() {
        // Meta's customer information parameters: "(650)555-1212" normalizes to "16505551212", whose SHA-256 is:
        String metaDigest = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176";

        Normalization.Ok registration = ok(NO_REGION.normalize(IdentifierKind.PHONE, "+1 (650) 555-1212"));

        assertThat(registration.keys().all()).contains(new MatchKeys.Key(HashForm.SHA256, metaDigest));
        // and the raw number is still forwarded as the SHA-256 of its E.164 form
        assertThat(registration.keys().forwardKey()).isEqualTo(Sha256.hex("+16505551212"));
    }

    @Test
    void shouldMatchMetasAndTikToksPublishedEmailDigests() {
        // Meta: "John_Smith@gmail.com" -> "john_smith@gmail.com"; TikTok: "janedoe@gmail.com"
        assertThat(ok(NO_REGION.normalize(IdentifierKind.EMAIL, "John_Smith@gmail.com")).keys().all())
                .contains(key("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"));
        assertThat(ok(NO_REGION.normalize(IdentifierKind.EMAIL, "Jane.Doe@Gmail.com")).keys().all())
                .contains(key("d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69"));
    }

    @Test
    void shouldMatchUid2sPublishedBase64EmailHashes() {
        // UID2: "user@example.com" hashes to tMmi...VRQ=; "JANESaoirse@gmail.com" normalizes to janesaoirse@gmail.com,
        // ku4m...iI8=. A registration of jane.saoirse+x@gmail.com is the same Gmail mailbox, which UID2 normalizes so.
        Normalization.Ok user = ok(NO_REGION.normalize(IdentifierKind.EMAIL, "tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ="));
        Normalization.Ok jane = ok(NO_REGION.normalize(IdentifierKind.EMAIL, "ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8="));

        assertThat(user.keys()).isEqualTo(MatchKeys.ofDigest(HashForm.SHA256, Sha256.hex("user@example.com")));
        assertThat(ok(NO_REGION.normalize(IdentifierKind.EMAIL, "User@Example.com")).keys().sharesKeyWith(user.keys()))
                .isTrue();
        assertThat(ok(NO_REGION.normalize(IdentifierKind.EMAIL, "Jane.Saoirse+x@gmail.com")).keys()
                .sharesKeyWith(jane.keys())).isTrue();
    }

    // ---- phone numbers without '+', and tel: URIs ------------------------------------------------------------

    @Test
    void shouldStoreAPhoneRegistrationAlsoUnderTheDigitsWithoutPlus() {
        Normalization.Ok registration = ok(NO_REGION.normalize(IdentifierKind.PHONE, PHONE));

        for (HashForm form : HashForm.values()) {
            Normalization.Ok incoming = ok(NO_REGION.normalize(IdentifierKind.PHONE, form.hex("14155550100")));
            assertThat(registration.keys().sharesKeyWith(incoming.keys())).as(form.algorithm()).isTrue();
        }
    }

    @Test
    void shouldReadAShortNumberWithoutPlusAlsoAsInternationalWhenADefaultRegionIsSet() {
        // Given a Danish number written the way Meta writes it, read with default region US
        Normalization.Ok read = ok(US.normalize(IdentifierKind.PHONE, "4512345678"));

        // Then it is forwarded as the US reading, and also meets a registration of +45 12 34 56 78
        assertThat(read.keys().forwardKey()).isEqualTo(Sha256.hex("+14512345678"));
        assertThat(read.keys().sharesKeyWith(ok(NO_REGION.normalize(IdentifierKind.PHONE, "+45 12 34 56 78")).keys()))
                .isTrue();
        // And one that is possible only as international is that number
        assertThat(ok(US.normalize(IdentifierKind.PHONE, "442079460958")).keys().forwardKey())
                .isEqualTo(Sha256.hex("+442079460958"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "tel:+1-415-555-0100",
        "tel:+1-415-555-0100;ext=12",
        "tel:+1.415.555.0100;isub=22;ext=12",
        "tel:+1(415)555-0100",
        "TEL:+14155550100",
        "tel:%2B1-415-555-0100",
        "tel://+1-415-555-0100",
        " tel:+1-415-555-0100 ",
        "tel:415-555-0100;phone-context=+1",
        "tel:555-0100;phone-context=+1-415",
        "tel:415-555-0100;Phone-Context=%2B1",
    })
    void shouldReadATelUriAsItsNumber(String uri) {
        assertThat(NO_REGION.normalize(IdentifierKind.PHONE, uri)).isEqualTo(Expected.raw(IdentifierKind.PHONE, PHONE));
    }

    @Test
    void shouldReadATelUriWithALocalNumberAndADomainContextInTheDefaultRegion() {
        String uri = "tel:415-555-0100;phone-context=example.com";

        assertThat(US.normalize(IdentifierKind.PHONE, uri)).isEqualTo(Expected.raw(IdentifierKind.PHONE, PHONE));
        assertThat(NO_REGION.normalize(IdentifierKind.PHONE, uri)).isInstanceOfSatisfying(Normalization.Invalid.class,
                invalid -> assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_PHONE));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tel:", "tel:+1-415-555-0100%", "tel:+1-415-555-0100;phone-context=%zz", "tel:+1-800-FLOWERS",
        "tel:+1-415-555-0100,+1-415-555-0101"})
    void shouldRejectAMalformedTelUriWithoutRepeatingIt(String uri) {
        assertThat(NO_REGION.normalize(IdentifierKind.PHONE, uri)).isInstanceOfSatisfying(Normalization.Invalid.class,
                invalid -> {
                    assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_PHONE);
                    assertThat(invalid.detail()).doesNotContain("415");
                });
    }

    // ---- email addresses: mailto:, trailing dot, internationalized domains, tags ---------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "mailto:jane@example.com",
        "MAILTO:Jane@Example.COM",
        "mailto:jane%40example.com",
        "mailto:%6Aane@example.com",
        "mailto:jane@example.com?subject=Your%20code&body=Hi",
        "mailto:?to=jane@example.com",
        "mailto:jane@example.com?to=JANE@example.com",
        "mailto:jane@example.com.",
        " mailto:jane@example.com\u200B",
    })
    void shouldReadAMailtoUriNamingOneAddressAsThatAddress(String uri) {
        assertThat(NO_REGION.normalize(IdentifierKind.EMAIL, uri)).isEqualTo(Expected.raw(IdentifierKind.EMAIL, EMAIL));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "mailto:jane@example.com,john@example.com",
        "mailto:jane@example.com?cc=john@example.com",
        "mailto:jane@example.com?bcc=john@example.com",
        "mailto:?to=jane@example.com,john@example.com",
    })
    void shouldRejectAMailtoUriNamingSeveralAddressesAsNotOneIdentifier(String uri) {
        assertThat(NO_REGION.normalize(IdentifierKind.EMAIL, uri)).isInstanceOfSatisfying(Normalization.Invalid.class,
                invalid -> {
                    assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_EMAIL);
                    assertThat(invalid.detail()).contains("more than one address").doesNotContain("jane", "john");
                });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mailto:", "mailto:?subject=hi", "mailto:jane%4example.com", "mailto:jane%C3@example.com"})
    void shouldRejectAMailtoUriWithoutAnAddressOrWithABadEncoding(String uri) {
        assertThat(NO_REGION.normalize(IdentifierKind.EMAIL, uri)).isInstanceOfSatisfying(Normalization.Invalid.class,
                invalid -> assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_EMAIL));
    }

    @Test
    void shouldTakeATrailingDotDomainForTheSameDomain() {
        assertThat(NO_REGION.normalize(IdentifierKind.EMAIL, "jane@example.com."))
                .isEqualTo(Expected.raw(IdentifierKind.EMAIL, EMAIL));
        assertThat(NO_REGION.normalize(IdentifierKind.EMAIL, "Jane@Example.COM\u3002"))
                .isEqualTo(Expected.raw(IdentifierKind.EMAIL, EMAIL));
        // but not two, nor a domain that is only the dot
        for (String invalid : List.of("jane@example.com..", "jane@.")) {
            assertThat(NO_REGION.normalize(IdentifierKind.EMAIL, invalid)).as(invalid)
                    .isInstanceOf(Normalization.Invalid.class);
        }
    }

    @Test
    void shouldTakeAnInternationalizedDomainInUnicodeOrPunycodeForOneAndMatchTheDigestOfEither() {
        Normalization.Ok unicode = ok(NO_REGION.normalize(IdentifierKind.EMAIL, "Jane@Bücher.de"));
        Normalization.Ok punycode = ok(NO_REGION.normalize(IdentifierKind.EMAIL, "jane@XN--BCHER-KVA.de"));

        assertThat(unicode).isEqualTo(punycode);
        assertThat(unicode.keys().forwardKey()).isEqualTo(Sha256.hex("jane@xn--bcher-kva.de"));
        // A platform hashing the address as held, in Unicode, meets it too
        for (HashForm form : HashForm.values()) {
            assertThat(unicode.keys().all()).contains(new MatchKeys.Key(form, form.hex("jane@bücher.de")));
        }
    }

    @Test
    void shouldStoreATaggedAddressAlsoWithoutItsTagAsTikTokHashesIt() {
        Normalization.Ok tagged = ok(NO_REGION.normalize(IdentifierKind.EMAIL, "jane+2fa@example.com"));

        assertThat(tagged.keys().forwardKey()).isEqualTo(Sha256.hex("jane+2fa@example.com"));
        assertThat(tagged.keys().all()).contains(key(Sha256.hex(EMAIL)));
        // Dots are Gmail's business only
        assertThat(ok(NO_REGION.normalize(IdentifierKind.EMAIL, "j.ane@example.com")).keys()
                .sharesKeyWith(ok(NO_REGION.normalize(IdentifierKind.EMAIL, EMAIL)).keys())).isFalse();
    }

    // ---- digests: base64, case, stray characters -------------------------------------------------------------

    @Test
    void shouldTakeABase64Sha256InEveryAlphabetAndPaddingAsItsDigest() {
        byte[] digest = HashForm.SHA256.bytes(EMAIL);
        MatchKeys expected = MatchKeys.ofDigest(HashForm.SHA256, Sha256.hex(EMAIL));

        for (String written : List.of(Base64.getEncoder().encodeToString(digest),
                Base64.getEncoder().withoutPadding().encodeToString(digest),
                Base64.getUrlEncoder().encodeToString(digest),
                Base64.getUrlEncoder().withoutPadding().encodeToString(digest))) {
            for (IdentifierKind kind : IdentifierKind.values()) {
                assertThat(NO_REGION.normalize(kind, written)).as("%s as %s", written, kind)
                        .isEqualTo(new Normalization.Ok(kind, expected, false));
            }
        }
    }

    @Test
    void shouldNotTakeWhatIsNoCanonicalBase64Sha256ForADigest() {
        String base64 = Base64.getEncoder().encodeToString(HashForm.SHA256.bytes(EMAIL));
        // The last character before the padding carries two bits past the digest: only one in four is canonical
        char last = base64.charAt(42);
        String nonCanonical = base64.substring(0, 42) + (char) (last + 1) + "=";
        String mixedAlphabets = "+" + Base64.getUrlEncoder().encodeToString(HashForm.SHA256.bytes("x")).substring(1)
                .replace('_', '-').replaceFirst("[A-Za-z0-9]", "_");
        String sha1 = Base64.getEncoder().encodeToString(HashForm.SHA1.bytes(EMAIL));
        String md5 = Base64.getEncoder().encodeToString(HashForm.MD5.bytes(EMAIL));

        for (String notADigest : List.of(nonCanonical, mixedAlphabets, sha1, md5, base64 + "=", base64.substring(1))) {
            assertThat(NO_REGION.normalize(IdentifierKind.EMAIL, notADigest)).as(notADigest)
                    .isInstanceOfSatisfying(Normalization.Invalid.class,
                            invalid -> assertThat(invalid.error()).isEqualTo(IdentifierError.INVALID_EMAIL));
        }
    }

    @ParameterizedTest(name = "wrapper {index}")
    @ValueSource(strings = {"\u200B", "\uFEFF", "\u00A0", "\u2060", " \t", "\r\n", "\u00A0\u200B "})
    void shouldTakeADigestWrappedInInvisibleOrBlankCharactersAsTheDigest(String wrapper) {
        String hex = Sha256.hex(EMAIL);
        String base64 = Base64.getUrlEncoder().withoutPadding().encodeToString(HashForm.SHA256.bytes(EMAIL));
        Normalization.Ok expected = Expected.hashed(IdentifierKind.EMAIL, HashForm.SHA256, hex);

        assertThat(NO_REGION.normalize(IdentifierKind.EMAIL, wrapper + hex.toUpperCase(Locale.ROOT) + wrapper))
                .isEqualTo(expected);
        assertThat(NO_REGION.normalize(IdentifierKind.EMAIL, wrapper + base64 + wrapper)).isEqualTo(expected);
        assertThat(NO_REGION.normalize(IdentifierKind.EMAIL, HashForm.MD5.hex(EMAIL) + wrapper))
                .isEqualTo(Expected.hashed(IdentifierKind.EMAIL, HashForm.MD5, HashForm.MD5.hex(EMAIL)));
    }

    @Test
    void shouldKeepEveryValidIdentifierItsMeaningThoughItCouldBeBase64() {
        // 43 characters of the base64 alphabet, canonical (its last character's two low bits zero), that are also a
        // phone number with an extension: as a phone number it is the number; as an email address, a digest
        String both = "+14155550100x123456789012345678901234567890";
        assertThat(both).hasSize(43);
        assertThat(HashForm.sha256HexOfBase64(both)).isNotNull();

        assertThat(NO_REGION.normalize(IdentifierKind.PHONE, both)).isEqualTo(Expected.raw(IdentifierKind.PHONE, PHONE));
        assertThat(ok(NO_REGION.normalize(IdentifierKind.EMAIL, both)).keys().arrivedAs()).isEqualTo(HashForm.SHA256);
        // A 32-hex ad id stays an ad id; its MD5 reading is only a further key
        Normalization.Ok adId = ok(NO_REGION.normalize(IdentifierKind.MOBILE_AD_ID, "6f1ed002ab5d42f38c0b8b1a2e3f4d5c"));
        assertThat(adId.arrivedHashed()).isFalse();
        assertThat(adId.keys().forwardKey()).isEqualTo(Sha256.hex("6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5c"));
        assertThat(adId.keys().all()).contains(new MatchKeys.Key(HashForm.MD5, "6f1ed002ab5d42f38c0b8b1a2e3f4d5c"));
    }

    @Test
    void shouldMatchAnAdIdInUpperCaseAsTikTokAndIosWriteIt() {
        String idfa = "E621E1F8-C36C-495A-93FC-0C247A3E6E5F";
        Normalization.Ok registration = ok(NO_REGION.normalize(IdentifierKind.MOBILE_AD_ID, idfa.toLowerCase(Locale.ROOT)));

        assertThat(registration.keys().forwardKey()).isEqualTo(Sha256.hex(idfa.toLowerCase(Locale.ROOT)));
        for (HashForm form : HashForm.values()) {
            String digest = form.hex(idfa);
            Normalization.Ok incoming = ok(NO_REGION.normalize(IdentifierKind.MOBILE_AD_ID, digest));
            assertThat(registration.keys().sharesKeyWith(incoming.keys())).as(form.algorithm()).isTrue();
        }
    }

    private static MatchKeys.Key key(String sha256Hex) {
        return new MatchKeys.Key(HashForm.SHA256, sha256Hex);
    }

    private static Normalization.Ok ok(Normalization result) {
        assertThat(result).isInstanceOf(Normalization.Ok.class);
        return (Normalization.Ok) result;
    }
}
