package org.purposefirewall.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.apache.kafka.common.utils.Bytes;
import org.purposefirewall.identity.HashForm;

/**
 * Keys of the stores kept per user and identifier (registrations, exposures), in binary to keep the state per
 * identifier small:
 * {@code [user id length: 2 bytes][user id: UTF-8][hash form: 1 byte][digest: 16, 20 or 32 bytes]}.
 * The length prefix makes the encoding unambiguous for any user id, and puts one user's identifiers side by side
 * (a prefix scan finds them all). The form byte is the {@link HashForm} ordinal: never reorder that enum.
 */
final class IdentifierKeys {

    /** Longest user id the store accepts, in UTF-8 bytes (the length prefix is two bytes). */
    static final int MAX_USER_ID_BYTES = 0xFFFF;

    private static final HexFormat HEX = HexFormat.of();

    private IdentifierKeys() {
    }

    /** The prefix every key of {@code userId} starts with. */
    static Bytes userPrefix(String userId) {
        byte[] user = userId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer prefix = ByteBuffer.allocate(2 + user.length);
        prefix.putShort((short) user.length).put(user);
        return Bytes.wrap(prefix.array());
    }

    /** The key of {@code userId}'s identifier whose {@code form} digest is {@code lowercaseHex}. */
    static Bytes key(String userId, HashForm form, String lowercaseHex) {
        byte[] user = userId.getBytes(StandardCharsets.UTF_8);
        if (user.length > MAX_USER_ID_BYTES) {
            throw new IllegalArgumentException("a user id is at most " + MAX_USER_ID_BYTES + " bytes of UTF-8");
        }
        byte[] digest = HEX.parseHex(lowercaseHex);
        ByteBuffer key = ByteBuffer.allocate(2 + user.length + 1 + digest.length);
        key.putShort((short) user.length).put(user).put((byte) form.ordinal()).put(digest);
        return Bytes.wrap(key.array());
    }

    /** The hash form and digest a key names. */
    record Digest(HashForm form, String lowercaseHex) {
    }

    /** The user id of {@code key}, as {@link #key} wrote it. */
    static String userId(Bytes key) {
        byte[] raw = key.get();
        int userLength = ((raw[0] & 0xFF) << 8) | (raw[1] & 0xFF);
        return new String(raw, 2, userLength, StandardCharsets.UTF_8);
    }

    /** The hash form and digest of {@code key}, as {@link #key} wrote them. */
    static Digest digest(Bytes key) {
        byte[] raw = key.get();
        int userLength = ((raw[0] & 0xFF) << 8) | (raw[1] & 0xFF);
        return new Digest(HashForm.values()[raw[2 + userLength]], HEX.formatHex(raw, 3 + userLength, raw.length));
    }
}
