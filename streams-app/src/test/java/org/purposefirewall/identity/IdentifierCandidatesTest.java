package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifierCandidatesTest {

    private static final IdentifierNormalizer.Configured NO_REGION = IdentifierNormalizer.of(IdentityOptions.defaults());
    private static final IdentifierNormalizer.Configured US = IdentifierNormalizer.of(new IdentityOptions("US"));

    private static final String PHONE = "+14155550100";
    private static final String AD_ID = "6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5c";

    private static IdentifierCandidates.Scan scan(String text) {
        return IdentifierCandidates.find(NO_REGION, text);
    }

    // ---- email addresses ---------------------------------------------------------------------------------------

    @Test
    void anEmailAddressInASentenceIsFoundWithoutItsFullStop() {
        IdentifierCandidates.Scan scan = scan("please mail Jane.Doe@Example.COM.");

        assertThat(scan.complete()).isTrue();
        assertThat(scan.candidates()).containsExactly(Expected.raw(IdentifierKind.EMAIL, "jane.doe@example.com"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "mailto:Jane@Example.com",
        "<a href=\"mailto:jane@example.com\">write</a>",
        "From: \"Jane\" <JANE@example.com>",
        "(jane@example.com)",
        "contacts: jane@example.com, bob@example.org; carol@example.net",
        "Is it jane@example.com? Yes!",
        "jane＠example.com",
        "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        "\u0000jane@example.com\u0007",
        "日本語のテキスト jane@example.com です",
    })
    void anEmailAddressIsFoundWhateverSurroundsIt(String text) {
        assertThat(scan(text).candidates()).contains(Expected.raw(IdentifierKind.EMAIL, "jane@example.com"));
    }

    @Test
    void everyAddressOfAListIsFound() {
        assertThat(scan("contacts: jane@example.com, bob@example.org; carol@example.net").candidates())
                .containsExactly(
                        Expected.raw(IdentifierKind.EMAIL, "jane@example.com"),
                        Expected.raw(IdentifierKind.EMAIL, "bob@example.org"),
                        Expected.raw(IdentifierKind.EMAIL, "carol@example.net"));
    }

    @Test
    void oneIdentifierWrittenTwiceIsOneCandidate() {
        assertThat(scan("jane@example.com and again JANE@EXAMPLE.COM, +1 415 555 0100 or 0014155550100")
                .candidates()).containsExactly(
                        Expected.raw(IdentifierKind.EMAIL, "jane@example.com"),
                        Expected.raw(IdentifierKind.PHONE, PHONE));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", " ", "no identifiers here", "@", "@@@", "a@", "@b", "email me at @ home", "12 34 56"})
    void textWithoutAnIdentifierHasNoCandidates(String text) {
        IdentifierCandidates.Scan scan = scan(text);

        assertThat(scan.candidates()).isEmpty();
        assertThat(scan.complete()).isTrue();
    }

    @Test
    void noTextHasNoCandidates() {
        assertThat(IdentifierCandidates.find(NO_REGION, null)).isEqualTo(new IdentifierCandidates.Scan(List.of(), true));
        assertThatThrownBy(() -> IdentifierCandidates.find(null, "jane@example.com"))
                .isInstanceOf(NullPointerException.class);
    }

    // ---- phone numbers -----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "call +1 (415) 555-0100 after 5pm",
        "call +14155550100.",
        "tel:+1-415-555-0100",
        "Tel. 0014155550100 / fax 0014155550199",
        "ring 00 1 415 555 0100 ext. 12 today",
        "phone=+1.415.555.0100&x=1",
        "call +1\u00A0415\u2013555\u20130100 now",
        "call ＋１ ４１５ ５５５ ０１００ now",
        "اتصل +١ ٤١٥ ٥٥٥ ٠١٠٠ الآن",
        "my number is 1 415 555 0100 (mobile)",
    })
    void anInternationalPhoneNumberInFreeTextIsFound(String text) {
        IdentifierCandidates.Scan scan = scan(text);

        assertThat(scan.complete()).isTrue();
        assertThat(scan.candidates()).contains(Expected.raw(IdentifierKind.PHONE, PHONE));
    }

    @Test
    void aNationalPhoneNumberIsFoundWithItsDefaultRegion() {
        String text = "call (415) 555-0100 after 5pm";

        // With default region US it is +14155550100
        assertThat(IdentifierCandidates.find(US, text).candidates())
                .containsExactly(Expected.raw(IdentifierKind.PHONE, PHONE));
        // Without one, 10 digits without a country code are no phone number
        assertThat(scan(text).candidates()).isEmpty();
    }

    @Test
    void aLondonNumberWrittenNationallyIsFoundWithDefaultRegionGb() {
        IdentifierNormalizer.Configured gb = IdentifierNormalizer.of(new IdentityOptions("GB"));

        assertThat(IdentifierCandidates.find(gb, "Office: 020 7946 0958, ask for Jane").candidates())
                .contains(Expected.raw(IdentifierKind.PHONE, "+442079460958"));
    }

    @Test
    void everyWindowOfDigitGroupsIsTriedSoANumberNextToOtherDigitsIsFound() {
        // Given a number run together with an order number and a time, separated only by spaces
        String text = "order 12 34 +1 415 555 0100 5 30";

        // Then the number is among the candidates (windows are tried at every start and end)
        assertThat(IdentifierCandidates.find(US, text).candidates())
                .contains(Expected.raw(IdentifierKind.PHONE, PHONE));
        assertThat(scan("ref 99 1 415 555 0100 77").candidates())
                .contains(Expected.raw(IdentifierKind.PHONE, PHONE));
    }

    @Test
    void twoPhoneNumbersInOneTextAreBothFound() {
        assertThat(scan("+1 415 555 0100 or +44 20 7946 0958").candidates()).contains(
                Expected.raw(IdentifierKind.PHONE, PHONE), Expected.raw(IdentifierKind.PHONE, "+442079460958"));
    }

    // ---- digests and advertising ids -------------------------------------------------------------------------

    @Test
    void aSha1DigestInAUrlIsFound() {
        String sha1 = HashForm.SHA1.hex(PHONE);
        String text = "GET https://ads.example/match?h=" + sha1.toUpperCase(Locale.ROOT) + "&t=1 HTTP/1.1";

        assertThat(scan(text).candidates()).containsExactly(
                Expected.hashed(IdentifierKind.PHONE, HashForm.SHA1, sha1));
    }

    @Test
    void aSha256DigestInAUrlIsFound() {
        String sha256 = HashForm.SHA256.hex("jane@example.com");
        String text = "https://ads.example/u/" + sha256 + "/profile";

        assertThat(scan(text).candidates()).containsExactly(
                Expected.hashed(IdentifierKind.PHONE, HashForm.SHA256, sha256));
    }

    @Test
    void anMd5DigestInAUrlIsFoundAsAnMd5AndAsAnAdId() {
        String md5 = HashForm.MD5.hex("jane@example.com");
        String text = "https://ads.example/sync?md5=" + md5;
        String asUuid = md5.substring(0, 8) + "-" + md5.substring(8, 12) + "-" + md5.substring(12, 16) + "-"
                + md5.substring(16, 20) + "-" + md5.substring(20);

        assertThat(scan(text).candidates()).contains(
                Expected.hashed(IdentifierKind.PHONE, HashForm.MD5, md5),
                Expected.adIdWrittenWithoutDashes(asUuid, false));
    }

    @Test
    void aDashedAdIdIsFound() {
        IdentifierCandidates.Scan scan = scan("device " + AD_ID.toUpperCase(Locale.ROOT) + " seen");

        assertThat(scan.candidates()).containsExactly(Expected.raw(IdentifierKind.MOBILE_AD_ID, AD_ID));
    }

    @Test
    void anUndashedAdIdIsFoundBothAsAnMd5KeyAndAsAnAdId() {
        String hex = AD_ID.replace("-", "");

        IdentifierCandidates.Scan scan = scan("idfa=" + hex + ";");

        assertThat(scan.candidates()).containsExactlyInAnyOrder(
                Expected.hashed(IdentifierKind.PHONE, HashForm.MD5, hex),
                Expected.adIdWrittenWithoutDashes(AD_ID, false));
    }

    @Test
    void theLimitAdTrackingAdIdIsFoundAndMarked() {
        assertThat(scan("idfa 00000000-0000-0000-0000-000000000000").candidates()).containsExactly(
                Expected.raw(IdentifierKind.MOBILE_AD_ID, IdentifierNormalizer.LIMIT_AD_TRACKING_AD_ID, true));
    }

    @Test
    void aHexRunOfNoDigestLengthIsNoDigest() {
        String sha256 = HashForm.SHA256.hex("jane@example.com");

        // Longer or shorter runs, or runs glued to letters or digits, are not digests
        for (String text : List.of(sha256 + "a", "x" + sha256, sha256.substring(1), sha256 + "0",
                AD_ID.replace("-", "") + "g")) {
            assertThat(scan(text).candidates()).as(text).noneMatch(Normalization.Ok::arrivedHashed);
        }
    }

    @Test
    void aDigestOfADisabledFormIsNoCandidate() {
        IdentifierNormalizer.Configured sha256Only =
                IdentifierNormalizer.of(new IdentityOptions(null, false, Set.of(HashForm.SHA256)));
        String text = "h=" + HashForm.SHA1.hex(PHONE) + " also " + HashForm.SHA256.hex(PHONE);

        IdentifierCandidates.Scan scan = IdentifierCandidates.find(sha256Only, text);

        assertThat(scan.candidates()).containsExactly(
                Expected.hashed(IdentifierKind.PHONE, HashForm.SHA256, HashForm.SHA256.hex(PHONE)));
    }

    @Test
    void candidatesAreKeyedByTheNormalizersForms() {
        IdentifierNormalizer.Configured sha256Only =
                IdentifierNormalizer.of(new IdentityOptions(null, false, Set.of(HashForm.SHA256)));

        assertThat(IdentifierCandidates.find(sha256Only, "write to jane@example.com").candidates()).containsExactly(
                new Normalization.Ok(IdentifierKind.EMAIL,
                        MatchKeys.ofCanonical("jane@example.com", Set.of(HashForm.SHA256)), false));
    }

    @Test
    void everyKindInOneTextIsFoundInOrderOfKind() {
        String md5 = HashForm.MD5.hex("bob@example.org");
        String text = "user jane@example.com, phone +1 415 555 0100, idfa " + AD_ID + ", legacy " + md5;

        assertThat(scan(text).candidates()).contains(
                Expected.raw(IdentifierKind.EMAIL, "jane@example.com"),
                Expected.raw(IdentifierKind.PHONE, PHONE),
                Expected.raw(IdentifierKind.MOBILE_AD_ID, AD_ID),
                Expected.hashed(IdentifierKind.PHONE, HashForm.MD5, md5));
    }

    // ---- forms of ad platforms and URIs -----------------------------------------------------------------------

    @Test
    void shouldFindAShortNumberWrittenWithItsCountryCodeButWithoutPlus() {
        // Given a Danish number as Meta and Snap write it: 10 digits, too few to be read as international unasked
        IdentifierCandidates.Scan scan = scan("backup phone 4512345678 on file");

        assertThat(scan.candidates()).contains(Expected.raw(IdentifierKind.PHONE, "+4512345678"));
    }

    @Test
    void shouldFindANumberInATelUriWithItsPhoneContext() {
        assertThat(scan("<a href=\"tel:555-0100;phone-context=+1-415\">call</a>").candidates())
                .contains(Expected.raw(IdentifierKind.PHONE, PHONE));
        assertThat(scan("href=tel:%2B1-415-555-0100;ext=9").candidates())
                .contains(Expected.raw(IdentifierKind.PHONE, PHONE));
    }

    @Test
    void shouldFindAPercentEncodedAddressInAMailtoUriOrAQuery() {
        assertThat(scan("mailto:Jane%40Example.com?subject=code").candidates())
                .contains(Expected.raw(IdentifierKind.EMAIL, "jane@example.com"));
        assertThat(scan("https://ads.example/match?em=jane%2Bads%40example.com&c=1").candidates())
                .contains(Expected.raw(IdentifierKind.EMAIL, "jane+ads@example.com"));
    }

    @Test
    void shouldFindABase64Sha256AsAWholeTokenOrAPathSegment() {
        byte[] digest = HashForm.SHA256.bytes("jane@example.com");
        String standard = java.util.Base64.getEncoder().encodeToString(digest);
        String urlSafe = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        Normalization.Ok expected = Expected.hashed(IdentifierKind.PHONE, HashForm.SHA256,
                HashForm.SHA256.hex("jane@example.com"));

        for (String text : List.of("uid2 " + standard + " sent", "hem=" + urlSafe + "&x=1",
                "https://ads.example/uid2/" + urlSafe + "/match", "id:" + standard.replace("=", "%3D"),
                "/v1/" + standard + "?q")) {
            assertThat(scan(text).candidates()).as(text).contains(expected);
        }
    }

    @Test
    void shouldNotTakeAPartOfALongerBase64RunForADigest() {
        // 44 characters of base64 glued to more: a longer token, not a digest (unless split at a '/')
        String urlSafe = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(HashForm.SHA256.bytes("jane@example.com"));

        assertThat(scan("token=" + urlSafe + "abc").candidates()).isEmpty();
        assertThat(scan("token=x" + urlSafe).candidates()).isEmpty();
    }

    // ---- bounds ------------------------------------------------------------------------------------------------

    @Test
    void textUpToTheLimitIsScannedCompletely() {
        String tail = " +1 415 555 0100";
        String text = "a".repeat(IdentifierCandidates.MAX_SCANNED_LENGTH - tail.length()) + tail;
        assertThat(text).hasSize(IdentifierCandidates.MAX_SCANNED_LENGTH);

        IdentifierCandidates.Scan scan = scan(text);

        assertThat(scan.complete()).isTrue();
        assertThat(scan.candidates()).containsExactly(Expected.raw(IdentifierKind.PHONE, PHONE));
    }

    @Test
    void textPastTheLimitIsReportedIncompleteAndItsHeadStillScanned() {
        String head = "jane@example.com ";
        String tail = " +1 415 555 0100";
        String text = head + "a".repeat(IdentifierCandidates.MAX_SCANNED_LENGTH) + tail;

        IdentifierCandidates.Scan scan = scan(text);

        // The head is found, the tail past the limit is not, and the scan says so
        assertThat(scan.complete()).isFalse();
        assertThat(scan.candidates()).containsExactly(Expected.raw(IdentifierKind.EMAIL, "jane@example.com"));
        assertThat(scan("a".repeat(IdentifierCandidates.MAX_SCANNED_LENGTH + 1)).complete()).isFalse();
    }

    @Test
    void tooManyPhoneWindowsIsReportedIncompleteButOtherKindsAreStillFound() {
        // Given thousands of digit groups (each start of the run gives several windows of 7 to 17 digits)
        String text = "jane@example.com " + "12 ".repeat(IdentifierCandidates.MAX_PHONE_WINDOWS) + AD_ID;

        IdentifierCandidates.Scan scan = scan(text);

        assertThat(scan.complete()).isFalse();
        assertThat(scan.candidates()).contains(
                Expected.raw(IdentifierKind.EMAIL, "jane@example.com"),
                Expected.raw(IdentifierKind.MOBILE_AD_ID, AD_ID));
    }

    @Test
    void aLongRunOfKeyCharactersBeforeAnAddressIsScannedInLinearTime() {
        // Given 200,000 '=' before an '@': each was once a tail tried as an address, copied whole, so quadratic
        // (minutes of a stream thread for one field)
        String text = "=".repeat(200_000) + "jane@example.com";

        long start = System.nanoTime();
        IdentifierCandidates.Scan scan = scan(text);
        long millis = (System.nanoTime() - start) / 1_000_000;

        // Then it takes milliseconds, and the address after the last '=' is still found
        assertThat(millis).isLessThan(2_000);
        assertThat(scan.complete()).isTrue();
        assertThat(scan.candidates()).contains(Expected.raw(IdentifierKind.EMAIL, "jane@example.com"));
    }

    @Test
    void tooManyAddressTailsIsReportedIncompleteNotSkipped() {
        // Given more key=address pairs than the tail bound, each tail a candidate
        String text = "k=a@example.com ".repeat(IdentifierCandidates.MAX_EMAIL_TAILS + 1);

        assertThat(scan(text).complete()).isFalse();
        assertThat(scan("k=a@example.com ".repeat(IdentifierCandidates.MAX_EMAIL_TAILS)).complete()).isTrue();
    }

    @Test
    void manyPhoneNumbersBelowTheWindowLimitAreAllFound() {
        // Given 100 distinct numbers, each its own run
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            text.append("call +1 415 555 ").append(String.format(Locale.ROOT, "%04d", 1000 + i)).append(", ");
        }

        IdentifierCandidates.Scan scan = scan(text.toString());

        assertThat(scan.complete()).isTrue();
        assertThat(scan.candidates()).hasSize(100)
                .contains(Expected.raw(IdentifierKind.PHONE, "+14155551000"),
                        Expected.raw(IdentifierKind.PHONE, "+14155551099"));
    }

    @Test
    void theScanIsAnImmutableCopy() {
        List<Normalization.Ok> candidates = new java.util.ArrayList<>();
        candidates.add(Expected.raw(IdentifierKind.PHONE, PHONE));
        IdentifierCandidates.Scan scan = new IdentifierCandidates.Scan(candidates, true);

        candidates.clear();

        assertThat(scan.candidates()).hasSize(1);
        assertThatThrownBy(() -> scan.candidates().clear()).isInstanceOf(UnsupportedOperationException.class);
    }
}
