package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Robustness and formatting invariance of {@link IdentifierNormalizer}: it never throws, never echoes its input in
 * an error, and gives one match key for every spelling of one identifier.
 */
class IdentifierNormalizerProperties {

    /** Zeros of digit scripts that NFKC folds (full-width) or that {@link Character#digit} reads (the others). */
    private static final List<Integer> DIGIT_ZEROS = List.of(
            (int) '0', 0xFF10 /* full-width */, 0x0660 /* Arabic-Indic */, 0x06F0 /* Extended Arabic-Indic */,
            0x0966 /* Devanagari */, 0x09E6 /* Bengali */, 0x0E50 /* Thai */);

    private static final List<String> SEPARATORS = List.of(
            "", "", "", " ", "  ", "-", ".", "/", "(", ")", " (", ") ", "\t", "\u00A0", "\u2013", "\u2011", "\u3000");

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    /** Every region with a numbering plan, in a stable order so that seeds reproduce. */
    private static final List<String> REGIONS = List.copyOf(new TreeSet<>(PHONES.getSupportedRegions()));

    /** Regions whose national spelling is checked: large plans with trunk prefixes, area codes and mobile ranges. */
    private static final List<String> NATIONAL_REGIONS =
            List.of("US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "IN", "JP", "AU", "BR", "MX", "ZA", "CH", "AT");

    private static final List<PhoneNumberUtil.PhoneNumberType> NUMBER_TYPES = List.of(
            PhoneNumberUtil.PhoneNumberType.FIXED_LINE, PhoneNumberUtil.PhoneNumberType.MOBILE,
            PhoneNumberUtil.PhoneNumberType.TOLL_FREE, PhoneNumberUtil.PhoneNumberType.VOIP);

    private static final List<String> PADDING = List.of("", " ", "  ", "\t", "\n", " \r\n", "\u3000", "\u00A0");

    // ---- never throws, never echoes ---------------------------------------------------------------------------

    @Property(tries = 3000)
    void normalizeNeverThrowsAndNeverEchoesItsInput(@ForAll("anyStrings") String input,
                                                    @ForAll IdentifierKind kind) {
        Normalization result = IdentifierNormalizer.normalize(kind, input);
        Statistics.collect(result.getClass().getSimpleName(),
                result instanceof Normalization.Invalid invalid ? invalid.error() : kind);

        assertThat(result).isNotNull();
        if (result instanceof Normalization.Ok ok) {
            assertThat(ok.kind()).isEqualTo(kind);
            assertThat(ok.sha256Hex()).matches("[0-9a-f]{64}");
        } else if (result instanceof Normalization.Invalid invalid) {
            assertThat(invalid.detail()).isNotBlank();
            if (input.length() >= 4) {
                assertThat(invalid.detail()).doesNotContain(input);
            }
            if (input.length() > IdentifierNormalizer.MAX_INPUT_LENGTH) {
                assertThat(invalid.error()).isEqualTo(IdentifierError.TOO_LONG);
            }
        } else {
            throw new AssertionError("neither Ok nor Invalid: " + result);
        }
    }

    @Property(tries = 3000)
    void identifierShapedInputNeverThrowsEither(@ForAll("identifierShapedStrings") String input,
                                                @ForAll IdentifierKind kind) {
        Normalization result = IdentifierNormalizer.normalize(kind, input);
        Statistics.collect(kind, result.getClass().getSimpleName());

        assertThat(result).isInstanceOfAny(Normalization.Ok.class, Normalization.Invalid.class);
        if (result instanceof Normalization.Invalid invalid && input.length() >= 4) {
            assertThat(invalid.detail()).doesNotContain(input);
        }
        if (result instanceof Normalization.Ok ok) {
            assertThat(ok.sha256Hex()).matches("[0-9a-f]{64}");
        }
        Statistics.coverage(c -> c.check(IdentifierKind.EMAIL, "Ok").count(n -> n > 0));
    }

    // ---- one key per identifier -------------------------------------------------------------------------------

    @Property(tries = 2000)
    void everySpellingOfAPhoneNumberGivesTheKeyOfItsE164Form(@ForAll("phoneSpellings") PhoneSpelling phone) {
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.PHONE, phone.spelling());

        assertThat(result).isEqualTo(
                new Normalization.Ok(IdentifierKind.PHONE, Sha256.hex("+" + phone.digits()), false, false));
    }

