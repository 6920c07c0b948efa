package org.purposefirewall.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The unsalted digests ad platforms accept for identifier matching. A digest of a normalized identifier is that
 * identifier to anyone who can compute the same digest (the phone-number space is small enough to enumerate), so the
 * firewall treats every form as the identifier itself.
 *
 * <p>Each form is recognised on input by its lowercase or uppercase hex length: 64 digits SHA-256, 40 SHA-1,
 * 32 MD5. (A 32-digit value of kind MOBILE_AD_ID is an ad id written without dashes, not an MD5; see
 * {@link IdentifierNormalizer}.)
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
