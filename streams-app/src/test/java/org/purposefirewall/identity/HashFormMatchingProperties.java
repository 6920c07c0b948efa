package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.identity.IdentifierArbitraries.randomCase;

import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The requirement: a registration stored under every hash form matches every spelling of its identifier,
 * formatted or hashed in any form and case; and no two distinct identifiers share a key. (The spellings and encodings
 * particular ad platforms use are {@link PlatformFormsProperties}'.)
 */
class HashFormMatchingProperties {

    private static final IdentifierNormalizer.Configured NO_REGION = IdentifierNormalizer.of(IdentityOptions.defaults());

    /**
     * One identifier and one way of writing it.
     *
     * @param kind PHONE or EMAIL
     * @param canonical its canonical form (E.164, or the lowercase address)
     * @param spelling how it is written
     * @param defaultRegion the region whose plan reads {@code spelling}, or null if it needs none
     * @param how a label for statistics
     */
    record Spelling(IdentifierKind kind, String canonical, String spelling, String defaultRegion, String how) {
        Normalization normalized() {
            return (defaultRegion == null ? NO_REGION : IdentifierNormalizer.of(new IdentityOptions(defaultRegion)))
                    .normalize(kind, spelling);
        }
    }

    // ---- every spelling meets the registration -----------------------------------------------------------------

    @Property(tries = 3000)
    void everySpellingOfAnIdentifierSharesAKeyWithItsRawRegistration(@ForAll("spellings") Spelling written) {
        Statistics.collect(written.kind(), written.how());
        // Given the registration of the identifier in its canonical form: a key in every form
        Normalization.Ok registration = ok(NO_REGION.normalize(written.kind(), written.canonical()));
        assertThat(registration).isEqualTo(Expected.raw(written.kind(), written.canonical()));

        // When a record carries it spelled some way (formatted, or as a digest in any form and case)
        Normalization.Ok lookup = ok(written.normalized());

        // Then the lookup shares a (form, key) pair with the registration
        assertThat(sharedKeys(registration, lookup)).as(written.toString()).isNotEmpty();
        if (lookup.arrivedHashed()) {
            assertThat(lookup.keys().all()).hasSize(1);
            HashForm form = lookup.keys().arrivedAs();
            assertThat(lookup.keys().get(form)).isEqualTo(registration.keys().get(form));
        } else {
            // The canonical reading's keys, first; a national spelling may add its international reading's keys
            assertThat(lookup.keys().all()).startsWith(registration.keys().all().toArray(new MatchKeys.Key[0]));
        }
    }

    @Property(tries = 2000)
    void aRegistrationThatArrivedAsADigestMatchesEveryRawSpelling(@ForAll("rawSpellings") Spelling written,
                                                                  @ForAll HashForm form,
                                                                  @ForAll("caseMasks") List<Boolean> upper) {
        // Given a registration that arrived as a digest of the identifier, in any form and case
        Normalization.Ok registration =
                ok(NO_REGION.normalize(written.kind(), randomCase(form.hex(written.canonical()), upper)));
        assertThat(registration.keys()).isEqualTo(MatchKeys.ofDigest(form, form.hex(written.canonical())));

        // When a record carries the identifier raw, spelled some way
        Normalization.Ok lookup = ok(written.normalized());

        // Then the lookup holds the registration's key in the registration's form
        assertThat(sharedKeys(registration, lookup)).containsExactly(new MatchKeys.Key(form, form.hex(written.canonical())));
    }

    @Property(tries = 2000)
    void distinctIdentifiersShareNoKey(@ForAll("canonicalIdentifiers") Spelling a,
                                       @ForAll("canonicalIdentifiers") Spelling b) {
        // Two addresses some platform takes for one (a +tag, Gmail's dots) are one identifier: they share keys
        // (PlatformFormsProperties checks exactly when); all others are distinct
        Assume.that(!(a.kind() == b.kind() && identity(a).equals(identity(b))));
        Statistics.collect(a.kind() == b.kind() ? "same kind" : "different kinds");

        Normalization.Ok first = ok(NO_REGION.normalize(a.kind(), a.canonical()));
        Normalization.Ok second = ok(NO_REGION.normalize(b.kind(), b.canonical()));

        assertThat(sharedKeys(first, second)).isEmpty();
        // Nor does one identifier's key in one form equal another's in a different form (lengths differ)
        assertThat(first.keys().all()).extracting(MatchKeys.Key::hex)
                .doesNotContainAnyElementsOf(second.keys().all().stream().map(MatchKeys.Key::hex).toList());
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static String identity(Spelling s) {
        return s.kind() == IdentifierKind.EMAIL ? Expected.emailIdentity(s.canonical()) : s.canonical();
    }

    private static Normalization.Ok ok(Normalization result) {
        assertThat(result).isInstanceOf(Normalization.Ok.class);
        return (Normalization.Ok) result;
    }

    /** The keys (form and digest) both hold. */
    static List<MatchKeys.Key> sharedKeys(Normalization.Ok a, Normalization.Ok b) {
        return a.keys().all().stream().filter(b.keys().all()::contains).toList();
    }

    // ---- generators --------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Spelling> spellings() {
        return Arbitraries.oneOf(rawSpellings(), digestSpellings());
    }

    @Provide
    Arbitrary<Spelling> rawSpellings() {
        return Arbitraries.oneOf(phoneSpellings(), emailSpellings());
    }

    /** Phone numbers: formatted by libphonenumber, written nationally, or with random separators and scripts. */
    private Arbitrary<Spelling> phoneSpellings() {
        Arbitrary<Spelling> formatted = IdentifierArbitraries.formattedPhones()
                .map(p -> new Spelling(IdentifierKind.PHONE, "+" + p.digits(), p.spelling(), null, "formatted"));
        Arbitrary<Spelling> national = IdentifierArbitraries.nationalSpellings()
                .map(p -> new Spelling(IdentifierKind.PHONE, "+" + p.digits(), p.spelling(), p.region(), "national"));
        Arbitrary<Spelling> random = IdentifierArbitraries.phoneSpellings()
                .map(p -> new Spelling(IdentifierKind.PHONE, "+" + p.digits(), p.spelling(), null, "random"));
        return Arbitraries.oneOf(formatted, national, random);
    }

    /** Email addresses: in random case with padding, or in full-width characters. */
    private Arbitrary<Spelling> emailSpellings() {
        return Combinators.combine(IdentifierArbitraries.emailSpellings(), Arbitraries.of(false, false, true))
                .as((e, wide) -> wide
                        ? new Spelling(IdentifierKind.EMAIL, e.canonical(), IdentifierArbitraries.fullWidth(
                                e.spelling()), null, "full-width")
                        : new Spelling(IdentifierKind.EMAIL, e.canonical(), e.spelling(), null, "cased"));
    }

    /** The digest of a phone number's or email address's canonical form, in any form and case, maybe padded. */
    private Arbitrary<Spelling> digestSpellings() {
        Arbitrary<String> letterCase = Arbitraries.of("lower", "upper", "mixed");
        return Combinators.combine(canonicalIdentifiers(), Arbitraries.of(HashForm.class), letterCase,
                        IdentifierArbitraries.caseMasks(), IdentifierArbitraries.padding())
                .as((id, form, how, mask, pad) -> {
                    String digest = form.hex(id.canonical());
                    String cased = switch (how) {
                        case "lower" -> digest;
                        case "upper" -> digest.toUpperCase(Locale.ROOT);
                        default -> randomCase(digest, mask);
                    };
                    return new Spelling(id.kind(), id.canonical(), pad + cased + pad, null, form + " " + how);
                });
    }

    @Provide
    Arbitrary<Spelling> canonicalIdentifiers() {
        Arbitrary<Spelling> phones = IdentifierArbitraries.e164Digits()
                .map(d -> new Spelling(IdentifierKind.PHONE, "+" + d, "+" + d, null, "e164"));
        Arbitrary<Spelling> emails = IdentifierArbitraries.emailSpellings()
                .map(e -> new Spelling(IdentifierKind.EMAIL, e.canonical(), e.canonical(), null, "canonical"));
        return Arbitraries.oneOf(phones, emails);
    }

    @Provide
    Arbitrary<List<Boolean>> caseMasks() {
        return IdentifierArbitraries.caseMasks();
    }
}
