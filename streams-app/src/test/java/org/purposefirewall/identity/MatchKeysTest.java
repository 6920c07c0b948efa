package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MatchKeysTest {

    private static final String CANONICAL = "+14155550100";

    @Test
    void theKeysOfACanonicalFormAreItsDigestInEachForm() {
        MatchKeys keys = MatchKeys.ofCanonical(CANONICAL, IdentityOptions.ALL_HASH_FORMS);

        assertThat(keys.byForm()).containsOnly(
                Map.entry(HashForm.SHA256, "40d3f4e02db27d66cf4cfdda506c2c945f115a7955cc8491dda98ce5beabcda0"),
                Map.entry(HashForm.SHA1, "069e175e2bdfaf2779e43bb10dee192f77a47cc9"),
                Map.entry(HashForm.MD5, "206a9261d821e93b22b142dd37e59d9d"));
        assertThat(keys.arrivedAs()).isNull();
        assertThat(keys.forwardForm()).isEqualTo(HashForm.SHA256);
        assertThat(keys.forwardKey()).isEqualTo(HashForm.SHA256.hex(CANONICAL));
    }

    @Test
    void theKeysOfACanonicalFormAreOnlyInTheFormsAsked() {
        MatchKeys keys = MatchKeys.ofCanonical(CANONICAL, EnumSet.of(HashForm.SHA256, HashForm.MD5));

        assertThat(keys.byForm()).containsOnlyKeys(HashForm.SHA256, HashForm.MD5);
        assertThat(keys.get(HashForm.SHA1)).isNull();
        assertThat(keys.get(HashForm.MD5)).isEqualTo(HashForm.MD5.hex(CANONICAL));
    }

    @ParameterizedTest
    @EnumSource(HashForm.class)
    void aDigestHasOnlyTheKeyOfItsOwnFormAndIsForwardedInIt(HashForm form) {
        String digest = form.hex(CANONICAL);

        MatchKeys keys = MatchKeys.ofDigest(form, digest);

        assertThat(keys.byForm()).containsOnly(Map.entry(form, digest));
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
    void keysAreNeverEmpty() {
        assertThatThrownBy(() -> new MatchKeys(Map.of(), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MatchKeys.ofCanonical(CANONICAL, Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MatchKeys(null, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aHashedIdentifierHasExactlyTheKeyOfItsOwnForm() {
        Map<HashForm, String> two = Map.of(HashForm.SHA256, HashForm.SHA256.hex(CANONICAL),
                HashForm.MD5, HashForm.MD5.hex(CANONICAL));
        assertThatThrownBy(() -> new MatchKeys(two, HashForm.MD5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MatchKeys(Map.of(HashForm.SHA1, HashForm.SHA1.hex(CANONICAL)), HashForm.MD5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theKeysAreAnImmutableCopy() {
        Map<HashForm, String> source = new HashMap<>();
        source.put(HashForm.SHA256, HashForm.SHA256.hex(CANONICAL));
        MatchKeys keys = new MatchKeys(source, null);

        source.put(HashForm.MD5, HashForm.MD5.hex(CANONICAL));

        assertThat(keys.byForm()).containsOnlyKeys(HashForm.SHA256);
        assertThatThrownBy(() -> keys.byForm().put(HashForm.SHA1, "x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void keysAreValuesEqualWhateverMapTheyCameFrom() {
        Map<HashForm, String> enumMap = new EnumMap<>(HashForm.class);
        enumMap.put(HashForm.SHA256, HashForm.SHA256.hex(CANONICAL));
        enumMap.put(HashForm.SHA1, HashForm.SHA1.hex(CANONICAL));
        enumMap.put(HashForm.MD5, HashForm.MD5.hex(CANONICAL));

        assertThat(new MatchKeys(enumMap, null)).isEqualTo(MatchKeys.ofCanonical(CANONICAL, IdentityOptions.ALL_HASH_FORMS))
                .hasSameHashCodeAs(MatchKeys.ofCanonical(CANONICAL, IdentityOptions.ALL_HASH_FORMS));
        assertThat(MatchKeys.ofDigest(HashForm.SHA256, HashForm.SHA256.hex(CANONICAL)))
                .isNotEqualTo(MatchKeys.ofCanonical(CANONICAL, EnumSet.of(HashForm.SHA256)));
    }
}
