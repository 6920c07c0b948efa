package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;

import static org.purposefirewall.identity.IdentifierArbitraries.randomCase;

import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.purposefirewall.identity.IdentifierArbitraries.EmailSpelling;
import org.purposefirewall.identity.IdentifierArbitraries.NationalSpelling;
import org.purposefirewall.identity.IdentifierArbitraries.PhoneSpelling;

/**
 * Robustness and formatting invariance of {@link IdentifierNormalizer}: it never throws, never echoes its input in
 * an error, and gives one match key for every spelling of one identifier.
 */
class IdentifierNormalizerProperties {

    // ---- never throws, never echoes ---------------------------------------------------------------------------

    @Property(tries = 3000)
    void normalizeNeverThrowsAndNeverEchoesItsInput(@ForAll("anyStrings") String input,
                                                    @ForAll IdentifierKind kind) {
        Normalization result = IdentifierNormalizer.normalize(kind, input);
        Statistics.collect(result.getClass().getSimpleName(),
                result instanceof Normalization.Invalid invalid ? invalid.error() : kind);

        assertThat(result).isNotNull();
        if (result instanceof Normalization.Ok ok) {
            assertThat(ok.kind()).isEqualTo(kind);
            assertWellFormedKeys(ok);
        } else if (result instanceof Normalization.Invalid invalid) {
            assertThat(invalid.detail()).isNotBlank();
            if (input.length() >= 4) {
                assertThat(invalid.detail()).doesNotContain(input);
            }
            if (input.length() > IdentifierNormalizer.MAX_INPUT_LENGTH) {
                assertThat(invalid.error()).isEqualTo(IdentifierError.TOO_LONG);
            }
        } else {
            throw new AssertionError("neither Ok nor Invalid: " + result);
        }
    }

    @Property(tries = 3000)
    void identifierShapedInputNeverThrowsEither(@ForAll("identifierShapedStrings") String input,
                                                @ForAll IdentifierKind kind) {
        Normalization result = IdentifierNormalizer.normalize(kind, input);
        Statistics.collect(kind, result.getClass().getSimpleName());

        assertThat(result).isInstanceOfAny(Normalization.Ok.class, Normalization.Invalid.class);
        if (result instanceof Normalization.Invalid invalid && input.length() >= 4) {
            assertThat(invalid.detail()).doesNotContain(input);
        }
        if (result instanceof Normalization.Ok ok) {
            assertWellFormedKeys(ok);
        }
        Statistics.coverage(c -> c.check(IdentifierKind.EMAIL, "Ok").count(n -> n > 0));
    }

    // ---- one key per identifier -------------------------------------------------------------------------------

    @Property(tries = 2000)
    void everySpellingOfAPhoneNumberGivesTheKeyOfItsE164Form(@ForAll("phoneSpellings") PhoneSpelling phone) {
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.PHONE, phone.spelling());

