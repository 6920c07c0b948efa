package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class HashFormTest {

    // ---- digests -----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}(\"{1}\")")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // RFC 1321, FIPS 180 test vectors
        "MD5    | \"\"  | d41d8cd98f00b204e9800998ecf8427e",
        "MD5    | abc   | 900150983cd24fb0d6963f7d28e17f72",
        "SHA1   | \"\"  | da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "SHA1   | abc   | a9993e364706816aba3e25717850c26c9cd0d89d",
        "SHA256 | \"\"  | e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "SHA256 | abc   | ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        // UTF-8 bytes of non-ASCII text (computed with Python's hashlib)
        "MD5    | é     | 66ddcd97cfdeabb2f6fb8a999b4bc76f",
        "SHA1   | é     | bf15be717ac1b080b4f1c456692825891ff5073d",
        "SHA256 | é     | 4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c",
        "SHA256 | Grüße, 世界 | 49837434716aa6f6917104cbba82bd5b8e82a970ddc5bfef7bcc45e3d6ea60b6",
        // the canonical phone number the other tests use
        "MD5    | +14155550100 | 206a9261d821e93b22b142dd37e59d9d",
        "SHA1   | +14155550100 | 069e175e2bdfaf2779e43bb10dee192f77a47cc9",
        "SHA256 | +14155550100 | 40d3f4e02db27d66cf4cfdda506c2c945f115a7955cc8491dda98ce5beabcda0",
    })
    void theDigestOfKnownTextIsTheKnownVector(HashForm form, String text, String expected) {
        // Given a published test vector
        // When the text is digested in that form
        // Then the lowercase hex and the bytes are the vector's
        assertThat(form.hex(text)).isEqualTo(expected);
        assertThat(form.bytes(text)).isEqualTo(HexFormat.of().parseHex(expected));
    }

    @ParameterizedTest
    @EnumSource(HashForm.class)
    void aFormsLengthsAndNameAgree(HashForm form) throws Exception {
        // Given a form
        // Then its digest has hexLength hex digits and byteLength bytes, and its algorithm is a JCA name
        assertThat(form.hex("anything")).hasSize(form.hexLength()).matches("[0-9a-f]+");
        assertThat(form.bytes("anything")).hasSize(form.byteLength());
        assertThat(form.hexLength()).isEqualTo(2 * form.byteLength());
        assertThat(MessageDigest.getInstance(form.algorithm()).getDigestLength()).isEqualTo(form.byteLength());
    }

    @Test
    void theFormsAreSha256Sha1AndMd5WithTheirHexLengths() {
        assertThat(HashForm.values()).containsExactly(HashForm.SHA256, HashForm.SHA1, HashForm.MD5);
        assertThat(HashForm.SHA256.algorithm()).isEqualTo("SHA-256");
        assertThat(HashForm.SHA1.algorithm()).isEqualTo("SHA-1");
        assertThat(HashForm.MD5.algorithm()).isEqualTo("MD5");
        assertThat(HashForm.SHA256.hexLength()).isEqualTo(64);
        assertThat(HashForm.SHA1.hexLength()).isEqualTo(40);
        assertThat(HashForm.MD5.hexLength()).isEqualTo(32);
    }

    @Test
    void sha256IsTheSha256Form() {
        assertThat(Sha256.hex("abc")).isEqualTo(HashForm.SHA256.hex("abc"));
        assertThat(Sha256.looksLikeHex(HashForm.SHA256.hex("abc").toUpperCase(Locale.ROOT))).isTrue();
        assertThat(Sha256.looksLikeHex(HashForm.SHA1.hex("abc"))).isFalse();
    }

    @Test
    void digestsOnManyThreadsAtOnceAreEachCorrect() throws Exception {
        // Given one digest object per thread per form, reused across calls
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    List<String> wrong = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        String text = "thread " + thread + " item " + i;
                        for (HashForm form : HashForm.values()) {
                            String expected = HexFormat.of().formatHex(MessageDigest.getInstance(form.algorithm())
                                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                            if (!form.hex(text).equals(expected)) {
                                wrong.add(form + ": " + text);
                            }
                        }
                    }
                    return wrong;
                }));
            }
            // When they digest concurrently
            // Then every digest is that of a fresh MessageDigest
            for (Future<List<String>> f : work) {
                assertThat(f.get()).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- ofHex -------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(HashForm.class)
    void hexOfAFormsLengthIsThatForm(HashForm form) {
        // Given a digest of the form, in lower, upper and mixed case
        String lower = form.hex("someone@example.com");
        String upper = lower.toUpperCase(Locale.ROOT);
        String mixed = lower.substring(0, 10) + upper.substring(10);

        // Then ofHex names the form for each
        assertThat(HashForm.ofHex(lower)).isEqualTo(form);
        assertThat(HashForm.ofHex(upper)).isEqualTo(form);
        assertThat(HashForm.ofHex(mixed)).isEqualTo(form);
        assertThat(HashForm.ofHex(new StringBuilder(lower))).isEqualTo(form);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16, 31, 33, 39, 41, 48, 63, 65, 128})
    void hexOfAnyOtherLengthIsNoForm(int length) {
        assertThat(HashForm.ofHex("a".repeat(length))).isNull();
        assertThat(HashForm.ofHex("0".repeat(length))).isNull();
    }

    @ParameterizedTest
    @EnumSource(HashForm.class)
    void aSingleNonHexCharacterMakesItNoForm(HashForm form) {
        String digest = form.hex("x");
        for (String bad : List.of("g", "G", "-", " ", "z", "\u0000", "é")) {
            for (int at : new int[] {0, digest.length() / 2, digest.length() - 1}) {
                String spoiled = digest.substring(0, at) + bad + digest.substring(at + 1);
                assertThat(spoiled).hasSize(form.hexLength());
                assertThat(HashForm.ofHex(spoiled)).as("%s at %d", bad, at).isNull();
            }
        }
    }

    @ParameterizedTest(name = "zero U+{0}")
    @ValueSource(ints = {0x0660 /* Arabic-Indic */, 0x06F0, 0x0966 /* Devanagari */, 0xFF10 /* full-width */,
        0x0E50 /* Thai */})
    void digitsOfOtherScriptsAreNotHexDigits(int zero) {
        // Given digits that Character.digit reads as values, in each form's length
        for (HashForm form : HashForm.values()) {
            String digits = IdentifierArbitraries.inScript("0123456789".repeat(7).substring(0, form.hexLength()), zero);
            assertThat(digits).hasSize(form.hexLength());
            // Then they are no digest: only ASCII hex digits are
            assertThat(HashForm.ofHex(digits)).isNull();
        }
        // Nor are full-width hex letters
        assertThat(HashForm.ofHex("\uFF41".repeat(32))).isNull();
    }

    // ---- parse -------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SHA-256 | SHA256", "sha-256 | SHA256", "sha256 | SHA256", "SHA_256 | SHA256", "' Sha-256 ' | SHA256",
        "SHA-1 | SHA1", "sha1 | SHA1", "Sha-1 | SHA1",
        "MD5 | MD5", "md5 | MD5", "Md5 | MD5",
    })
    void aConfiguredNameParsesToItsForm(String name, HashForm expected) {
        assertThat(HashForm.parse(name)).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(HashForm.class)
    void everyAlgorithmNameParsesBackToItsForm(HashForm form) {
        assertThat(HashForm.parse(form.algorithm())).isEqualTo(form);
        assertThat(HashForm.parse(form.name())).isEqualTo(form);
    }

    @ParameterizedTest(name = "''{0}''")
    @NullAndEmptySource
    @ValueSource(strings = {"SHA-512", "SHA", "sha-2", "MD4", "md 5", "sha256sum", "HMAC-SHA256", "bcrypt", " "})
    void anUnknownNameIsRejectedNamingTheFormsThatExist(String name) {
        assertThatThrownBy(() -> HashForm.parse(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + name + "'")
                .hasMessageContaining("SHA-256").hasMessageContaining("SHA-1").hasMessageContaining("MD5");
    }
}
