package org.purposefirewall.identity;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.net.IDN;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Turns an identifier in any common spelling into its canonical form and the match keys ad platforms would compute
 * for it.
 *
 * <p>Canonical forms (the first spelling of {@link MatchKeys}, the one forwarded):
 * <ul>
 *   <li>PHONE: E.164 ({@code +} and the digits of the international number), e.g. {@code +14155550100} for
 *       "+1 (415) 555-0100", "1.415.555.0100", "0014155550100" or the RFC 3966 URI "tel:+1-415-555-0100;ext=12".
 *       Separators, a leading {@code 00} international prefix and an extension ("x123", "ext. 123", ";ext=123") are
 *       dropped; digits of any script are read as their values. The digits are then parsed with Google's
 *       libphonenumber: a number with {@code +} (or {@code 00}) is international; one without is read in the
 *       {@link IdentityOptions#defaultRegion() default region} (and, as ad platforms write numbers with their country
 *       code but no {@code +}, also as international: that reading's keys are added, and it is the number if the
 *       national reading is impossible), or, with no default region, as international if it has 11 to 15 digits. The number must be possible (a country code and a length its
 *       numbering plan allows); it need not be assigned, so fictional and newly opened ranges still match each
 *       other.</li>
 *   <li>EMAIL: NFKC, trimmed, lower-cased; the domain in its ASCII (punycode) form, without the trailing dot of a
 *       fully qualified name; an RFC 6068 "mailto:" URI naming one address is that address. With
 *       {@link IdentityOptions#emailProviderCanonicalization()}, a gmail.com or googlemail.com address is forwarded
 *       without the dots of its local part and a {@code +tag}, as gmail.com.</li>
 *   <li>MOBILE_AD_ID: a lowercase canonical UUID (with or without dashes on input). The all-zero id means the device
 *       asked to limit ad tracking: {@link Normalization.Ok#limitAdTracking()}.</li>
 * </ul>
 *
 * <p>A raw identifier gets a key for every spelling ad platforms document for it and every form of
 * {@link IdentityOptions#hashForms()}, since a digest cannot be turned into another spelling's digest (see
 * {@link PlatformSpellings}): a phone number also without its {@code +}; an email address also without a
 * {@code +tag}, for Gmail also without the dots of its local part, and for an internationalized domain also with the
 * domain in Unicode; an ad id also in upper case.
 *
 * <p>Input that already is a digest of a normalized identifier (hex: SHA-256 64 digits, SHA-1 40, MD5 32, either
 * case; or a SHA-256 in base64, standard or URL-safe, padded or not, as UID2 writes it) is taken as the match key in
 * its form: a hash of a normalized identifier is that identifier to an ad platform. For MOBILE_AD_ID, 32 hex digits
 * are the ad id written without dashes (the two spellings cannot be told apart, and a raw ad id is far more common
 * than its MD5), forwarded as such; their MD5 reading is a further key, looked up and registered. Base64 is tried
 * only for input that is not an identifier of its kind, so no identifier's meaning changes by it.
 *
 * <p>{@link #of(IdentityOptions)} gives a normalizer for a configuration; the static
 * {@link #normalize(IdentifierKind, String)} is the one with no default region. Thread-safe; never throws for any
 * string.
 */
public final class IdentifierNormalizer {

    /** Longer input is rejected before any work, so hostile input cannot make normalization slow. */
    public static final int MAX_INPUT_LENGTH = 512;

    /** E.164 allows at most 15 digits, country code included. */
    private static final int MAX_E164_DIGITS = 15;

    /** Without a default region, a number of this many digits or more is read as international. */
    private static final int MIN_DIGITS_READ_AS_INTERNATIONAL = 11;

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    /** The mobile advertising id a device reports when it asks to limit ad tracking. */
    public static final String LIMIT_AD_TRACKING_AD_ID = "00000000-0000-0000-0000-000000000000";

    private static final MatchKeys LIMIT_AD_TRACKING_KEYS =
            MatchKeys.ofCanonical(LIMIT_AD_TRACKING_AD_ID, IdentityOptions.ALL_HASH_FORMS);

    private static final Configured NO_DEFAULT_REGION = new Configured(IdentityOptions.defaults());

    private IdentifierNormalizer() {
    }

    /** A normalizer that reads identifiers as {@code options} say. */
    public static Configured of(IdentityOptions options) {
        Objects.requireNonNull(options, "options");
        return options.equals(NO_DEFAULT_REGION.options()) ? NO_DEFAULT_REGION : new Configured(options);
    }

    /** Normalizes with no default region: phone numbers must carry their country code (or have 11 to 15 digits). */
    public static Normalization normalize(IdentifierKind kind, String input) {
        return NO_DEFAULT_REGION.normalize(kind, input);
    }

    /**
     * A normalizer bound to {@link IdentityOptions}. (A nested type because a Java class cannot hold a static and an
     * instance {@code normalize(IdentifierKind, String)} at once, and the static one is the no-region shortcut.)
     * Immutable and thread-safe; build one per configuration and share it.
     */
    public static final class Configured {

        private final IdentityOptions options;
        private final ParseCache phones;

        private Configured(IdentityOptions options) {
            this.options = options;
            this.phones = new ParseCache(options.phoneCacheEntries());
        }

        public IdentityOptions options() {
            return options;
        }

        /** The identifier's match keys, or a typed error. Never throws. */
        public Normalization normalize(IdentifierKind kind, String input) {
            if (kind == null) {
                return new Normalization.Invalid(IdentifierError.EMPTY_IDENTIFIER, "no identifier kind");
            }
            if (input == null) {
                return new Normalization.Invalid(IdentifierError.EMPTY_IDENTIFIER, "the identifier is empty");
            }
            if (input.length() > MAX_INPUT_LENGTH) {
                return new Normalization.Invalid(IdentifierError.TOO_LONG,
                        "the identifier is longer than " + MAX_INPUT_LENGTH + " characters");
            }
            String text = clean(input);
            if (text.isEmpty()) {
                return new Normalization.Invalid(IdentifierError.EMPTY_IDENTIFIER, "the identifier is empty");
            }
            HashForm form = HashForm.ofHex(text);
            // 32 hex digits of kind MOBILE_AD_ID are an ad id written without dashes, not an MD5.
            if (form != null && !(form == HashForm.MD5 && kind == IdentifierKind.MOBILE_AD_ID)) {
                return digest(kind, form, text.toLowerCase(Locale.ROOT));
            }
            Normalization raw = switch (kind) {
                case PHONE -> IdentifierUris.isTel(text) ? telUri(text) : phone(text);
                case EMAIL -> IdentifierUris.isMailto(text) ? mailtoUri(text) : email(text);
                case MOBILE_AD_ID -> mobileAdId(text, options.hashForms());
            };
            if (raw instanceof Normalization.Invalid) {
                // Only what is no identifier of its kind is read as base64, so base64 changes no identifier's meaning.
                String base64 = HashForm.sha256HexOfBase64(text);
                if (base64 != null) {
                    return digest(kind, HashForm.SHA256, base64);
                }
            }
            return raw;
        }

        private Normalization digest(IdentifierKind kind, HashForm form, String lowercaseHex) {
            if (!options.hashForms().contains(form)) {
                return new Normalization.Invalid(IdentifierError.UNSUPPORTED_HASH_FORM, "the identifier is a "
                        + form.algorithm() + " digest, a form the policy does not match in (match-hash-forms)");
            }
            return new Normalization.Ok(kind, MatchKeys.ofDigest(form, lowercaseHex),
                    kind == IdentifierKind.MOBILE_AD_ID && lowercaseHex.equals(LIMIT_AD_TRACKING_KEYS.get(form)));
        }

        private Normalization phone(String text) {
            return IdentifierNormalizer.phone(text, options.defaultRegion(), options.hashForms(), phones);
        }

        private Normalization email(String text) {
            return IdentifierNormalizer.email(text, options.emailProviderCanonicalization(), options.hashForms());
        }

        /**
         * An RFC 3966 URI: its global number ({@code tel:+1-415-555-0100}), or its local number with the
         * {@code phone-context} that names the country code ({@code tel:415-555-0100;phone-context=+1}); other
         * parameters ({@code ext}, {@code isub}) are dropped. A local number whose context is a domain is read like
         * any number without a country code.
         */
        private Normalization telUri(String text) {
            IdentifierUris.Tel tel = IdentifierUris.tel(text);
            if (tel == null) {
                return invalidPhone("the tel: URI is malformed (an invalid percent-encoding)");
            }
            String number = clean(tel.number());
            if (!number.startsWith("+") && tel.context() != null && tel.context().startsWith("+")) {
                number = tel.context() + " " + number;
            }
            return phone(number);
        }

        /**
         * An RFC 6068 URI naming exactly one address, in its path or its {@code to}, {@code cc} or {@code bcc}
         * header fields; other header fields ({@code subject}, {@code body}) are ignored. A URI naming several
         * addresses is not one identifier: it is invalid, so the record is dead-lettered rather than half-read.
         */
        private Normalization mailtoUri(String text) {
            List<String> addresses = IdentifierUris.mailtoAddresses(text);
            if (addresses == null) {
                return invalidEmail("the mailto: URI is malformed (an invalid percent-encoding)");
            }
            Normalization one = null;
            for (String address : addresses) {
                Normalization result = email(clean(address));
                if (result instanceof Normalization.Invalid) {
                    return result;
                }
                if (one != null && !((Normalization.Ok) one).keys().equals(((Normalization.Ok) result).keys())) {
                    return invalidEmail("the mailto: URI names more than one address; one identifier is one address");
                }
                one = result;
            }
            return one != null ? one : invalidEmail("the mailto: URI names no address");
        }
    }

    /**
     * {@code input} in NFKC, without invisible characters and trimmed. NFKC first: it folds no-break and other
     * compatibility spaces into plain ones, so blankness is judged on what the identifier means, not on how it was
     * typed.
     */
    static String clean(String input) {
        // ASCII is its own NFKC form and holds no format (Cf) character: most identifiers skip both copies.
        if (isAscii(input)) {
            return input.strip();
        }
        return withoutInvisibles(Normalizer.normalize(input, Normalizer.Form.NFKC)).strip();
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code text} without invisible format characters (Unicode category Cf: byte order mark, zero-width space and
     * joiners, soft hyphen, word joiner). They change no identifier's meaning but would change its digest; a BOM
     * often leads the first field of a CSV export.
     */
    private static String withoutInvisibles(String text) {
        int i = 0;
        while (i < text.length() && Character.getType(text.charAt(i)) != Character.FORMAT) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder visible = new StringBuilder(text.length());
        for (int j = 0; j < text.length(); j++) {
            char c = text.charAt(j);
            if (Character.getType(c) != Character.FORMAT) {
                visible.append(c);
            }
        }
        return visible.toString();
    }

    private static Normalization phone(String text, String defaultRegion, Set<HashForm> forms, ParseCache cache) {
        String withoutExtension = stripExtension(text);
        StringBuilder digits = new StringBuilder(16);
        boolean plus = false;
        for (int i = 0; i < withoutExtension.length(); i += Character.charCount(withoutExtension.codePointAt(i))) {
            int c = withoutExtension.codePointAt(i);
            int digit = Character.digit(c, 10);
            if (digit >= 0) {
                digits.append((char) ('0' + digit));
            } else if (c == '+') {
                if (plus || digits.length() > 0) {
                    return invalidPhone("a '+' may only lead the number");
                }
                plus = true;
            } else if (!isPhoneSeparator(c)) {
                return invalidPhone("a phone number holds digits and separators only");
            }
        }
        if (!plus && digits.length() > 2 && digits.charAt(0) == '0' && digits.charAt(1) == '0') {
            digits.delete(0, 2);
            plus = true;
        }
        if (digits.length() == 0) {
            return invalidPhone("a phone number holds digits");
        }
        boolean international = digits.length() <= MAX_E164_DIGITS;
        if (plus && !international) {
            return invalidPhone("an international phone number has at most " + MAX_E164_DIGITS + " digits");
        }
        if (!plus && defaultRegion == null
                && !(digits.length() >= MIN_DIGITS_READ_AS_INTERNATIONAL && international)) {
            return invalidPhone("a number without a country code ('+' or '00') needs a default region "
                    + "(identity.default-region), and none is set");
        }
        String region = plus || defaultRegion == null ? IdentityOptions.NO_REGION : defaultRegion;
        String cacheKey = region.equals(IdentityOptions.NO_REGION) ? region + "+" + digits : region + digits;
        Normalization cached = cache.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        Normalization result = readPhone(digits.toString(), region, forms);
        cache.put(cacheKey, result);
        return result;
    }

    /**
     * The keys of {@code digits} read in {@code region}'s plan, or as international for {@link IdentityOptions#NO_REGION}.
     * A number read in a region's plan is also read as international, since ad platforms write numbers as their
     * country code and number without the {@code +} ("4512345678" for +45 12 34 56 78): if both readings are
     * possible, the national one is the number and the international one's keys are added, so that it meets a
     * registration of either; if only the international one is, it is the number.
     */
    private static Normalization readPhone(String digits, String region, Set<HashForm> forms) {
        if (region.equals(IdentityOptions.NO_REGION)) {
            PhoneReading international = PhoneReading.of("+" + digits, IdentityOptions.NO_REGION);
            return international.e164() == null ? invalidPhone(international.problem())
                    : phoneKeys(List.of(international.e164()), forms);
        }
        PhoneReading national = PhoneReading.of(digits, region);
        PhoneReading international = digits.length() <= MAX_E164_DIGITS
                ? PhoneReading.of("+" + digits, IdentityOptions.NO_REGION) : PhoneReading.NONE;
        if (national.e164() != null) {
            return phoneKeys(international.e164() == null ? List.of(national.e164())
                    : List.of(national.e164(), international.e164()), forms);
        }
        if (international.e164() != null) {
            return phoneKeys(List.of(international.e164()), forms);
        }
        return invalidPhone(national.problem());
    }

    private static Normalization phoneKeys(List<String> numbers, Set<HashForm> forms) {
        return new Normalization.Ok(IdentifierKind.PHONE,
                MatchKeys.ofSpellings(PlatformSpellings.phone(numbers), forms), false);
    }

    /** One reading of a number: its E.164 form if it is possible, else why not. */
    private record PhoneReading(String e164, String problem) {

        static final PhoneReading NONE = new PhoneReading(null, "the number is too long");

        static PhoneReading of(String toParse, String region) {
            try {
                PhoneNumber number = PHONES.parse(toParse, region);
                PhoneNumberUtil.ValidationResult possible = PHONES.isPossibleNumberWithReason(number);
                if (possible != PhoneNumberUtil.ValidationResult.IS_POSSIBLE) {
                    return new PhoneReading(null, impossible(possible));
                }
                return new PhoneReading(PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.E164), null);
            } catch (NumberParseException e) {
                return new PhoneReading(null, unparsable(e.getErrorType()));
            } catch (RuntimeException e) {
                // The library's own failure is still this identifier's problem, never the caller's.
                return new PhoneReading(null, "the phone number could not be parsed");
            }
        }
    }

    private static String impossible(PhoneNumberUtil.ValidationResult result) {
        return switch (result) {
            case INVALID_COUNTRY_CODE -> "the country code does not exist";
            case TOO_SHORT -> "the number is too short for its country's numbering plan";
            case TOO_LONG -> "the number is too long for its country's numbering plan";
            case IS_POSSIBLE_LOCAL_ONLY -> "the number lacks its area code (it is only dialable locally)";
            default -> "the number has a length its country's numbering plan does not allow";
        };
    }

    private static String unparsable(NumberParseException.ErrorType type) {
        return switch (type) {
            case INVALID_COUNTRY_CODE -> "the country code does not exist";
            case TOO_SHORT_AFTER_IDD, TOO_SHORT_NSN -> "the number is too short";
            case TOO_LONG -> "the number is too long";
            default -> "not a phone number";
        };
    }

    private static final String[] EXTENSION_MARKERS = {";ext=", "ext.", "ext", "x", "#"};

    private static String stripExtension(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int cut = text.length();
        for (String marker : EXTENSION_MARKERS) {
            int at = lower.indexOf(marker);
            if (at > 0 && at < cut) {
                cut = at;
            }
        }
        return text.substring(0, cut);
    }

    private static boolean isPhoneSeparator(int c) {
        return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/'
                || Character.isWhitespace(c) || Character.isSpaceChar(c)
                || Character.getType(c) == Character.DASH_PUNCTUATION;
    }

    private static Normalization invalidPhone(String detail) {
        return new Normalization.Invalid(IdentifierError.INVALID_PHONE, detail);
    }

    private static Normalization email(String text, boolean providerCanonicalization, Set<HashForm> forms) {
        int at = text.lastIndexOf('@');
        if (at <= 0 || at == text.length() - 1 || text.indexOf('@') != at) {
            return invalidEmail("an email address has one '@' with text on both sides");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                return invalidEmail("an email address holds no white space or control characters");
            }
        }
        String local = text.substring(0, at).toLowerCase(Locale.ROOT);
        String domain;
        try {
            domain = IDN.toASCII(text.substring(at + 1), IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return invalidEmail("the domain is not a valid host name");
        }
        // A fully qualified name may end in the root's dot ("example.com."): the same domain.
        if (domain.length() > 1 && domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (domain.isEmpty() || domain.startsWith(".") || domain.endsWith(".") || domain.contains("..")) {
            return invalidEmail("the domain is not a valid host name");
        }
        String forwarded = null;
        if (providerCanonicalization && PlatformSpellings.isGmail(domain)) {
            String reduced = PlatformSpellings.withoutDots(PlatformSpellings.withoutPlusTag(local));
            if (reduced.isEmpty()) {
                return invalidEmail("the local part is empty once Gmail's dots and '+tag' are removed");
            }
            forwarded = reduced + "@" + PlatformSpellings.GMAIL;
        }
        String unicodeDomain;
        try {
            unicodeDomain = IDN.toUnicode(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            unicodeDomain = domain;
        }
        return new Normalization.Ok(IdentifierKind.EMAIL,
                MatchKeys.ofSpellings(PlatformSpellings.email(forwarded, local, domain, unicodeDomain), forms), false);
    }

    private static Normalization invalidEmail(String detail) {
        return new Normalization.Invalid(IdentifierError.INVALID_EMAIL, detail);
    }

    private static Normalization mobileAdId(String text, Set<HashForm> forms) {
        StringBuilder hex = new StringBuilder(32);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '-') {
                continue;
            }
            if (c > 'f' || Character.digit(c, 16) < 0) {
                return invalidAdId();
            }
            hex.append(Character.toLowerCase(c));
        }
        if (hex.length() != 32) {
            return invalidAdId();
        }
        boolean dashed = text.indexOf('-') >= 0;
        if (dashed && !(text.length() == 36 && text.charAt(8) == '-' && text.charAt(13) == '-'
                && text.charAt(18) == '-' && text.charAt(23) == '-')) {
            return invalidAdId();
        }
        String canonical = hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
        MatchKeys keys = MatchKeys.ofSpellings(PlatformSpellings.mobileAdId(canonical), forms);
        if (!dashed && forms.contains(HashForm.MD5)) {
            // 32 hex digits are read as the ad id without dashes, and may as well be the MD5 of an ad id (TikTok
            // takes MD5-hashed ad ids): that reading's key is looked up and registered too, never forwarded.
            keys = keys.plus(new MatchKeys.Key(HashForm.MD5, hex.toString()));
        }
        return new Normalization.Ok(IdentifierKind.MOBILE_AD_ID, keys, canonical.equals(LIMIT_AD_TRACKING_AD_ID));
    }

    private static Normalization invalidAdId() {
        return new Normalization.Invalid(IdentifierError.INVALID_MOBILE_AD_ID,
                "a mobile advertising id is a UUID (32 hex digits, optionally 8-4-4-4-12 with dashes)");
    }
}
