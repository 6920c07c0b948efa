package org.purposefirewall.identity;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reading the URIs identifiers are written as: RFC 3966 {@code tel:} and RFC 6068 {@code mailto:}, and the
 * percent-encoding both (and URLs in general) use. Pure functions; thread-safe; never throw.
 */
final class IdentifierUris {

    static final String TEL = "tel:";
    static final String MAILTO = "mailto:";

    private IdentifierUris() {
    }

    /**
     * A {@code tel:} URI's parts.
     *
     * @param number the number as written (a global number starts with {@code +}), percent-decoded
     * @param context the {@code phone-context} parameter, percent-decoded, or null
     */
    record Tel(String number, String context) {
    }

    static boolean isTel(String text) {
        return text.regionMatches(true, 0, TEL, 0, TEL.length());
    }

    static boolean isMailto(String text) {
        return text.regionMatches(true, 0, MAILTO, 0, MAILTO.length());
    }

    /**
     * The parts of the {@code tel:} URI {@code text} (which {@link #isTel} accepts): the number up to the first
     * {@code ;}, and the {@code phone-context} parameter; other parameters ({@code ext}, {@code isub}, unknown ones)
     * are dropped. A {@code //} after the scheme, which some applications write, is tolerated. Null if a part's
     * percent-encoding is invalid.
     */
    static Tel tel(String text) {
        String rest = text.substring(TEL.length());
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        String[] parts = rest.split(";", -1);
        String number = percentDecode(parts[0], true);
        if (number == null) {
            return null;
        }
        String context = null;
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            String name = eq < 0 ? parts[i] : parts[i].substring(0, eq);
            if (eq >= 0 && name.strip().toLowerCase(Locale.ROOT).equals("phone-context")) {
                context = percentDecode(parts[i].substring(eq + 1), true);
                if (context == null) {
                    return null;
                }
                context = context.strip();
            }
        }
        return new Tel(number, context);
    }

    /**
     * The addresses the {@code mailto:} URI {@code text} (which {@link #isMailto} accepts) names: those of its path
     * (comma-separated) and of its {@code to}, {@code cc} and {@code bcc} header fields, percent-decoded, blank ones
     * left out; other header fields ({@code subject}, {@code body}) are not addresses. Null if a percent-encoding is
     * invalid.
     */
    static List<String> mailtoAddresses(String text) {
        String rest = text.substring(MAILTO.length());
        int query = rest.indexOf('?');
        List<String> addresses = new ArrayList<>(1);
        if (!addAddresses(query < 0 ? rest : rest.substring(0, query), addresses)) {
            return null;
        }
        if (query >= 0) {
            for (String field : rest.substring(query + 1).split("&")) {
                int eq = field.indexOf('=');
                String name = percentDecode(eq < 0 ? field : field.substring(0, eq), true);
                if (name == null) {
                    return null;
                }
                name = name.strip().toLowerCase(Locale.ROOT);
                if (eq >= 0 && (name.equals("to") || name.equals("cc") || name.equals("bcc"))) {
                    String value = percentDecode(field.substring(eq + 1), true);
                    if (value == null || !addAddresses(value, addresses)) {
                        return null;
                    }
                }
            }
        }
        return addresses;
    }

    private static boolean addAddresses(String commaSeparated, List<String> out) {
        for (String address : commaSeparated.split(",")) {
            String decoded = percentDecode(address, true);
            if (decoded == null) {
                return false;
            }
            if (!decoded.isBlank()) {
                out.add(decoded);
            }
        }
        return true;
    }

    /**
     * {@code text} with its {@code %XX} escapes decoded as UTF-8. Strict: null for an escape that is not two hex
     * digits or bytes that are not UTF-8. Lenient: such escapes are kept as written and bad bytes become U+FFFD, for
     * free text, where a {@code %} may be just a percent sign.
     */
    static String percentDecode(String text, boolean strict) {
        int first = text.indexOf('%');
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        out.append(text, 0, first);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = first;
        while (i < text.length()) {
            char c = text.charAt(i);
            int high = c == '%' && i + 2 < text.length() ? hexValue(text.charAt(i + 1)) : -1;
            int low = high >= 0 ? hexValue(text.charAt(i + 2)) : -1;
            if (c == '%' && high >= 0 && low >= 0) {
                bytes.write((high << 4) | low);
                i += 3;
                continue;
            }
            if (c == '%' && strict) {
                return null;
            }
            if (bytes.size() > 0 && !flush(bytes, out, strict)) {
                return null;
            }
            out.append(c);
            i++;
        }
        if (bytes.size() > 0 && !flush(bytes, out, strict)) {
            return null;
        }
        return out.toString();
    }

    /** The value of an ASCII hex digit, or -1 (Character.digit would also read other scripts' digits). */
    private static int hexValue(char c) {
        return HashForm.isAsciiHex(c) ? Character.digit(c, 16) : -1;
    }

    private static boolean flush(ByteArrayOutputStream bytes, StringBuilder out, boolean strict) {
        CodingErrorAction action = strict ? CodingErrorAction.REPORT : CodingErrorAction.REPLACE;
        try {
            out.append(StandardCharsets.UTF_8.newDecoder().onMalformedInput(action).onUnmappableCharacter(action)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())));
        } catch (CharacterCodingException e) {
            return false;
        } finally {
            bytes.reset();
        }
        return true;
    }
}