        assertThat(result).isEqualTo(Expected.raw(IdentifierKind.PHONE, "+" + phone.digits()));
    }

    @Property(tries = 1000)
    void aNationalSpellingInItsDefaultRegionGivesTheKeysOfItsE164Form(
            @ForAll("nationalSpellings") NationalSpelling phone) {
        Normalization result = IdentifierNormalizer.of(new IdentityOptions(phone.region()))
                .normalize(IdentifierKind.PHONE, phone.spelling());

        // The E.164 number's keys first, forwarded; when its national digits are also a possible international
        // number (country code and number without '+', as ad platforms write them), that reading's keys follow
        MatchKeys expected = Expected.keys(IdentifierKind.PHONE, "+" + phone.digits(), IdentityOptions.ALL_HASH_FORMS);
        assertThat(result).isInstanceOfSatisfying(Normalization.Ok.class, ok -> {
            assertThat(ok.keys().all()).startsWith(expected.all().toArray(new MatchKeys.Key[0]));
            assertThat(ok.keys().forwardKey()).isEqualTo(expected.forwardKey());
            if (ok.keys().all().size() > expected.all().size()) {
                Statistics.collect("also read as international");
                String nationalDigits = phone.spelling().codePoints().filter(Character::isDigit)
                        .map(c -> '0' + Character.digit(c, 10))
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
                assertThat(ok.keys().all()).endsWith(Expected.keys(IdentifierKind.PHONE, "+" + nationalDigits,
                        IdentityOptions.ALL_HASH_FORMS).all().toArray(new MatchKeys.Key[0]));
            }
        });
    }

    @Property(tries = 2000)
    void everySpellingOfAnEmailAddressGivesTheKeyOfItsLowercaseForm(@ForAll("emailSpellings") EmailSpelling email) {
        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.EMAIL, email.spelling());

        assertThat(result).isEqualTo(Expected.raw(IdentifierKind.EMAIL, email.canonical()));
    }

    @Property(tries = 1000)
    void everySpellingOfAMobileAdIdGivesOneKey(@ForAll("hex32") String hex,
                                               @ForAll("caseMasks") List<Boolean> upper,
                                               @ForAll boolean dashed) {
        String canonical = hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
        String spelling = randomCase(dashed ? canonical : hex, upper);

        Normalization result = IdentifierNormalizer.normalize(IdentifierKind.MOBILE_AD_ID, spelling);

        assertThat(result).isEqualTo(Expected.adId(spelling, canonical,
                canonical.equals(IdentifierNormalizer.LIMIT_AD_TRACKING_AD_ID)));
    }

    @Property(tries = 1000)
    void aDigestInAnyCaseIsTakenAsTheMatchKeyForEveryKind(@ForAll String anything,
                                                          @ForAll("caseMasks") List<Boolean> upper,
                                                          @ForAll("padding") String pad,
                                                          @ForAll IdentifierKind kind) {
        String digest = Sha256.hex(anything);

        Normalization result = IdentifierNormalizer.normalize(kind, pad + randomCase(digest, upper) + pad);

        assertThat(result).isEqualTo(Expected.hashed(kind, HashForm.SHA256, digest));
    }

    /**
     * The keys are lowercase hex of their form's length: a SHA-256 key for a raw identifier (and one in every other
     * form), or exactly the one key of the form it arrived in.
     */
    static void assertWellFormedKeys(Normalization.Ok ok) {
        ok.keys().all().forEach(key -> assertThat(key.hex()).matches("[0-9a-f]{" + key.form().hexLength() + "}"));
        if (ok.arrivedHashed()) {
            assertThat(ok.keys().all()).extracting(MatchKeys.Key::form).containsExactly(ok.keys().arrivedAs());
        } else {
            assertThat(ok.sha256Hex()).matches("[0-9a-f]{64}");
            // Every spelling in every form: the forms repeat in enum order, spelling by spelling; an ad id written as
            // 32 hex digits also has the MD5 reading of those digits, last
            List<HashForm> forms = ok.keys().all().stream().map(MatchKeys.Key::form).toList();
            if (ok.kind() == IdentifierKind.MOBILE_AD_ID && forms.size() % HashForm.values().length == 1) {
                assertThat(forms.get(forms.size() - 1)).isEqualTo(HashForm.MD5);
                forms = forms.subList(0, forms.size() - 1);
            }
            assertThat(forms.size() % HashForm.values().length).isZero();
            for (int i = 0; i < forms.size(); i++) {
                assertThat(forms.get(i)).isEqualTo(HashForm.values()[i % HashForm.values().length]);
            }
        }
    }

    // ---- generators (shared with the other properties of this package) --------------------------------------

    @Provide
    Arbitrary<String> anyStrings() {
        return IdentifierArbitraries.anyStrings();
    }

    @Provide
    Arbitrary<String> identifierShapedStrings() {
        return IdentifierArbitraries.identifierShapedStrings();
    }

    @Provide
    Arbitrary<PhoneSpelling> phoneSpellings() {
        return IdentifierArbitraries.phoneSpellings();
    }

    @Provide
    Arbitrary<NationalSpelling> nationalSpellings() {
        return IdentifierArbitraries.nationalSpellings();
    }

    @Provide
    Arbitrary<EmailSpelling> emailSpellings() {
        return IdentifierArbitraries.emailSpellings();
    }

    @Provide
    Arbitrary<String> hex32() {
        return IdentifierArbitraries.hex32();
    }

    @Provide
    Arbitrary<List<Boolean>> caseMasks() {
        return IdentifierArbitraries.caseMasks();
    }

    @Provide
    Arbitrary<String> padding() {
        return IdentifierArbitraries.padding();
    }
}
