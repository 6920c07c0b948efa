package org.purposefirewall.identity;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.arbitraries.StringArbitrary;

/** Generators of identifiers and their spellings, shared by the identity package's properties. */
final class IdentifierArbitraries {

    /** Zeros of digit scripts that NFKC folds (full-width) or that {@link Character#digit} reads (the others). */
    static final List<Integer> DIGIT_ZEROS = List.of(
            (int) '0', 0xFF10 /* full-width */, 0x0660 /* Arabic-Indic */, 0x06F0 /* Extended Arabic-Indic */,
            0x0966 /* Devanagari */, 0x09E6 /* Bengali */, 0x0E50 /* Thai */);

    static final List<String> SEPARATORS = List.of(
            "", "", "", " ", "  ", "-", ".", "/", "(", ")", " (", ") ", "\t", "\u00A0", "\u2013", "\u2011", "\u3000");

    static final List<String> EXTENSIONS = List.of("", "", " ext. 99", " ext 4", " x7", "x12", ";ext=123", " #5");

    static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    /** Every region with a numbering plan, in a stable order so that seeds reproduce. */
    static final List<String> REGIONS = List.copyOf(new TreeSet<>(PHONES.getSupportedRegions()));

    /** Regions whose national spelling is checked: large plans with trunk prefixes, area codes and mobile ranges. */
    static final List<String> NATIONAL_REGIONS =
            List.of("US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "IN", "JP", "AU", "BR", "MX", "ZA", "CH", "AT");

    static final List<PhoneNumberUtil.PhoneNumberType> NUMBER_TYPES = List.of(
            PhoneNumberUtil.PhoneNumberType.FIXED_LINE, PhoneNumberUtil.PhoneNumberType.MOBILE,
            PhoneNumberUtil.PhoneNumberType.TOLL_FREE, PhoneNumberUtil.PhoneNumberType.VOIP);

    static final List<String> PADDING = List.of("", " ", "  ", "\t", "\n", " \r\n", "\u3000", "\u00A0");

    /** Characters besides letters and digits drawn into generated email local parts. */
    static final String EMAIL_LOCAL_SPECIALS = "._+-%'";

    private IdentifierArbitraries() {
    }

    /**
     * A phone number written some way.
     *
     * @param digits the E.164 form without its {@code +}
     * @param spelling how it is written
     */
    record PhoneSpelling(String digits, String spelling) {
    }

    /**
     * A phone number written the way its own region writes it nationally.
     *
     * @param region the region whose plan reads {@code spelling}
     */
    record NationalSpelling(String region, String digits, String spelling) {
    }

    /** An email address written some way, and its canonical (trimmed, lower-cased) form. */
    record EmailSpelling(String canonical, String spelling) {
    }

    static Arbitrary<String> anyStrings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().all().ofMaxLength(600),
                Arbitraries.strings().all().ofMinLength(500).ofMaxLength(10_000),
                mixedScripts().ofMaxLength(80),
                mixedScripts().ofMinLength(480).ofMaxLength(10_000));
    }

    static Arbitrary<String> identifierShapedStrings() {
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

    static StringArbitrary mixedScripts() {
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
     * form. Each is the E.164 form without its {@code +}.
     */
    static Arbitrary<String> e164Digits() {
        return e164Digits(REGIONS, 6);
    }

    private static Arbitrary<String> e164Digits(List<String> regions, int maxReplaced) {
        Arbitrary<String> region = Arbitraries.of(regions);
        Arbitrary<PhoneNumberUtil.PhoneNumberType> type = Arbitraries.of(NUMBER_TYPES);
        Arbitrary<List<Integer>> subscriber = Arbitraries.integers().between(0, 9).list().ofSize(6);
        Arbitrary<Integer> replaced = Arbitraries.integers().between(0, maxReplaced);
        return Combinators.combine(region, type, subscriber, replaced).as(IdentifierArbitraries::realNumber);
    }

    static String realNumber(String region, PhoneNumberUtil.PhoneNumberType type, List<Integer> subscriber,
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

    /** Real numbers with separators, an international prefix, an extension and padding at random. */
    static Arbitrary<PhoneSpelling> phoneSpellings() {
        return phoneSpellings(SEPARATORS, padding());
    }

    static Arbitrary<PhoneSpelling> phoneSpellings(List<String> separatorChoices, Arbitrary<String> pad) {
        Arbitrary<List<String>> separators = Arbitraries.of(separatorChoices).list().ofSize(16);
        Arbitrary<String> prefix = Arbitraries.of("+", "00", "", "+ ", "+(", "00 ", "0 0-");
        Arbitrary<Integer> zero = Arbitraries.of(DIGIT_ZEROS);
        Arbitrary<String> extension = Arbitraries.of(EXTENSIONS);
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

    /** How libphonenumber (and people) lay out an international number. */
    enum Layout {
        E164, INTERNATIONAL, DOTTED, SPACED, DASHED, INTERNATIONAL_WITH_EXTENSION, DOUBLE_ZERO
    }

    /** Real numbers in a layout libphonenumber produces (or a common variant of it), digits in a random script. */
    static Arbitrary<PhoneSpelling> formattedPhones() {
        Arbitrary<Layout> layout = Arbitraries.of(Layout.class);
        Arbitrary<Integer> zero = Arbitraries.of(DIGIT_ZEROS);
        Arbitrary<String> extension = Arbitraries.of(" ext. 99", " x7", ";ext=123", " #5");
        return Combinators.combine(e164Digits(), layout, zero, extension)
                .as((digits, how, z, ext) -> {
                    String international = PHONES.format(parse(digits), PhoneNumberUtil.PhoneNumberFormat.INTERNATIONAL);
                    String laidOut = switch (how) {
                        case E164 -> "+" + digits;
                        case INTERNATIONAL -> international;
                        case DOTTED -> international.replaceAll("[ \\-]", ".");
                        case SPACED -> international.replaceAll("[\\-]", " ");
                        case DASHED -> international.replaceAll(" ", "-");
                        case INTERNATIONAL_WITH_EXTENSION -> international + ext;
                        case DOUBLE_ZERO -> "00 " + international.substring(1);
                    };
                    return new PhoneSpelling(digits, inScript(laidOut, z));
                });
    }

    /** A real number written the way its own region writes it nationally, digits in a random script. */
    static Arbitrary<NationalSpelling> nationalSpellings() {
        return nationalSpellings(padding());
    }

    static Arbitrary<NationalSpelling> nationalSpellings(Arbitrary<String> pad) {
        Arbitrary<String> region = Arbitraries.of(NATIONAL_REGIONS);
        Arbitrary<PhoneNumberUtil.PhoneNumberType> type = Arbitraries.of(NUMBER_TYPES);
        Arbitrary<List<Integer>> subscriber = Arbitraries.integers().between(0, 9).list().ofSize(6);
        Arbitrary<Integer> replaced = Arbitraries.integers().between(0, 4);
        Arbitrary<Integer> zero = Arbitraries.of(DIGIT_ZEROS);
        return Combinators.combine(region, type, subscriber, replaced, zero, pad)
                .as((r, t, sub, n, z, p) -> {
                    String digits = realNumber(r, t, sub, n);
                    String national = PHONES.format(parse(digits), PhoneNumberUtil.PhoneNumberFormat.NATIONAL);
                    // The number was drawn from region r's plan, so r reads its national form.
                    return new NationalSpelling(r, digits, p + inScript(national, z) + p);
                });
    }

    static Arbitrary<EmailSpelling> emailSpellings() {
        return emailSpellings(EMAIL_LOCAL_SPECIALS, padding());
    }

    static Arbitrary<EmailSpelling> emailSpellings(String localSpecials, Arbitrary<String> pad) {
        Arbitrary<String> local = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
                .withChars(localSpecials).ofMinLength(1).ofMaxLength(30);
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
                .ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> tld = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(2).ofMaxLength(6);
        Arbitrary<String> domain = Combinators.combine(label.list().ofMinSize(1).ofMaxSize(3), tld)
                .as((labels, t) -> String.join(".", labels) + "." + t);
        return Combinators.combine(local, domain, caseMasks(), pad, pad)
                .as((l, d, upper, before, after) -> {
                    String canonical = l + "@" + d;
                    return new EmailSpelling(canonical, before + randomCase(canonical, upper) + after);
                });
    }

    /** Internationalized domains, in Unicode: each is also generated in its ASCII (punycode) form. */
    static final List<String> IDN_DOMAINS = List.of("bücher.de", "例え.テスト", "пример.рф", "münchen.example",
            "δοκιμή.gr");

    /**
     * Addresses of the kinds ad platforms treat specially: Gmail and googlemail.com addresses with dots and
     * {@code +tags}, other domains with tags, internationalized domains (in Unicode or punycode), written in random
     * case, padded, maybe with the trailing dot of a fully qualified domain or as a {@code mailto:} URI. The
     * canonical form is lower case with the domain in ASCII.
     */
    static Arbitrary<EmailSpelling> platformEmails() {
        Arbitrary<String> word = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
                .ofMinLength(1).ofMaxLength(8);
        Arbitrary<String> dotted = word.list().ofMinSize(1).ofMaxSize(3).map(w -> String.join(".", w));
        Arbitrary<String> tag = Arbitraries.oneOf(Arbitraries.just(""), word.map(w -> "+" + w),
                word.list().ofMinSize(2).ofMaxSize(2).map(w -> "+" + w.get(0) + "+" + w.get(1)));
        Arbitrary<String> domain = Arbitraries.oneOf(
                Arbitraries.of("gmail.com", "googlemail.com", "example.com", "mail.example.org"),
                Arbitraries.of(IDN_DOMAINS));
        Arbitrary<String> dress = Arbitraries.of("plain", "plain", "unicode", "punycode", "trailing dot", "mailto");
        return Combinators.combine(dotted, tag, domain, dress, caseMasks(), padding())
                .as((local, t, d, how, upper, pad) -> {
                    String ascii = java.net.IDN.toASCII(d);
                    String canonical = local + t + "@" + ascii;
                    String written = switch (how) {
                        case "unicode" -> local + t + "@" + d;
                        case "punycode" -> local + t + "@" + ascii;
                        case "trailing dot" -> local + t + "@" + d + ".";
                        case "mailto" -> "mailto:" + local + t + "@" + d + "?subject=Hello";
                        default -> canonical;
                    };
                    // Only ASCII is cased: a Unicode domain's case is IDNA's business, tested elsewhere
                    return new EmailSpelling(canonical, pad + randomAsciiCase(written, upper) + pad);
                });
    }

    static String randomAsciiCase(String text, List<Boolean> upper) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c < 0x80 && upper.get(i % upper.size()) ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }

    static Arbitrary<String> hex32() {
        return Arbitraries.strings().withChars("0123456789abcdef").ofLength(32);
    }

    static Arbitrary<List<Boolean>> caseMasks() {
        return Arbitraries.of(true, false).list().ofSize(64);
    }

    static Arbitrary<String> padding() {
        return Arbitraries.of(PADDING);
    }

    static String randomCase(String text, List<Boolean> upper) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            String c = String.valueOf(text.charAt(i));
            out.append(upper.get(i % upper.size()) ? c.toUpperCase(Locale.ROOT) : c);
        }
        return out.toString();
    }

    /** {@code text} with its ASCII digits written in the script whose zero is {@code zero}. */
    static String inScript(String text, int zero) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(c >= '0' && c <= '9' ? zero + (c - '0') : c));
        return out.toString();
    }

    /** {@code text} with every printable ASCII character replaced by its full-width form, which NFKC folds back. */
    static String fullWidth(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.chars().forEach(c -> out.append(c > ' ' && c < 0x7F ? (char) (c - 0x21 + 0xFF01) : (char) c));
        return out.toString();
    }

    static Phonenumber.PhoneNumber parse(String e164Digits) {
        try {
            return PHONES.parse("+" + e164Digits, "ZZ");
        } catch (NumberParseException e) {
            throw new IllegalStateException("a generated number must parse", e);
        }
    }
}
