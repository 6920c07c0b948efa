package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link IdentifierCandidates} on hostile and on realistic text: it never throws, stays bounded and says when it
 * stopped early, and finds an identifier wherever it is written.
 */
class IdentifierCandidatesProperties {

    private static final IdentifierNormalizer.Configured NO_REGION = IdentifierNormalizer.of(IdentityOptions.defaults());

    /** Separators the scanner joins digit groups with: all the normalizer takes, tabs included. */
    private static final List<String> TEXT_SEPARATORS = IdentifierArbitraries.SEPARATORS;

    // ---- hostile text ------------------------------------------------------------------------------------------

    @Property(tries = 1000)
    void findNeverThrowsOnAnyText(@ForAll("anyText") String text) {
        IdentifierCandidates.Scan scan = IdentifierCandidates.find(NO_REGION, text);

        assertWellFormed(scan);
        Statistics.collect(scan.candidates().isEmpty() ? "none" : "some", scan.complete());
    }

    @Property(tries = 200)
    void findNeverThrowsOnControlCharactersAroundAndInsideIdentifiers(
            @ForAll("controlCharacters") String before, @ForAll("controlCharacters") String after,
            @ForAll("identifierShapedStrings") String shaped) {
        IdentifierCandidates.Scan scan = IdentifierCandidates.find(NO_REGION, before + shaped + after);

        assertWellFormed(scan);
        // An email address between control characters is still found: they are never part of one
        String email = "jane@example.com";
        assertThat(IdentifierCandidates.find(NO_REGION, before + email + after).candidates())
                .contains(Expected.raw(IdentifierKind.EMAIL, email));
    }

    @Property(tries = 10)
    void textLongerThanTheLimitIsReportedIncomplete(@ForAll("mixedScripts") String chunk,
                                                    @ForAll @IntRange(min = 1, max = 5000) int extra) {
        // Given text past MAX_SCANNED_LENGTH made of a random chunk, hostile characters included
        StringBuilder text = new StringBuilder(IdentifierCandidates.MAX_SCANNED_LENGTH + extra);
        String unit = chunk.isEmpty() ? "x" : chunk;
        while (text.length() < IdentifierCandidates.MAX_SCANNED_LENGTH + extra) {
            text.append(unit);
        }

        IdentifierCandidates.Scan scan = IdentifierCandidates.find(NO_REGION, text);

        assertWellFormed(scan);
        assertThat(scan.complete()).isFalse();
    }

    @Property(tries = 20)
    void thousandsOfDigitGroupsAreReportedIncomplete(@ForAll("digitGroupRuns") String text) {
        // Given a run of thousands of digit groups of 1 to 4 digits (each start gives at least one 7-to-17-digit
        // window, so there are more windows than MAX_PHONE_WINDOWS)
        IdentifierCandidates.Scan scan = IdentifierCandidates.find(NO_REGION, text);

        assertWellFormed(scan);
        assertThat(scan.complete()).isFalse();
    }

    @Property(tries = 20)
    void manyShortDigitRunsSeparatedByLettersAreScannedCompletely(
            @ForAll @IntRange(min = 1_000, max = 20_000) int runs) {
        // Given thousands of runs too short to be a phone number: none is a window, so nothing is skipped
        String text = "ab 123456 cd ".repeat(runs);

        IdentifierCandidates.Scan scan = IdentifierCandidates.find(NO_REGION, text);

        assertThat(scan.complete()).isTrue();
        assertThat(scan.candidates()).isEmpty();
    }

    @Property(tries = 300)
    void mixedScriptTextIsHandled(@ForAll("mixedScriptText") String text) {
        IdentifierCandidates.Scan scan = IdentifierCandidates.find(IdentifierNormalizer.of(new IdentityOptions("US")),
                text);

        assertWellFormed(scan);
    }

    // ---- identifiers anywhere in text --------------------------------------------------------------------------

    @Property(tries = 1500)
    void anEmbeddedIdentifierIsFound(@ForAll("embeddable") Embeddable identifier,
                                     @ForAll("words") String before, @ForAll("words") String after) {
        Statistics.collect(identifier.how());
        // Given an identifier written at a random position in random text, with spaces around it
        String text = before + " " + identifier.spelling() + " " + after;
        IdentifierNormalizer.Configured normalizer = identifier.defaultRegion() == null ? NO_REGION
                : IdentifierNormalizer.of(new IdentityOptions(identifier.defaultRegion()));

        // When the text is scanned
        IdentifierCandidates.Scan scan = IdentifierCandidates.find(normalizer, text);

        // Then a candidate has the identifier's SHA-256 key
        String key = HashForm.SHA256.hex(identifier.canonical());
        assertThat(scan.complete()).isTrue();
        assertThat(scan.candidates()).as(text).anySatisfy(ok -> {
            assertThat(ok.kind()).isEqualTo(identifier.kind());
            assertThat(ok.sha256Hex()).isEqualTo(key);
        });
    }

