package org.purposefirewall.identity;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds every identifier a piece of free text may hold, for the tripwire: a phone number, email address, mobile
 * advertising id or digest written anywhere in a field ("call +1 415 555 0100 after 5", "mailto:Jane@Example.com",
 * "tel:415-555-0100;phone-context=+1", a SHA-1 in a URL, a UID2-style base64 SHA-256 after {@code hem=}), not only a
 * field that is exactly one identifier.
 *
 * <p>Over-reading is cheap and under-reading is a leak, so candidates are generous: every window of consecutive
 * digit groups that could be a phone number (7 to 17 digits, the two of a {@code 00} prefix included) is tried, a
 * window without {@code +} also as international (ad platforms write "4512345678" for +45 12 34 56 78), and a
 * 32-digit hex run is tried both as an MD5 and as an ad id without dashes. Text with percent-encoding
 * ({@code jane%40example.com}, {@code %2B} in a base64 digest) is also read decoded. A false candidate costs one
 * lookup per key; it can only match if it is the registered identifier. Each candidate goes through the same
 * {@link IdentifierNormalizer.Configured} as registrations, so it gets the same keys.
 *
 * <p>The work per text is bounded: at most {@link #MAX_SCANNED_LENGTH} characters, {@link #MAX_PHONE_WINDOWS}
 * phone windows and {@link #MAX_EMAIL_TAILS} address tails, so it is linear in the text's length. Text beyond any
 * of them is reported as {@link Scan#complete() incomplete}, never silently skipped, so the caller can fail closed. Thread-safe; never throws for any input.
 */
public final class IdentifierCandidates {

    /** Longest text scanned, in characters. */
    public static final int MAX_SCANNED_LENGTH = 1 << 20;
    /** Most phone-number windows tried per text. */
    public static final int MAX_PHONE_WINDOWS = 4_096;
    /** Most tails of an address's local part (after '=', '/', ':' and the like) tried per text. */
    public static final int MAX_EMAIL_TAILS = 4_096;

    private static final int MIN_PHONE_DIGITS = 7;
    private static final int MAX_PHONE_DIGITS = 17;

    private static final Pattern HEX_DIGEST = Pattern.compile(
            "(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{32})(?![0-9A-Za-z])");
    private static final Pattern DASHED_UUID = Pattern.compile(
            "(?<![0-9A-Za-z-])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
                    + "(?![0-9A-Za-z-])");

    private IdentifierCandidates() {
    }

    /**
     * The outcome of scanning one text.
     *
     * @param candidates the identifiers found, each once (by its forwarded key), in order of first appearance
     * @param complete false if the text was too long or held too many phone-like runs to be read entirely
     */
    public record Scan(List<Normalization.Ok> candidates, boolean complete) {
        public Scan {
            candidates = List.copyOf(Objects.requireNonNull(candidates, "candidates"));
        }
    }

    /** Every identifier {@code text} may hold. */
    public static Scan find(IdentifierNormalizer.Configured normalizer, CharSequence text) {
        Objects.requireNonNull(normalizer, "normalizer");
        if (text == null || text.length() == 0) {
            return new Scan(List.of(), true);
        }
        boolean complete = text.length() <= MAX_SCANNED_LENGTH;
        String s = text.length() <= MAX_SCANNED_LENGTH ? text.toString()
                : text.subSequence(0, MAX_SCANNED_LENGTH).toString();
        if (!isAscii(s)) {
            // Fold full-width '@', digits and the like into ASCII, as the normalizer does for one identifier.
            s = Normalizer.normalize(s, Normalizer.Form.NFKC);
        }
        if (s.length() > MAX_SCANNED_LENGTH) {
            // NFKC can expand a character many times over (U+FDFA: 18 characters); the bound holds after it too.
            s = s.substring(0, MAX_SCANNED_LENGTH);
            complete = false;
        }
        Map<String, Normalization.Ok> found = new LinkedHashMap<>();
        complete &= emails(normalizer, s, found);
        digests(normalizer, s, found);
        telUris(normalizer, s, found);
        if (s.indexOf('%') >= 0) {
            // URLs percent-encode '@', '+', '/' and '=': read the decoded text too (it is never longer).
            String decoded = IdentifierUris.percentDecode(s, false);
            if (!decoded.equals(s)) {
                emails(normalizer, decoded, found);
                digests(normalizer, decoded, found);
                telUris(normalizer, decoded, found);
            }
        }
        complete &= phones(normalizer, asciiDigits(s), found);
        return new Scan(new ArrayList<>(found.values()), complete);
    }

    /**
     * Every address around each '@'. The domain is the run of letters, digits, dots and hyphens after it (so URL
     * punctuation ends it); the local part is the run of RFC 5322 characters before it, and, since a key or a URL
     * often runs into an address ("email=jane@...", ".../users/jane@..."), also each tail of that run after a
     * character that rarely starts a local part. Extra candidates cost a lookup each; a missed one is a leak.
     * At most {@link #MAX_EMAIL_TAILS} such tails per text, each at most the normalizer's input length.
     *
     * @return false if it had to stop early
     */
    private static boolean emails(IdentifierNormalizer.Configured normalizer, String s,
                                  Map<String, Normalization.Ok> out) {
        int tails = 0;
        int at = s.indexOf('@');
        while (at >= 0) {
            int end = at + 1;
            while (end < s.length() && isDomainChar(s.charAt(end))) {
                end++;
            }
            // Sentence punctuation after an address is not part of it.
            while (end > at + 1 && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == '-')) {
                end--;
            }
            int start = at;
            while (start > 0 && isLocalChar(s.charAt(start - 1))) {
                start--;
            }
            if (end > at + 1 && start < at) {
                String domain = s.substring(at, end);
                add(out, normalizer.normalize(IdentifierKind.EMAIL, s.substring(start, at) + domain));
                // Only tails the normalizer can read (longer ones are TOO_LONG): every tail of a long run was
                // quadratic in its length (a 200,000-character run took minutes).
                int from = Math.max(start, at - 1 - IdentifierNormalizer.MAX_INPUT_LENGTH);
                for (int i = from; i < at - 1; i++) {
                    if (LOCAL_PART_BOUNDARIES.indexOf(s.charAt(i)) >= 0) {
                        if (++tails > MAX_EMAIL_TAILS) {
                            return false;
                        }
                        add(out, normalizer.normalize(IdentifierKind.EMAIL, s.substring(i + 1, at) + domain));
                    }
                }
            }
            at = s.indexOf('@', at + 1);
        }
        return true;
    }

    /** Characters after which a local part may start inside a longer run: keys, paths, queries, quotes. */
    private static final String LOCAL_PART_BOUNDARIES = "=/?&:'`{}|!#$%^*~";

    /** RFC 5322 atext and dots, plus non-ASCII letters and digits (internationalized addresses). */
    private static boolean isLocalChar(char c) {
        if (c < 0x80) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-/=?^_`{|}~.".indexOf(c) >= 0;
        }
        return Character.isLetterOrDigit(c) || Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT;
    }

    /** Host name characters, plus non-ASCII letters and digits (internationalized domains) and invisible ones. */
    private static boolean isDomainChar(char c) {
        if (c < 0x80) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
        }
        return Character.isLetterOrDigit(c) || Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT
                || Character.getType(c) == Character.NON_SPACING_MARK || Character.getType(c) == Character.COMBINING_SPACING_MARK;
    }

    private static void digests(IdentifierNormalizer.Configured normalizer, String s, Map<String, Normalization.Ok> out) {
        // The regexes run only where they can match: most fields (campaign names, sources) hold no run of 32 hex
        // digits, and every text of every record is scanned, so skipping the matcher there is most of their cost.
        if (hasRun(s, HashForm.MD5.hexLength(), false)) {
            Matcher hex = HEX_DIGEST.matcher(s);
            while (hex.find()) {
                String digest = hex.group();
                add(out, normalizer.normalize(IdentifierKind.PHONE, digest));
                if (digest.length() == HashForm.MD5.hexLength()) {
                    add(out, normalizer.normalize(IdentifierKind.MOBILE_AD_ID, digest));
                }
            }
        }
        if (hasRun(s, DASHED_UUID_LENGTH, true)) {
            Matcher uuid = DASHED_UUID.matcher(s);
            while (uuid.find()) {
                add(out, normalizer.normalize(IdentifierKind.MOBILE_AD_ID, uuid.group()));
            }
        }
        base64Digests(normalizer, s, out);
    }

    /** Characters of a dashed UUID (8-4-4-4-12 hex digits). */
    private static final int DASHED_UUID_LENGTH = 36;

    /**
     * True if {@code s} has {@code length} consecutive ASCII hex digits (or, with {@code dashes}, hex digits and
     * dashes): a necessary condition for {@link #HEX_DIGEST} (32 or more hex digits in a row) and
     * {@link #DASHED_UUID} (36 hex digits and dashes in a row) to match.
     */
    private static boolean hasRun(String s, int length, boolean dashes) {
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (HashForm.isAsciiHex(c) || (dashes && c == '-')) {
                if (++run >= length) {
                    return true;
                }
            } else {
                run = 0;
            }
        }
        return false;
    }

    /**
     * Every SHA-256 in base64 (43 characters of the standard or URL-safe alphabet, then maybe one {@code =}) that is
     * a whole run of base64 characters, or a whole segment of one between {@code /}s: a digest in a URL path
     * ({@code /uid2/<digest>/}) is one, though {@code /} is also a base64 character. The normalizer decides whether
     * the characters decode to a digest.
     */
    private static void base64Digests(IdentifierNormalizer.Configured normalizer, String s,
                                      Map<String, Normalization.Ok> out) {
        int length = HashForm.SHA256_BASE64_LENGTH;
        int i = 0;
        while (i < s.length()) {
            if (!isBase64Char(s.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < s.length() && isBase64Char(s.charAt(i))) {
                i++;
            }
            int end = i;
            for (int b = start; b + length <= end; b++) {
                if (b != start && s.charAt(b - 1) != '/') {
                    continue;
                }
                int e = b + length;
                if (e == end || s.charAt(e) == '/') {
                    boolean padded = e == end && end < s.length() && s.charAt(end) == '=';
                    add(out, normalizer.normalize(IdentifierKind.PHONE, s.substring(b, padded ? e + 1 : e)));
                }
            }
        }
    }

    private static boolean isBase64Char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '+' || c == '/' || c == '-' || c == '_';
    }

    /**
     * Every RFC 3966 URI ({@code tel:}, any case) up to the white space, quote, bracket or comma that ends it, read
     * whole so that a {@code phone-context} supplies the country code of a local number.
     */
    private static void telUris(IdentifierNormalizer.Configured normalizer, String s, Map<String, Normalization.Ok> out) {
        int at = indexOfIgnoringCase(s, IdentifierUris.TEL, 0);
        while (at >= 0) {
            int end = at + IdentifierUris.TEL.length();
            while (end < s.length() && !isTelEnd(s.charAt(end))) {
                end++;
            }
            if (end - at <= IdentifierNormalizer.MAX_INPUT_LENGTH) {
                add(out, normalizer.normalize(IdentifierKind.PHONE, s.substring(at, end)));
            }
            at = indexOfIgnoringCase(s, IdentifierUris.TEL, end);
        }
    }

    /** The first index of the ASCII {@code word} in {@code s} from {@code from}, in any case; -1 if none. */
    private static int indexOfIgnoringCase(String s, String word, int from) {
        for (int i = from; i + word.length() <= s.length(); i++) {
            if (s.regionMatches(true, i, word, 0, word.length())) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isTelEnd(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || "\"'<>,&[]{}|".indexOf(c) >= 0;
    }

    /** Tries every window of digit groups of every phone-like run; false if it had to stop early. */
    private static boolean phones(IdentifierNormalizer.Configured normalizer, String s, Map<String, Normalization.Ok> out) {
        int windows = 0;
        int i = 0;
        List<int[]> groups = new ArrayList<>();
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '+' && !Character.isDigit(c)) {
                i++;
                continue;
            }
            // One run: an optional '+' (the last of several: "++1 ..." is a typo for "+1 ..."), then digit groups
            // joined by phone separators.
            while (c == '+' && i + 1 < s.length() && s.charAt(i + 1) == '+') {
                c = s.charAt(++i);
            }
            int runStart = i;
            boolean plus = c == '+';
            if (plus) {
                i++;
            }
            groups.clear();
            while (i < s.length()) {
                int groupStart = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (i > groupStart) {
                    groups.add(new int[] {groupStart, i, i - groupStart});
                }
                int separators = i;
                while (i < s.length() && isPhoneSeparator(s.charAt(i))) {
                    i++;
                }
                if (i == separators || i >= s.length() || !Character.isDigit(s.charAt(i))) {
                    break;
                }
            }
            if (i == runStart + (plus ? 1 : 0)) {
                i++;
            }
            for (int first = 0; first < groups.size(); first++) {
                int digits = 0;
                for (int last = first; last < groups.size(); last++) {
                    digits += groups.get(last)[2];
                    if (digits > MAX_PHONE_DIGITS) {
                        break;
                    }
                    if (digits < MIN_PHONE_DIGITS) {
                        continue;
                    }
                    if (++windows > MAX_PHONE_WINDOWS) {
                        return false;
                    }
                    int from = first == 0 && plus ? runStart : groups.get(first)[0];
                    String window = s.substring(from, groups.get(last)[1]);
                    add(out, normalizer.normalize(IdentifierKind.PHONE, window));
                    if (!(first == 0 && plus) && !window.startsWith("00")) {
                        // The country code and number without '+', as Meta, Snap and TikTok write them.
                        add(out, normalizer.normalize(IdentifierKind.PHONE, "+" + window));
                    }
                }
            }
        }
        return true;
    }

    private static boolean isPhoneSeparator(char c) {
        return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\u00a0'
                || Character.getType(c) == Character.DASH_PUNCTUATION || Character.isSpaceChar(c)
                || Character.isWhitespace(c);
    }

    /**
     * {@code s} with every decimal digit of any script, supplementary planes included, as its ASCII digit and other
     * characters as they are, for the phone scan (the normalizer reads digits by value anyway). A supplementary
     * character that is not a digit becomes one '?' so that it still ends a run.
     */
    private static String asciiDigits(String s) {
        if (isAscii(s)) {
            return s;
        }
        StringBuilder folded = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int digit = Character.digit(cp, 10);
            if (digit >= 0 && Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER) {
                folded.append((char) ('0' + digit));
            } else if (Character.isSupplementaryCodePoint(cp)) {
                folded.append('?');
            } else {
                folded.append((char) cp);
            }
            i += Character.charCount(cp);
        }
        return folded.toString();
    }

    private static void add(Map<String, Normalization.Ok> out, Normalization result) {
        if (result instanceof Normalization.Ok ok) {
            out.putIfAbsent(ok.keys().forwardForm().name() + ':' + ok.keys().forwardKey(), ok);
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
