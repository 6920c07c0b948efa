package org.purposefirewall.topology;

/**
 * Keys of the registration store: {@code <user id> NUL <match key>}. The user id comes first so that one user's
 * identifiers are contiguous (a prefix scan finds them all); NUL cannot occur in a valid match key.
 */
final class StoreKeys {

    private static final char SEPARATOR = '\u0000';

    private StoreKeys() {
    }

    static String registration(String userId, String matchKey) {
        return userId + SEPARATOR + matchKey;
    }
}
