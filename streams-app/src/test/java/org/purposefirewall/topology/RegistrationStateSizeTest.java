package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.Normalization;

/**
 * The state one registered identifier costs in the registration store, per hash form: the bytes of key and value as
 * the store and its changelog hold them (before RocksDB's block compression). The README quotes these figures; the
 * budget is 150 bytes per identifier and form for a typical registration.
 */
class RegistrationStateSizeTest {

    /** A typical registration: a UUID user id, a 2FA purpose, the 2FA service as source. */
    private static final String USER = UUID.nameUUIDFromBytes(new byte[] {42}).toString();
    private static final String PURPOSE = "essential.service.security.authentication";
    private static final String SOURCE = "two-factor-auth";

    @Test
    void oneRegistrationCostsAtMost150BytesPerForm() {
        Normalization.Ok phone = (Normalization.Ok) IdentifierNormalizer.normalize(IdentifierKind.PHONE,
                "+1 (415) 555-0100");
        RegistrationHistory history = RegistrationHistory.empty()
                .with(new RegistrationHistory.Event(PURPOSE, true, 1_700_000_000_000L, SOURCE));
        byte[] value = RegistrationHistory.serde().serializer().serialize("changelog", history);

        Map<HashForm, Integer> perForm = new EnumMap<>(HashForm.class);
        for (Map.Entry<HashForm, String> key : phone.keys().byForm().entrySet()) {
            Bytes storeKey = IdentifierKeys.key(USER, key.getKey(), key.getValue());
            perForm.put(key.getKey(), storeKey.get().length + value.length);
        }

        // The identifier is stored in every form, each within the budget (key: 2 + 36 + 1 + digest; value: 74)
        assertThat(perForm).containsOnlyKeys(HashForm.values());
        assertThat(perForm.get(HashForm.SHA256)).isEqualTo(2 + 36 + 1 + 32 + value.length).isLessThanOrEqualTo(150);
        assertThat(perForm.get(HashForm.SHA1)).isEqualTo(2 + 36 + 1 + 20 + value.length).isLessThanOrEqualTo(150);
        assertThat(perForm.get(HashForm.MD5)).isEqualTo(2 + 36 + 1 + 16 + value.length).isLessThanOrEqualTo(150);
        assertThat(value.length).isEqualTo(1 + 4 + 8 + 1 + (2 + PURPOSE.length()) + (2 + SOURCE.length()));
        System.out.printf("registration state per identifier: %s bytes (value %d bytes)%n", perForm, value.length);
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
