package org.purposefirewall.identity;

/** Unsalted SHA-256 as ad platforms use it for identifier matching. Thread-safe. */
public final class Sha256 {

    private Sha256() {
    }

    /** Lowercase hex SHA-256 of the UTF-8 bytes of {@code text}. */
    public static String hex(String text) {
        return HashForm.SHA256.hex(text);
    }

    /** True if {@code text} is exactly 64 hex digits, in either case. */
    public static boolean looksLikeHex(String text) {
        return HashForm.ofHex(text) == HashForm.SHA256;
    }
}