    @Property(tries = 300)
    void aDigestEmbeddedInTextIsFoundInItsForm(@ForAll("embeddable") Embeddable identifier,
                                              @ForAll HashForm form, @ForAll boolean upper,
                                              @ForAll("words") String before, @ForAll("words") String after,
                                              @ForAll("urlPunctuation") String left,
                                              @ForAll("urlPunctuation") String right) {
        String digest = form.hex(identifier.canonical());
        String text = before + left + (upper ? digest.toUpperCase(java.util.Locale.ROOT) : digest) + right + after;

        IdentifierCandidates.Scan scan = IdentifierCandidates.find(NO_REGION, text);

        assertThat(scan.candidates()).as(text)
                .anySatisfy(ok -> assertThat(ok.keys()).isEqualTo(MatchKeys.ofDigest(form, digest)));
    }

    // ---- the forms ad platforms and URIs write identifiers in, anywhere in text ---------------------------------

    @Property(tries = 1500)
    void shouldFindAPhoneNumberWrittenAsAPlatformOrAUriWritesItInText(@ForAll("e164Digits") String digits,
                                                                      @ForAll("phoneWritings") String how,
                                                                      @ForAll("words") String before,
                                                                      @ForAll("words") String after) {
        Statistics.collect(how);
        com.google.i18n.phonenumbers.Phonenumber.PhoneNumber number = IdentifierArbitraries.parse(digits);
        String written = switch (how) {
            case "digits without plus" -> digits;
            case "tel: URI" -> IdentifierArbitraries.PHONES.format(number,
                    com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat.RFC3966);
            case "tel: URI, percent-encoded" -> "tel:%2B" + digits;
            default -> "tel:" + IdentifierArbitraries.PHONES.getNationalSignificantNumber(number) + ";phone-context=+"
                    + number.getCountryCode();
        };
        Normalization.Ok registration = (Normalization.Ok) NO_REGION.normalize(IdentifierKind.PHONE, "+" + digits);

        IdentifierCandidates.Scan scan = IdentifierCandidates.find(NO_REGION, before + " " + written + ". " + after);

        assertThat(scan.candidates()).as(written)
                .anySatisfy(ok -> assertThat(ok.keys().sharesKeyWith(registration.keys())).isTrue());
    }

    @Property(tries = 1500)
    void shouldFindAPlatformsBase64DigestOfAnAddressInTextAndUrls(@ForAll("platformEmails") IdentifierArbitraries.EmailSpelling email,
                                                                 @ForAll PlatformFormsProperties.EmailForm platform,
                                                                 @ForAll("base64Writing") String how,
                                                                 @ForAll("words") String before, @ForAll("words") String after,
                                                                 @ForAll("urlPunctuation") String left,
                                                                 @ForAll("urlPunctuation") String right) {
        Statistics.collect(how);
        byte[] digest = HashForm.SHA256.bytes(platform.write.apply(email.canonical()));
        String base64 = switch (how) {
            case "standard" -> java.util.Base64.getEncoder().encodeToString(digest);
            case "standard, unpadded" -> java.util.Base64.getEncoder().withoutPadding().encodeToString(digest);
            case "URL-safe" -> java.util.Base64.getUrlEncoder().encodeToString(digest);
            case "URL-safe, unpadded" -> java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
            default -> java.util.Base64.getEncoder().encodeToString(digest)
                    .replace("+", "%2B").replace("/", "%2F").replace("=", "%3D");
        };
        Normalization.Ok registration = (Normalization.Ok) NO_REGION.normalize(IdentifierKind.EMAIL, email.spelling());

        String text = before + left + base64 + right + after;
        IdentifierCandidates.Scan scan = IdentifierCandidates.find(NO_REGION, text);

        assertThat(scan.candidates()).as(text)
                .anySatisfy(ok -> assertThat(ok.keys().sharesKeyWith(registration.keys())).isTrue());
    }

