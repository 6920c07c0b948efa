package org.purposefirewall.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The unsalted digests ad platforms accept for identifier matching. A digest of a normalized identifier is that
 * identifier to anyone who can compute the same digest (the phone-number space is small enough to enumerate), so the
 * firewall treats every form as the identifier itself.
 *
 * <p>Each form is recognised on input by its lowercase or uppercase hex length: 64 digits SHA-256, 40 SHA-1,
 * 32 MD5. (A 32-digit value of kind MOBILE_AD_ID is an ad id written without dashes, not an MD5; see
 * {@link IdentifierNormalizer}.) A SHA-256 digest is also recognised in base64, the encoding The Trade Desk's UID2
 * and Google's Data Manager API document ({@link #sha256HexOfBase64}); no platform documents base64 for SHA-1 or MD5,
 * and their short base64 runs (22 to 28 characters) look like any other token.
 */
public enum HashForm {
    SHA256("SHA-256", 64),
    SHA1("SHA-1", 40),
    MD5("MD5", 32);

    private static final HexFormat HEX = HexFormat.of();

    private final String algorithm;
    private final int hexLength;
    private final ThreadLocal<MessageDigest> digest;

    HashForm(String algorithm, int hexLength) {
        this.algorithm = algorithm;
        this.hexLength = hexLength;
        this.digest = ThreadLocal.withInitial(() -> {
            try {
                return MessageDigest.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform must provide " + algorithm, e);
            }
        });
    }

    /** The JCA algorithm name, also the spelling used in configuration ({@code SHA-256}, {@code SHA-1}, {@code MD5}). */
    public String algorithm() {
        return algorithm;
    }

    /** Number of hex digits of a digest in this form. */
    public int hexLength() {
        return hexLength;
    }

    /** Number of bytes of a digest in this form. */
    public int byteLength() {
        return hexLength / 2;
    }

    /** Lowercase hex digest of the UTF-8 bytes of {@code text}. */
    public String hex(String text) {
        return HEX.formatHex(bytes(text));
    }

    /** Digest of the UTF-8 bytes of {@code text}. */
    public byte[] bytes(String text) {
        MessageDigest d = digest.get();
        d.reset();
        return d.digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The form whose digests have {@code text}'s length, if {@code text} is all ASCII hex digits; else null. */
    public static HashForm ofHex(CharSequence text) {
        HashForm form = switch (text.length()) {
            case 64 -> SHA256;
            case 40 -> SHA1;
            case 32 -> MD5;
            default -> null;
        };
        if (form == null) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!isAsciiHex(text.charAt(i))) {
                return null;
            }
        }
        return form;
    }

    /** Characters of a SHA-256 digest in base64 without its padding: 256 bits in 43 six-bit characters. */
    static final int SHA256_BASE64_LENGTH = 43;

    /**
     * The lowercase hex of the SHA-256 digest {@code text} encodes in base64, or null if it is not one: 43 characters
     * of one alphabet, standard ({@code +/}) or URL-safe ({@code -_}), optionally followed by the one {@code =} of
     * padding, and in canonical form (the two bits past the digest zero, as every encoder writes them).
     */
    static String sha256HexOfBase64(CharSequence text) {
        int length = text.length();
        if (length == SHA256_BASE64_LENGTH + 1 && text.charAt(SHA256_BASE64_LENGTH) == '=') {
            length = SHA256_BASE64_LENGTH;
        } else if (length != SHA256_BASE64_LENGTH) {
            return null;
        }
        boolean standard = false;
        boolean urlSafe = false;
        char[] data = new char[length];
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c == '+' || c == '/') {
                standard = true;
            } else if (c == '-' || c == '_') {
                urlSafe = true;
                c = c == '-' ? '+' : '/';
            } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                return null;
            }
            data[i] = c;
        }
        if (standard && urlSafe) {
            return null;
        }
        // 43 characters carry 258 bits: the last character's two low bits are past the digest and zero in what any
        // encoder writes, so only one of four spellings decodes canonically; the others are not a digest.
        String chars = new String(data);
        byte[] digest = Base64.getDecoder().decode(chars + "=");
        if (digest.length != SHA256.byteLength()
                || !Base64.getEncoder().withoutPadding().encodeToString(digest).equals(chars)) {
            return null;
        }
        return HEX.formatHex(digest);
    }

    /** Parses a configured name: {@code SHA-256}, {@code SHA-1} or {@code MD5}, in any case, dashes optional. */
    public static HashForm parse(String name) {
        String wanted = name == null ? "" : name.strip().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (HashForm form : values()) {
            if (form.name().equals(wanted)) {
                return form;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a hash form (SHA-256, SHA-1 or MD5)");
    }

    static boolean isAsciiHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
