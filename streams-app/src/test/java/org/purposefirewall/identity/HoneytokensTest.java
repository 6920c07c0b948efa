package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class HoneytokensTest {

    private static final IdentifierNormalizer.Configured NO_REGION = IdentifierNormalizer.of(IdentityOptions.defaults());
    private static final IdentifierNormalizer.Configured US = IdentifierNormalizer.of(new IdentityOptions("US"));

    private static final String PHONE = "+14155550100";
    private static final String EMAIL = "canary@example.com";
    private static final String AD_ID = "6f1ed002-ab5d-42f3-8c0b-8b1a2e3f4d5c";
    private static final String MD5_ONLY_EMAIL = "md5only@example.com";

    private static final Honeytokens TOKENS = Honeytokens.of(List.of(
            new Honeytokens.Token("phone-canary", IdentifierKind.PHONE, "+1 (415) 555-0100"),
            new Honeytokens.Token("mail-canary", IdentifierKind.EMAIL, " Canary@Example.COM "),
            new Honeytokens.Token("ad-canary", IdentifierKind.MOBILE_AD_ID, AD_ID.toUpperCase(Locale.ROOT)),
            new Honeytokens.Token("md5-canary", IdentifierKind.EMAIL,
                    HashForm.MD5.hex(MD5_ONLY_EMAIL).toUpperCase(Locale.ROOT))), NO_REGION);

    private static Normalization.Ok ok(IdentifierNormalizer.Configured normalizer, IdentifierKind kind, String input) {
        Normalization result = normalizer.normalize(kind, input);
        assertThat(result).isInstanceOf(Normalization.Ok.class);
        return (Normalization.Ok) result;
    }

    @Test
    void aHoneytokenIsFoundRawAndFormatted() {
        assertThat(TOKENS.size()).isEqualTo(4);
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.PHONE, PHONE))).isEqualTo("phone-canary");
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.PHONE, "00 1 415.555.0100"))).isEqualTo("phone-canary");
        assertThat(TOKENS.labelOf(ok(US, IdentifierKind.PHONE, "(415) 555-0100 x12"))).isEqualTo("phone-canary");
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.EMAIL, "CANARY@example.com"))).isEqualTo("mail-canary");
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.MOBILE_AD_ID, AD_ID.replace("-", ""))))
                .isEqualTo("ad-canary");
    }

    @ParameterizedTest
    @EnumSource(HashForm.class)
    void aRawHoneytokenIsFoundAsItsDigestInEveryForm(HashForm form) {
        for (String digest : List.of(form.hex(PHONE), form.hex(PHONE).toUpperCase(Locale.ROOT))) {
            assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.PHONE, digest))).isEqualTo("phone-canary");
        }
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.EMAIL, form.hex(EMAIL)))).isEqualTo("mail-canary");
        // A digest that arrives under another kind still is the honeytoken's: keys are digests of canonical forms
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.EMAIL, form.hex(PHONE)))).isEqualTo("phone-canary");
    }

    @Test
    void aHoneytokenGivenAsADigestIsFoundRawAndAsThatDigest() {
        // The token was given as an MD5: only an MD5 key can meet it
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.EMAIL, MD5_ONLY_EMAIL))).isEqualTo("md5-canary");
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.EMAIL, " MD5only@Example.com"))).isEqualTo("md5-canary");
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.EMAIL, HashForm.MD5.hex(MD5_ONLY_EMAIL))))
                .isEqualTo("md5-canary");
        // A digest in another form cannot be compared with it
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.EMAIL, HashForm.SHA256.hex(MD5_ONLY_EMAIL)))).isNull();
    }

    @Test
    void anIdentifierThatIsNoHoneytokenHasNoLabel() {
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.PHONE, "+1 415 555 0101"))).isNull();
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.EMAIL, "someone@example.com"))).isNull();
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.EMAIL, HashForm.SHA1.hex("someone@example.com"))))
                .isNull();
        assertThat(TOKENS.labelOf(ok(NO_REGION, IdentifierKind.MOBILE_AD_ID, IdentifierNormalizer.LIMIT_AD_TRACKING_AD_ID)))
                .isNull();
        assertThat(Honeytokens.none().labelOf(ok(NO_REGION, IdentifierKind.PHONE, PHONE))).isNull();
        assertThat(Honeytokens.none().size()).isZero();
        assertThat(Honeytokens.of(List.of(), NO_REGION).labelOf(ok(NO_REGION, IdentifierKind.PHONE, PHONE))).isNull();
    }

    @Test
    void aHoneytokenFoundInFreeTextHasItsLabel() {
        String text = "forwarding to ads: user mail Canary@Example.com, hash " + HashForm.SHA1.hex(PHONE);

        List<String> labels = IdentifierCandidates.find(NO_REGION, text).candidates().stream()
                .map(TOKENS::labelOf).filter(java.util.Objects::nonNull).toList();

        assertThat(labels).containsExactlyInAnyOrder("mail-canary", "phone-canary");
    }

    @Test
    void honeytokensAreKeyedInTheNormalizersForms() {
        IdentifierNormalizer.Configured sha256Only =
                IdentifierNormalizer.of(new IdentityOptions(null, false, Set.of(HashForm.SHA256)));
        Honeytokens tokens = Honeytokens.of(
                List.of(new Honeytokens.Token("phone-canary", IdentifierKind.PHONE, PHONE)), sha256Only);

        assertThat(tokens.labelOf(ok(NO_REGION, IdentifierKind.PHONE, HashForm.SHA256.hex(PHONE))))
                .isEqualTo("phone-canary");
        assertThat(tokens.labelOf(ok(NO_REGION, IdentifierKind.PHONE, HashForm.MD5.hex(PHONE)))).isNull();
    }

    // ---- configuration errors -----------------------------------------------------------------------------------

    @Test
    void aDuplicateLabelIsRejectedByIndexAndLabelNeverByValue() {
        String secret = "+1 415 555 0199";
        List<Honeytokens.Token> tokens = List.of(
                new Honeytokens.Token("canary", IdentifierKind.PHONE, PHONE),
                new Honeytokens.Token("other", IdentifierKind.EMAIL, EMAIL),
                new Honeytokens.Token("canary", IdentifierKind.PHONE, secret));

        assertThatThrownBy(() -> Honeytokens.of(tokens, NO_REGION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("honeytokens[2]")
                .hasMessageContaining("'canary'")
                .hasMessageContaining("honeytokens[0]")
                .message().doesNotContain(secret).doesNotContain("4155550199").doesNotContain(PHONE);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", " ", "\t\n"})
    void aBlankLabelIsRejectedByIndexNeverByValue(String label) {
        String secret = "hidden.person@example.com";
        List<Honeytokens.Token> tokens = List.of(
                new Honeytokens.Token("canary", IdentifierKind.PHONE, PHONE),
                new Honeytokens.Token(label, IdentifierKind.EMAIL, secret));

        assertThatThrownBy(() -> Honeytokens.of(tokens, NO_REGION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("honeytokens[1]")
                .hasMessageContaining("label")
                .message().doesNotContain(secret).doesNotContain("hidden");
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @ValueSource(strings = {"555-0199 call me", "not-an-email.example.com", "", "6f1ed002-ab5d-42f3-8c0b"})
    void anInvalidValueIsRejectedByIndexAndLabelNeverByValue(String value) {
        IdentifierKind kind = value.contains("call") ? IdentifierKind.PHONE
                : value.startsWith("6f1") ? IdentifierKind.MOBILE_AD_ID : IdentifierKind.EMAIL;
        List<Honeytokens.Token> tokens = List.of(
                new Honeytokens.Token("canary", IdentifierKind.PHONE, PHONE),
                new Honeytokens.Token("bad-one", kind, value));

        assertThatThrownBy(() -> Honeytokens.of(tokens, NO_REGION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("honeytokens[1]")
                .hasMessageContaining("'bad-one'")
                .hasMessageContaining(kind.name())
                .satisfies(e -> {
                    if (!value.isEmpty()) {
                        assertThat(e.getMessage()).doesNotContain(value);
                    }
                });
    }

    @Test
    void aDigestOfADisabledFormIsAnInvalidValue() {
        IdentifierNormalizer.Configured sha256Only =
                IdentifierNormalizer.of(new IdentityOptions(null, false, Set.of(HashForm.SHA256)));
        String md5 = HashForm.MD5.hex(EMAIL);

        assertThatThrownBy(() -> Honeytokens.of(
                List.of(new Honeytokens.Token("md5-canary", IdentifierKind.EMAIL, md5)), sha256Only))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("honeytokens[0]")
                .hasMessageContaining("'md5-canary'")
                .hasMessageContaining("MD5")
                .message().doesNotContain(md5);
    }

    @Test
    void aTokenHasALabelAKindAndAValue() {
        assertThatThrownBy(() -> new Honeytokens.Token(null, IdentifierKind.PHONE, PHONE))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Honeytokens.Token("x", null, PHONE)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Honeytokens.Token("x", IdentifierKind.PHONE, null))
                .isInstanceOf(NullPointerException.class);
    }
}