    @Property(tries = 1000)
    void shouldFindAnAddressInAMailtoUriOrAPercentEncodedQuery(@ForAll("platformEmails") IdentifierArbitraries.EmailSpelling email,
                                                             @ForAll("mailtoWriting") String how,
                                                             @ForAll("words") String before,
                                                             @ForAll("words") String after) {
        Statistics.collect(how);
        String canonical = email.canonical();
        String encoded = canonical.replace("%", "%25").replace("@", "%40").replace("+", "%2B");
        String written = switch (how) {
            case "mailto:" -> "<a href=\"mailto:" + canonical + "?subject=Code\">";
            case "mailto:, percent-encoded" -> "mailto:" + encoded;
            default -> "https://ads.example/sync?email=" + encoded + "&x=1";
        };
        Normalization.Ok registration = (Normalization.Ok) NO_REGION.normalize(IdentifierKind.EMAIL, email.spelling());

        IdentifierCandidates.Scan scan = IdentifierCandidates.find(NO_REGION, before + " " + written + " " + after);

        assertThat(scan.candidates()).as(written)
                .anySatisfy(ok -> assertThat(ok.keys().sharesKeyWith(registration.keys())).isTrue());
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /**
     * Every candidate has lowercase keys of its forms' lengths (every form if raw, its own if hashed), and is listed
     * once by its forwarded key.
     */
    private static void assertWellFormed(IdentifierCandidates.Scan scan) {
        assertThat(scan).isNotNull();
        Set<String> forwarded = new HashSet<>();
        for (Normalization.Ok ok : scan.candidates()) {
            // Both normalizers used here match in every form
            IdentifierNormalizerProperties.assertWellFormedKeys(ok);
            assertThat(forwarded.add(ok.keys().forwardForm() + ":" + ok.keys().forwardKey()))
                    .as("listed once: %s", ok).isTrue();
        }
    }

    // ---- generators --------------------------------------------------------------------------------------------

    /**
     * An identifier to embed in text.
     *
     * @param defaultRegion the region a national spelling needs, or null
     */
    record Embeddable(IdentifierKind kind, String canonical, String spelling, String defaultRegion, String how) {
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(
                IdentifierArbitraries.anyStrings(),
                IdentifierArbitraries.identifierShapedStrings(),
                IdentifierArbitraries.identifierShapedStrings().list().ofMaxSize(30).map(l -> String.join(" ", l)),
                Arbitraries.strings().withChars("0123456789 +-.()/@abcdefABCDEF").ofMaxLength(3000));
    }

    @Provide
    Arbitrary<String> identifierShapedStrings() {
        return IdentifierArbitraries.identifierShapedStrings();
    }

    @Provide
    Arbitrary<String> controlCharacters() {
        // Control characters (Cc), line and paragraph separators, and invisible format characters (Cf), which the
        // normalizer drops
        return Arbitraries.strings().withCharRange('\u0000', '\u001F').withCharRange('\u007F', '\u009F')
                .withChars("\u2028\u2029\u200B\uFEFF\u2060\u00AD")
                .ofMinLength(1).ofMaxLength(10);
    }

    @Provide
    Arbitrary<String> mixedScripts() {
        return IdentifierArbitraries.mixedScripts().ofMinLength(1).ofMaxLength(200);
    }

    @Provide
    Arbitrary<String> mixedScriptText() {
        return IdentifierArbitraries.mixedScripts().ofMaxLength(20_000);
    }

    @Provide
    Arbitrary<String> digitGroupRuns() {
        Arbitrary<String> group = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(4);
        Arbitrary<String> separator = Arbitraries.of(" ", "-", ".", " - ", "/", "\u00A0", "(", ") ");
        Arbitrary<String> groupAndSeparator = Combinators.combine(group, separator).as((g, s) -> g + s);
        int groups = IdentifierCandidates.MAX_PHONE_WINDOWS + 100;
        return Combinators.combine(groupAndSeparator.list().ofMinSize(groups).ofMaxSize(groups + 2000),
                        Arbitraries.of("", "+", "00"))
                .as((parts, prefix) -> "numbers: " + prefix + String.join("", parts) + " end");
    }

    @Provide
    Arbitrary<String> e164Digits() {
        return IdentifierArbitraries.e164Digits();
    }

    @Provide
    Arbitrary<String> phoneWritings() {
        return Arbitraries.of("digits without plus", "tel: URI", "tel: URI, percent-encoded", "tel: local URI");
    }

    @Provide
    Arbitrary<IdentifierArbitraries.EmailSpelling> platformEmails() {
        return IdentifierArbitraries.platformEmails();
    }

    @Provide
    Arbitrary<String> base64Writing() {
        return Arbitraries.of("standard", "standard, unpadded", "URL-safe", "URL-safe, unpadded", "percent-encoded");
    }

    @Provide
    Arbitrary<String> mailtoWriting() {
        return Arbitraries.of("mailto:", "mailto:, percent-encoded", "query, percent-encoded");
    }

    @Provide
    Arbitrary<String> words() {
        return Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(12)
                .list().ofMaxSize(8).map(w -> String.join(" ", w));
    }

    @Provide
    Arbitrary<String> urlPunctuation() {
        return Arbitraries.of(" ", "/", "=", "?h=", "&", ":", "\"", "'", "(", ")", ",", "\n", "\t");
    }

    @Provide
    Arbitrary<Embeddable> embeddable() {
        Arbitrary<Embeddable> formatted = IdentifierArbitraries.formattedPhones().map(p -> new Embeddable(
                IdentifierKind.PHONE, "+" + p.digits(), p.spelling(), null, "formatted phone"));
        Arbitrary<Embeddable> national = IdentifierArbitraries.nationalSpellings(Arbitraries.just("")).map(p ->
                new Embeddable(IdentifierKind.PHONE, "+" + p.digits(), p.spelling(), p.region(), "national phone"));
        Arbitrary<Embeddable> random = IdentifierArbitraries.phoneSpellings(TEXT_SEPARATORS, Arbitraries.just(""))
                .map(p -> new Embeddable(IdentifierKind.PHONE, "+" + p.digits(), p.spelling(), null, "random phone"));
        // RFC 5322 local-part characters, the apostrophe included
        Arbitrary<Embeddable> email = IdentifierArbitraries.emailSpellings("._+-%'", Arbitraries.just(""))
                .map(e -> new Embeddable(IdentifierKind.EMAIL, e.canonical(), e.spelling(), null, "email"));
        return Arbitraries.oneOf(formatted, national, random, email);
    }
}