    @Property(tries = 1000)
    void aNationalSpellingInItsDefaultRegionGivesTheKeyOfItsE164Form(
            @ForAll("nationalSpellings") NationalSpelling phone) {
        Normalization result = IdentifierNormalizer.of(new IdentityOptions(phone.region()))
                .normalize(IdentifierKind.PHONE, phone.spelling());

        assertThat(result).isEqualTo(
                new Normalization.Ok(IdentifierKind.PHONE, Sha256.hex("+" + phone.digits()), false, false));
    }

    @Property(tries = 2000)
    void everySpellingOfAnEmailAddressGivesTheKeyOfItsLowercaseForm(@ForAll("emailSpellings") EmailSpelling email) {
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.EMAIL, email.spelling());

        assertThat(result)
                .isEqualTo(new Normalization.Ok(IdentifierKind.EMAIL, Sha256.hex(email.canonical()), false, false));
    }

    @Property(tries = 1000)
    void everySpellingOfAMobileAdIdGivesOneKey(@ForAll("hex32") String hex,
                                               @ForAll("caseMasks") List<Boolean> upper,
                                               @ForAll boolean dashed) {
        String canonical = hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
        String spelling = randomCase(dashed ? canonical : hex, upper);

        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, spelling);

        assertThat(result).isEqualTo(new Normalization.Ok(IdentifierKind.MOBILE_AD_ID, Sha256.hex(canonical), false,
                canonical.equals(IdentifierNormalizer.LIMIT_AD_TRACKING_AD_ID)));
    }

    @Property(tries = 1000)
    void aDigestInAnyCaseIsTakenAsTheMatchKeyForEveryKind(@ForAll String anything,
                                                          @ForAll("caseMasks") List<Boolean> upper,
                                                          @ForAll("padding") String pad,
                                                          @ForAll IdentifierKind kind) {
        String digest = Sha256.hex(anything);

        Normalization result = IdentifierNormalizer.normalize(kind, pad + randomCase(digest, upper) + pad);

        assertThat(result).isEqualTo(new Normalization.Ok(kind, digest, true, false));
    }

    // ---- generators -------------------------------------------------------------------------------------------

    record PhoneSpelling(String digits, String spelling) {
    }

    record NationalSpelling(String region, String digits, String spelling) {
    }

    record EmailSpelling(String canonical, String spelling) {
    }

    @Provide
    Arbitrary<String> anyStrings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().all().ofMaxLength(600),
                Arbitraries.strings().all().ofMinLength(500).ofMaxLength(10_000),
                mixedScripts().ofMaxLength(80),
                mixedScripts().ofMinLength(480).ofMaxLength(10_000));
    }

    @Provide
    Arbitrary<String> identifierShapedStrings() {
        Arbitrary<String> local = Arbitraries.strings().withCharRange('a', 'z').withChars("._+-ÄäÖöß")
                .withCharRange('\u0400', '\u04FF').withCharRange('\u0300', '\u036F').ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').withChars("-üéñ\u200B\u00AD")
                .withCharRange('\u4E00', '\u4E20').withCharRange('\u0600', '\u0620').withChars("。．｡")
                .ofMinLength(0).ofMaxLength(70);
        Arbitrary<String> email = Combinators.combine(local, label.list().ofMinSize(1).ofMaxSize(4))
                .as((l, labels) -> l + "@" + String.join(".", labels));
        Arbitrary<String> phoneish = Arbitraries.strings().numeric().withChars("+()-. x#;=ext\u00A0٠١٢٣٤٥٦٧٨٩０１２")
                .ofMinLength(1).ofMaxLength(30);
        Arbitrary<String> uuidish = Arbitraries.strings().withChars("0123456789abcdefABCDEF-{}g ")
                .ofMinLength(30).ofMaxLength(40);
        return Arbitraries.oneOf(email, phoneish, uuidish, mixedScripts().ofMaxLength(70));
    }

    private static net.jqwik.api.arbitraries.StringArbitrary mixedScripts() {
        return Arbitraries.strings()
                .withCharRange('a', 'z').withCharRange('A', 'Z').withCharRange('0', '9')
                .withCharRange('\u0000', '\u001F') // control characters
                .withCharRange('\u0400', '\u04FF') // Cyrillic
                .withCharRange('\u0600', '\u06FF') // Arabic, with its digits
                .withCharRange('\u0300', '\u036F') // combining marks
                .withCharRange('\u4E00', '\u4FFF') // CJK
                .withCharRange('\uFF00', '\uFFEF') // full-width and half-width forms
                .withCharRange('\uD800', '\uDFFF') // surrogates, paired or not
                .withCharRange('\uFDF0', '\uFDFF') // ligatures that NFKC expands many-fold
                .withChars("@+-.()#;=_ \t\u00A0\u200B\u2028\u3000\uFEFF");
    }

    /**
     * Real phone numbers: the example number of a random type for a random region libphonenumber supports, with its
     * subscriber digits (the last few) replaced at random where the result stays a possible number in canonical
     * form. {@code digits} is the E.164 form without its {@code +}.
     */
    @Provide
    Arbitrary<String> e164Digits() {
        Arbitrary<String> region = Arbitraries.of(REGIONS);
        Arbitrary<PhoneNumberUtil.PhoneNumberType> type = Arbitraries.of(NUMBER_TYPES);
        Arbitrary<List<Integer>> subscriber = Arbitraries.integers().between(0, 9).list().ofSize(6);
        Arbitrary<Integer> replaced = Arbitraries.integers().between(0, 6);
        return Combinators.combine(region, type, subscriber, replaced).as(IdentifierNormalizerProperties::realNumber);
    }

    private static String realNumber(String region, PhoneNumberUtil.PhoneNumberType type, List<Integer> subscriber,
                                     int replaced) {
        Phonenumber.PhoneNumber example = PHONES.getExampleNumberForType(region, type);
        if (example == null) {
            example = PHONES.getExampleNumber(region);
        }
        String exampleDigits = PHONES.format(example, PhoneNumberUtil.PhoneNumberFormat.E164).substring(1);
        String cc = String.valueOf(example.getCountryCode());
        String nsn = PHONES.getNationalSignificantNumber(example);
        int keep = Math.max(1, nsn.length() - replaced);
        StringBuilder candidate = new StringBuilder(cc).append(nsn, 0, keep);
        for (int i = keep; i < nsn.length(); i++) {
            candidate.append(subscriber.get(i - keep));
        }
        try {
            Phonenumber.PhoneNumber parsed = PHONES.parse("+" + candidate, "ZZ");
            if (PHONES.isPossibleNumberWithReason(parsed) == PhoneNumberUtil.ValidationResult.IS_POSSIBLE
                    && PHONES.format(parsed, PhoneNumberUtil.PhoneNumberFormat.E164).equals("+" + candidate)) {
                return candidate.toString();
            }
        } catch (NumberParseException e) {
            // fall back to the example itself
        }
        return exampleDigits;
    }

    @Provide
    Arbitrary<PhoneSpelling> phoneSpellings() {
        Arbitrary<List<String>> separators = Arbitraries.of(SEPARATORS).list().ofSize(16);
        Arbitrary<String> prefix = Arbitraries.of("+", "00", "", "+ ", "+(", "00 ", "0 0-");
        Arbitrary<Integer> zero = Arbitraries.of(DIGIT_ZEROS);
        Arbitrary<String> extension = Arbitraries.of("", "", " ext. 99", " ext 4", " x7", "x12", ";ext=123", " #5");
        Arbitrary<String> pad = padding();
        return Combinators.combine(e164Digits(), separators, prefix, zero, extension, pad)
                .as((digits, seps, chosen, z, ext, p) -> {
                    // Without '+' or '00' and without a default region, only 11 to 15 digits read as international.
                    String pre = chosen.isEmpty() && digits.length() < 11 ? "+" : chosen;
                    StringBuilder spelling = new StringBuilder(p).append(pre);
                    for (int i = 0; i < digits.length(); i++) {
                        if (i > 0) {
                            spelling.append(seps.get(i));
                        }
                        spelling.appendCodePoint(z + (digits.charAt(i) - '0'));
                    }
                    spelling.append(ext).append(p);
                    return new PhoneSpelling(digits, spelling.toString());
                });
    }

    /** A real number written the way its own region writes it nationally, digits in a random script. */
    @Provide
    Arbitrary<NationalSpelling> nationalSpellings() {
        Arbitrary<String> region = Arbitraries.of(NATIONAL_REGIONS);
        Arbitrary<PhoneNumberUtil.PhoneNumberType> type = Arbitraries.of(NUMBER_TYPES);
        Arbitrary<List<Integer>> subscriber = Arbitraries.integers().between(0, 9).list().ofSize(6);
        Arbitrary<Integer> replaced = Arbitraries.integers().between(0, 4);
        Arbitrary<Integer> zero = Arbitraries.of(DIGIT_ZEROS);
        return Combinators.combine(region, type, subscriber, replaced, zero, padding())
                .as((r, t, sub, n, z, p) -> {
                    String digits = realNumber(r, t, sub, n);
                    Phonenumber.PhoneNumber number;
                    try {
                        number = PHONES.parse("+" + digits, "ZZ");
                    } catch (NumberParseException e) {
                        throw new IllegalStateException("a generated number must parse", e);
                    }
                    String national = PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.NATIONAL);
                    StringBuilder spelling = new StringBuilder(p);
                    national.codePoints().forEach(c -> spelling.appendCodePoint(
                            c >= '0' && c <= '9' ? z + (c - '0') : c));
                    // The number was drawn from region r's plan, so r reads its national form.
                    return new NationalSpelling(r, digits, spelling.append(p).toString());
                });
    }

    @Provide
    Arbitrary<EmailSpelling> emailSpellings() {
        Arbitrary<String> local = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
                .withChars("._+-%'").ofMinLength(1).ofMaxLength(30);
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
                .ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> tld = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(2).ofMaxLength(6);
        Arbitrary<String> domain = Combinators.combine(label.list().ofMinSize(1).ofMaxSize(3), tld)
                .as((labels, t) -> String.join(".", labels) + "." + t);
        return Combinators.combine(local, domain, caseMasks(), padding(), padding())
                .as((l, d, upper, before, after) -> {
                    String canonical = l + "@" + d;
                    return new EmailSpelling(canonical, before + randomCase(canonical, upper) + after);
                });
    }

    @Provide
    Arbitrary<String> hex32() {
        return Arbitraries.strings().withChars("0123456789abcdef").ofLength(32);
    }

    @Provide
    Arbitrary<List<Boolean>> caseMasks() {
        return Arbitraries.of(true, false).list().ofSize(64);
    }

    @Provide
    Arbitrary<String> padding() {
        return Arbitraries.of(PADDING);
    }

    private static String randomCase(String text, List<Boolean> upper) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            String c = String.valueOf(text.charAt(i));
            out.append(upper.get(i % upper.size()) ? c.toUpperCase(Locale.ROOT) : c);
        }
        return out.toString();
    }
}
