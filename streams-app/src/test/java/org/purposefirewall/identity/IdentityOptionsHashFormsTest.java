package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentityOptionsHashFormsTest {

    @Test
    void everyFormIsTheDefault() {
        assertThat(IdentityOptions.ALL_HASH_FORMS).containsExactlyInAnyOrder(HashForm.values());
        assertThat(IdentityOptions.defaults().hashForms()).isEqualTo(IdentityOptions.ALL_HASH_FORMS);
        assertThat(new IdentityOptions("US").hashForms()).isEqualTo(IdentityOptions.ALL_HASH_FORMS);
        assertThat(new IdentityOptions(null, true).hashForms()).isEqualTo(IdentityOptions.ALL_HASH_FORMS);
        assertThat(new IdentityOptions(null, false, null).hashForms()).isEqualTo(IdentityOptions.ALL_HASH_FORMS);
        assertThat(new IdentityOptions(null, false, EnumSet.allOf(HashForm.class)))
                .isEqualTo(IdentityOptions.defaults());
    }

    @Test
    void optionsWithoutSha256AreRejected() {
        for (Set<HashForm> forms : java.util.List.<Set<HashForm>>of(Set.of(), Set.of(HashForm.MD5),
                Set.of(HashForm.SHA1), EnumSet.of(HashForm.SHA1, HashForm.MD5))) {
            assertThatThrownBy(() -> new IdentityOptions(null, false, forms))
                    .as("%s", forms)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("match-hash-forms: ")
                    .hasMessageContaining("SHA-256");
        }
    }

    @Test
    void theFormsAreAnImmutableCopy() {
        Set<HashForm> forms = new HashSet<>(Set.of(HashForm.SHA256));
        IdentityOptions options = new IdentityOptions(null, false, forms);

        forms.add(HashForm.MD5);

        assertThat(options.hashForms()).containsExactly(HashForm.SHA256);
        assertThatThrownBy(() -> options.hashForms().add(HashForm.SHA1))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(options).isNotEqualTo(IdentityOptions.defaults());
        assertThat(new IdentityOptions(null, false, Set.of(HashForm.SHA256))).isEqualTo(options);
    }
}
