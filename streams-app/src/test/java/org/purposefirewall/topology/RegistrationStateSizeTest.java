package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.identity.Normalization;

/**
 * The state one registered identifier costs in the registration store: the bytes of key and value as the store and
 * its changelog hold them (before RocksDB's block compression), per hash form and per identifier with every spelling
 * ad platforms hash it in. The README quotes these figures; the budget is 150 bytes per key for a typical
 * registration.
 */
class RegistrationStateSizeTest {

    /** A typical registration: a UUID user id, a 2FA purpose, the 2FA service as source. */
    private static final String USER = UUID.nameUUIDFromBytes(new byte[] {42}).toString();
    private static final String PURPOSE = "essential.service.security.authentication";
    private static final String SOURCE = "two-factor-auth";

    /** One event's history as RegistrationHistory writes it (format byte, count, time, flag, purpose, source). */
    private static final int VALUE = 1 + 4 + 8 + 1 + (2 + PURPOSE.length()) + (2 + SOURCE.length());

    /** Key and value bytes of one key in each form: 2-byte length + user id + form byte + digest, then the history. */
    private static final int SHA256 = 2 + 36 + 1 + 32 + VALUE;
    private static final int SHA1 = 2 + 36 + 1 + 20 + VALUE;
    private static final int MD5 = 2 + 36 + 1 + 16 + VALUE;

    @Test
    void shouldCostAtMost150BytesPerKey() {
        Map<HashForm, Integer> perForm = new EnumMap<>(HashForm.class);
        for (MatchKeys.Key key : keys(IdentifierKind.PHONE, "+1 (415) 555-0100").all()) {
            perForm.merge(key.form(), bytes(key), Math::max);
        }

        assertThat(value().length).isEqualTo(VALUE);
        assertThat(perForm).containsOnlyKeys(HashForm.values());
        assertThat(perForm.get(HashForm.SHA256)).isEqualTo(SHA256).isLessThanOrEqualTo(150);
        assertThat(perForm.get(HashForm.SHA1)).isEqualTo(SHA1).isLessThanOrEqualTo(150);
        assertThat(perForm.get(HashForm.MD5)).isEqualTo(MD5).isLessThanOrEqualTo(150);
        System.out.printf("registration state per key: %s bytes (value %d bytes)%n", perForm, VALUE);
    }

    @Test
    void shouldCostEachIdentifierItsKeysForEverySpellingAdPlatformsHash() {
        int oneSpelling = SHA256 + SHA1 + MD5;
        Map<String, Integer> perIdentifier = new LinkedHashMap<>();
        perIdentifier.put("phone", total(keys(IdentifierKind.PHONE, "+1 (415) 555-0100")));
        perIdentifier.put("email", total(keys(IdentifierKind.EMAIL, "jane.doe@example.com")));
        perIdentifier.put("email with +tag", total(keys(IdentifierKind.EMAIL, "jane.doe+2fa@example.com")));
        perIdentifier.put("gmail", total(keys(IdentifierKind.EMAIL, "jane.doe@gmail.com")));
        perIdentifier.put("gmail with +tag", total(keys(IdentifierKind.EMAIL, "jane.doe+2fa@gmail.com")));
        perIdentifier.put("mobile ad id", total(keys(IdentifierKind.MOBILE_AD_ID,
                "6ba7b810-9dad-11d1-80b4-00c04fd430c8")));
        perIdentifier.put("mobile ad id as 32 hex", total(keys(IdentifierKind.MOBILE_AD_ID,
                "6ba7b8109dad11d180b400c04fd430c8")));

        // A phone number: E.164 and its digits without '+'; an address as given; plus its untagged and (Gmail)
        // undotted spellings; an ad id in lower and upper case (and, written as 32 hex digits, its MD5 reading)
        assertThat(oneSpelling).isEqualTo(407);
        assertThat(perIdentifier).containsExactly(
                Map.entry("phone", 2 * oneSpelling),
                Map.entry("email", oneSpelling),
                Map.entry("email with +tag", 2 * oneSpelling),
                Map.entry("gmail", 2 * oneSpelling),
                Map.entry("gmail with +tag", 4 * oneSpelling),
                Map.entry("mobile ad id", 2 * oneSpelling),
                Map.entry("mobile ad id as 32 hex", 2 * oneSpelling + MD5));
        System.out.printf("registration state per identifier, every spelling and form: %s bytes%n", perIdentifier);
    }

    private static MatchKeys keys(IdentifierKind kind, String value) {
        return ((Normalization.Ok) IdentifierNormalizer.normalize(kind, value)).keys();
    }

    private static byte[] value() {
        RegistrationHistory history = RegistrationHistory.empty()
                .with(new RegistrationHistory.Event(PURPOSE, true, 1_700_000_000_000L, SOURCE));
        return RegistrationHistory.serde().serializer().serialize("changelog", history);
    }

    private static int bytes(MatchKeys.Key key) {
        Bytes storeKey = IdentifierKeys.key(USER, key.form(), key.hex());
        return storeKey.get().length + value().length;
    }

    private static int total(MatchKeys keys) {
        return keys.all().stream().mapToInt(RegistrationStateSizeTest::bytes).sum();
    }

    @Test
    void keysAreUnambiguousForAnyUserId() {
        // A user id that ends in what looks like a form byte and digest cannot collide with another user's key
        Bytes a = IdentifierKeys.key("a", HashForm.MD5, HashForm.MD5.hex("x"));
        Bytes b = IdentifierKeys.key("a\u0000\u0002", HashForm.MD5, HashForm.MD5.hex("x"));
        assertThat(a).isNotEqualTo(b);
        assertThat(IdentifierKeys.key("a", HashForm.SHA1, HashForm.SHA1.hex("x")))
                .isNotEqualTo(IdentifierKeys.key("a", HashForm.SHA256, HashForm.SHA256.hex("x")));
        // And every key reads back as the form and digest it was written with
        assertThat(IdentifierKeys.digest(b)).isEqualTo(new IdentifierKeys.Digest(HashForm.MD5, HashForm.MD5.hex("x")));
    }
}
