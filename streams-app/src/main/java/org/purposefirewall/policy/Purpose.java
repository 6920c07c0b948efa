package org.purposefirewall.policy;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;

/**
 * A purpose in the dotted taxonomy (compatible with fideslang data uses), e.g.
 * {@code marketing.advertising.third_party.targeted} or {@code essential.service.security.authentication}.
 *
 * <p>A purpose covers itself and every purpose below it: {@code essential.service.security} covers
 * {@code essential.service.security.authentication} but not {@code essential.service.securityx}.
 * Parsing is lenient about case and surrounding white space and strict about everything else, so two spellings
 * of one purpose compare equal and an unparseable purpose is an error rather than a silent non-match.
 */
public record Purpose(String value) {

    private static final int MAX_LENGTH = 256;

    public Purpose {
        Objects.requireNonNull(value, "purpose");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a purpose has 1 to " + MAX_LENGTH + " characters");
        }
        if (!wellFormed(value)) {
            throw new IllegalArgumentException(
                    "a purpose is dot-separated segments of [a-z0-9_-], e.g. marketing.advertising.third_party");
        }
    }

    /**
     * True if every dot-separated segment of {@code value} matches {@code [a-z0-9_]+(?:-[a-z0-9_]+)*}: word
     * characters, with single hyphens between them. A loop rather than a split and a regex per segment: purposes are
     * parsed for every record that declares one, and the regex's matchers were a measurable share of its allocation.
     */
    private static boolean wellFormed(String value) {
        char previous = '.'; // as if a segment had just begun
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '.' || c == '-') {
                // Neither starts a segment, follows a hyphen or a dot, nor starts the purpose.
                if (!isSegmentChar(previous)) {
                    return false;
                }
            } else if (!isSegmentChar(c)) {
                return false;
            }
            previous = c;
        }
        return isSegmentChar(previous);
    }

    private static boolean isSegmentChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }

    /**
     * Parses a purpose as producers and consent platforms write it: NFKC-normalized, trimmed, lower-cased.
     *
     * @throws IllegalArgumentException if the text is not a dotted purpose; the message never repeats the input
     */
    public static Purpose parse(String text) {
        Objects.requireNonNull(text, "purpose");
        // ASCII is its own NFKC form: skip the normalizer's copy for the common case.
        String folded = isAscii(text) ? text : Normalizer.normalize(text, Normalizer.Form.NFKC);
        String normalized = folded.strip().toLowerCase(Locale.ROOT);
        return new Purpose(normalized);
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** True if this purpose is {@code other} or lies below it in the taxonomy. */
    public boolean isWithin(Purpose other) {
        return value.equals(other.value)
                || (value.length() > other.value.length()
                        && value.startsWith(other.value)
                        && value.charAt(other.value.length()) == '.');
    }

    /** True if either purpose covers the other: a choice about one then bears on the other. */
    public boolean overlaps(Purpose other) {
        return isWithin(other) || other.isWithin(this);
    }

    @Override
    public String toString() {
        return value;
    }
}
