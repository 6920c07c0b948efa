package org.purposefirewall.identity;

import java.net.IDN;
import java.text.Normalizer;
import java.util.Locale;

/**
 * Turns an identifier in any common spelling into its canonical form and the SHA-256 match key of that form.
 *
 * <p>Canonical forms:
 * <ul>
 *   <li>PHONE: {@code +} and the digits of the international number, e.g. {@code +14155550100} for
 *       "+1 (415) 555-0100", "1.415.555.0100" or "0014155550100". Separators, a leading {@code 00} international
 *       prefix and an extension ("x123", "ext. 123", ";ext=123") are dropped; digits of any script are read as
 *       their values. 8 to 15 digits (E.164). Numbers written without a country code are taken as written:
 *       region-aware parsing is a later step.</li>
 *   <li>EMAIL: NFKC, trimmed, lower-cased; the domain in its ASCII (punycode) form.</li>
 *   <li>MOBILE_AD_ID: a lowercase canonical UUID (with or without dashes on input).</li>
 * </ul>
 * Input that already is a SHA-256 hex digest is taken as the match key itself (lower-cased): a hash of a normalized
 * identifier is that identifier to an ad platform.
 *
 * <p>Thread-safe and allocation-light; never throws for any string.
 */
public final class IdentifierNormalizer {

    /** Longer input is rejected before any work, so hostile input cannot make normalization slow. */
    public static final int MAX_INPUT_LENGTH = 512;

    private IdentifierNormalizer() {
    }

    public static Normalization normalize(IdentifierKind kind, String input) {
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
        // NFKC first: it folds no-break and other compatibility spaces into plain ones, so blankness is judged on
        // what the identifier means, not on how it was typed.
        String text = Normalizer.normalize(input, Normalizer.Form.NFKC).strip();
        if (text.isEmpty()) {
            return new Normalization.Invalid(IdentifierError.EMPTY_IDENTIFIER, "the identifier is empty");
        }
        if (Sha256.looksLikeHex(text)) {
            return new Normalization.Ok(kind, text.toLowerCase(Locale.ROOT), true);
        }
        return switch (kind) {
            case PHONE -> phone(text);
            case EMAIL -> email(text);
            case MOBILE_AD_ID -> mobileAdId(text);
        };
    }

    private static Normalization phone(String text) {
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
        }
        if (digits.length() < 8 || digits.length() > 15) {
            return invalidPhone("an international phone number has 8 to 15 digits");
        }
        if (digits.charAt(0) == '0') {
            return invalidPhone("a country code never starts with 0");
        }
        return new Normalization.Ok(IdentifierKind.PHONE, Sha256.hex("+" + digits), false);
    }

    private static String stripExtension(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int cut = text.length();
        for (String marker : new String[] {";ext=", "ext.", "ext", "x", "#"}) {
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

    private static Normalization email(String text) {
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
        if (domain.isEmpty() || domain.startsWith(".") || domain.endsWith(".") || domain.contains("..")) {
            return invalidEmail("the domain is not a valid host name");
        }
        return new Normalization.Ok(IdentifierKind.EMAIL, Sha256.hex(local + "@" + domain), false);
    }

    private static Normalization invalidEmail(String detail) {
        return new Normalization.Invalid(IdentifierError.INVALID_EMAIL, detail);
    }

    private static Normalization mobileAdId(String text) {
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
        return new Normalization.Ok(IdentifierKind.MOBILE_AD_ID, Sha256.hex(canonical), false);
    }

    private static Normalization invalidAdId() {
        return new Normalization.Invalid(IdentifierError.INVALID_MOBILE_AD_ID,
                "a mobile advertising id is a UUID (32 hex digits, optionally 8-4-4-4-12 with dashes)");
    }
}
