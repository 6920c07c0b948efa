package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MatchKeysTest {

    private static final String CANONICAL = "+14155550100";

    @Test
    void shouldKeyACanonicalFormByItsDigestInEachForm() {
        MatchKeys keys = MatchKeys.ofCanonical(CANONICAL, IdentityOptions.ALL_HASH_FORMS);

        assertThat(keys.all()).containsExactly(
                new MatchKeys.Key(HashForm.SHA256, "40d3f4e02db27d66cf4cfdda506c2c945f115a7955cc8491dda98ce5beabcda0"),
                new MatchKeys.Key(HashForm.SHA1, "069e175e2bdfaf2779e43bb10dee192f77a47cc9"),
                new MatchKeys.Key(HashForm.MD5, "206a9261d821e93b22b142dd37e59d9d"));
        assertThat(keys.arrivedAs()).isNull();
        assertThat(keys.forwardForm()).isEqualTo(HashForm.SHA256);
        assertThat(keys.forwardKey()).isEqualTo(HashForm.SHA256.hex(CANONICAL));
    }

    @Test
    void shouldKeyEverySpellingInEveryFormAndForwardTheFirst() {
        MatchKeys keys = MatchKeys.ofSpellings(List.of(CANONICAL, "14155550100", CANONICAL),
                EnumSet.of(HashForm.SHA256, HashForm.MD5));

        // Spelling by spelling, forms in enum order; a spelling given twice counts once
        assertThat(keys.all()).containsExactly(
                new MatchKeys.Key(HashForm.SHA256, HashForm.SHA256.hex(CANONICAL)),
                new MatchKeys.Key(HashForm.MD5, HashForm.MD5.hex(CANONICAL)),
                new MatchKeys.Key(HashForm.SHA256, HashForm.SHA256.hex("14155550100")),
                new MatchKeys.Key(HashForm.MD5, HashForm.MD5.hex("14155550100")));
        assertThat(keys.forwardKey()).isEqualTo(HashForm.SHA256.hex(CANONICAL));
        // get() answers for the canonical spelling
        assertThat(keys.get(HashForm.MD5)).isEqualTo(HashForm.MD5.hex(CANONICAL));
        assertThat(keys.get(HashForm.SHA1)).isNull();
    }

    @Test
    void shouldKeyACanonicalFormOnlyInTheFormsAsked() {
        MatchKeys keys = MatchKeys.ofCanonical(CANONICAL, EnumSet.of(HashForm.SHA256, HashForm.MD5));

        assertThat(keys.all()).extracting(MatchKeys.Key::form).containsExactly(HashForm.SHA256, HashForm.MD5);
        assertThat(keys.get(HashForm.SHA1)).isNull();
        assertThat(keys.get(HashForm.MD5)).isEqualTo(HashForm.MD5.hex(CANONICAL));
    }

    @ParameterizedTest
    @EnumSource(HashForm.class)
    void shouldGiveADigestOnlyTheKeyOfItsOwnFormAndForwardItInIt(HashForm form) {
        String digest = form.hex(CANONICAL);

        MatchKeys keys = MatchKeys.ofDigest(form, digest);

        assertThat(keys.all()).containsExactly(new MatchKeys.Key(form, digest));
        assertThat(keys.arrivedAs()).isEqualTo(form);
        assertThat(keys.forwardForm()).isEqualTo(form);
        assertThat(keys.forwardKey()).isEqualTo(digest);
        for (HashForm other : HashForm.values()) {
            if (other != form) {
                assertThat(keys.get(other)).isNull();
            }
        }
    }

    @Test
    void shouldShareAKeyOnlyWithTheSameDigestInTheSameForm() {
        MatchKeys raw = MatchKeys.ofSpellings(List.of(CANONICAL, "14155550100"), IdentityOptions.ALL_HASH_FORMS);

        assertThat(raw.sharesKeyWith(MatchKeys.ofDigest(HashForm.SHA1, HashForm.SHA1.hex("14155550100")))).isTrue();
        assertThat(MatchKeys.ofDigest(HashForm.MD5, HashForm.MD5.hex(CANONICAL)).sharesKeyWith(raw)).isTrue();
        assertThat(raw.sharesKeyWith(MatchKeys.ofDigest(HashForm.SHA256, HashForm.SHA256.hex("+14155550101"))))
                .isFalse();
        assertThat(raw.sharesKeyWith(MatchKeys.ofCanonical("4155550100", IdentityOptions.ALL_HASH_FORMS))).isFalse();
    }

    @Test
    void shouldNeverBeEmptyNorLackSha256() {
        assertThatThrownBy(() -> new MatchKeys(List.of(), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MatchKeys.ofCanonical(CANONICAL, Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MatchKeys.ofCanonical(CANONICAL, Set.of(HashForm.MD5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MatchKeys.ofSpellings(List.of(), IdentityOptions.ALL_HASH_FORMS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MatchKeys(null, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void shouldRefuseAKeyOfTheWrongLengthOrTwice() {
        assertThatThrownBy(() -> new MatchKeys.Key(HashForm.SHA1, HashForm.MD5.hex(CANONICAL)))
                .isInstanceOf(IllegalArgumentException.class);
        MatchKeys.Key key = new MatchKeys.Key(HashForm.SHA256, HashForm.SHA256.hex(CANONICAL));
        assertThatThrownBy(() -> new MatchKeys(List.of(key, key), null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldGiveAHashedIdentifierExactlyTheKeyOfItsOwnForm() {
        List<MatchKeys.Key> two = List.of(new MatchKeys.Key(HashForm.SHA256, HashForm.SHA256.hex(CANONICAL)),
                new MatchKeys.Key(HashForm.MD5, HashForm.MD5.hex(CANONICAL)));
        assertThatThrownBy(() -> new MatchKeys(two, HashForm.MD5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MatchKeys(List.of(new MatchKeys.Key(HashForm.SHA1, HashForm.SHA1.hex(CANONICAL))),
                HashForm.MD5)).isInstanceOf(IllegalArgumentException.class);
        // And a raw one starts with the SHA-256 it is forwarded as
        assertThatThrownBy(() -> new MatchKeys(List.of(new MatchKeys.Key(HashForm.MD5, HashForm.MD5.hex(CANONICAL))),
                null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldHoldAnImmutableCopyOfItsKeys() {
        List<MatchKeys.Key> source = new ArrayList<>();
        source.add(new MatchKeys.Key(HashForm.SHA256, HashForm.SHA256.hex(CANONICAL)));
        MatchKeys keys = new MatchKeys(source, null);

        source.add(new MatchKeys.Key(HashForm.MD5, HashForm.MD5.hex(CANONICAL)));

        assertThat(keys.all()).hasSize(1);
        assertThatThrownBy(() -> keys.all().add(new MatchKeys.Key(HashForm.SHA1, HashForm.SHA1.hex(CANONICAL))))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldBeEqualAsValues() {
        assertThat(MatchKeys.ofSpellings(List.of(CANONICAL), IdentityOptions.ALL_HASH_FORMS))
                .isEqualTo(MatchKeys.ofCanonical(CANONICAL, IdentityOptions.ALL_HASH_FORMS))
                .hasSameHashCodeAs(MatchKeys.ofCanonical(CANONICAL, IdentityOptions.ALL_HASH_FORMS));
        assertThat(MatchKeys.ofDigest(HashForm.SHA256, HashForm.SHA256.hex(CANONICAL)))
                .isNotEqualTo(MatchKeys.ofCanonical(CANONICAL, EnumSet.of(HashForm.SHA256)));
    }
}
