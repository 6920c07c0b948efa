package org.purposefirewall.policy;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

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

    private static final Pattern SEGMENT = Pattern.compile("[a-z0-9_]+(?:-[a-z0-9_]+)*");
    private static final int MAX_LENGTH = 256;

    public Purpose {
        Objects.requireNonNull(value, "purpose");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a purpose has 1 to " + MAX_LENGTH + " characters");
        }
        for (String segment : value.split("\\.", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException(
                        "a purpose is dot-separated segments of [a-z0-9_-], e.g. marketing.advertising.third_party");
            }
        }
    }

    /**
     * Parses a purpose as producers and consent platforms write it: NFKC-normalized, trimmed, lower-cased.
     *
     * @throws IllegalArgumentException if the text is not a dotted purpose; the message never repeats the input
     */
    public static Purpose parse(String text) {
        Objects.requireNonNull(text, "purpose");
        String normalized = Normalizer.normalize(text, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
        return new Purpose(normalized);
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
