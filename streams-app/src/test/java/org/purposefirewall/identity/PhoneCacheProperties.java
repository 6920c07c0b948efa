package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The phone-number cache in front of libphonenumber can only make normalization faster, never different: for any
 * spelling, in any region, a normalizer with the cache (even a tiny one, so that slots collide and are replaced
 * constantly) gives exactly what one without it gives, the first time and every time after.
 */
class PhoneCacheProperties {

    private static final IdentifierNormalizer.Configured UNCACHED_NO_REGION =
            IdentifierNormalizer.of(new IdentityOptions(null, false, IdentityOptions.ALL_HASH_FORMS, 0));
    /** Eight slots: constant collisions. */
    private static final IdentifierNormalizer.Configured TINY_CACHE_NO_REGION =
            IdentifierNormalizer.of(new IdentityOptions(null, false, IdentityOptions.ALL_HASH_FORMS, 8));

    @Property(tries = 2000)
    void aCachedResultIsTheUncachedResult(@ForAll("spellings") String spelling) {
        Normalization expected = UNCACHED_NO_REGION.normalize(IdentifierKind.PHONE, spelling);

        assertThat(TINY_CACHE_NO_REGION.normalize(IdentifierKind.PHONE, spelling)).isEqualTo(expected);
        assertThat(TINY_CACHE_NO_REGION.normalize(IdentifierKind.PHONE, spelling)).isEqualTo(expected);
        assertThat(IdentifierNormalizer.normalize(IdentifierKind.PHONE, spelling)).isEqualTo(expected);
    }

    @Property(tries = 500)
    void nationalSpellingsGiveTheUncachedResultInTheirOwnRegionAndInAnother(
            @ForAll("national") IdentifierArbitraries.NationalSpelling national) {
        // Read in a default region, national digits go through the cache under that region's key
        IdentifierNormalizer.Configured cached = IdentifierNormalizer.of(new IdentityOptions(national.region()));
        IdentifierNormalizer.Configured uncached = IdentifierNormalizer.of(
                new IdentityOptions(national.region(), false, IdentityOptions.ALL_HASH_FORMS, 0));
        String other = national.region().equals("US") ? "GB" : "US";
        IdentifierNormalizer.Configured otherCached = IdentifierNormalizer.of(new IdentityOptions(other));
        IdentifierNormalizer.Configured otherUncached = IdentifierNormalizer.of(
                new IdentityOptions(other, false, IdentityOptions.ALL_HASH_FORMS, 0));

        assertThat(cached.normalize(IdentifierKind.PHONE, national.spelling()))
                .isEqualTo(uncached.normalize(IdentifierKind.PHONE, national.spelling()));
        assertThat(otherCached.normalize(IdentifierKind.PHONE, national.spelling()))
                .isEqualTo(otherUncached.normalize(IdentifierKind.PHONE, national.spelling()));
    }

    @Example
    void threadsSharingOneCacheAllSeeTheUncachedResults() throws Exception {
        IdentifierNormalizer.Configured shared =
                IdentifierNormalizer.of(new IdentityOptions(null, false, IdentityOptions.ALL_HASH_FORMS, 64));
        List<String> numbers = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            numbers.add(String.format("+44 20 7946 %04d", i));
            numbers.add(String.format("+1 415 555 %04d", i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> mismatches = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 97;
                mismatches.add(pool.submit(() -> {
                    int wrong = 0;
                    for (int round = 0; round < 5; round++) {
                        for (int i = 0; i < numbers.size(); i++) {
                            String n = numbers.get((i + offset) % numbers.size());
                            if (!shared.normalize(IdentifierKind.PHONE, n)
                                    .equals(UNCACHED_NO_REGION.normalize(IdentifierKind.PHONE, n))) {
                                wrong++;
                            }
                        }
                    }
                    return wrong;
                }));
            }
            for (Future<Integer> f : mismatches) {
                assertThat(f.get()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Example
    void theCacheSizeIsBoundedAndRoundedToAPowerOfTwo() {
        assertThat(new ParseCache(0).capacity()).isZero();
        assertThat(new ParseCache(1).capacity()).isEqualTo(1);
        assertThat(new ParseCache(1000).capacity()).isEqualTo(1024);
        assertThat(new ParseCache(1024).capacity()).isEqualTo(1024);
        assertThat(new ParseCache(IdentityOptions.DEFAULT_PHONE_CACHE_ENTRIES).capacity()).isEqualTo(65_536);
        assertThatThrownBy(() -> new IdentityOptions(null, false, IdentityOptions.ALL_HASH_FORMS, -1))
                .hasMessageStartingWith("phone-cache-entries:");
        assertThatThrownBy(() -> new IdentityOptions(null, false, IdentityOptions.ALL_HASH_FORMS,
                IdentityOptions.MAX_PHONE_CACHE_ENTRIES + 1)).hasMessageStartingWith("phone-cache-entries:");
        // A cache that is off stores nothing
        ParseCache off = new ParseCache(0);
        off.put("ZZ+14155550100", new Normalization.Invalid(IdentifierError.INVALID_PHONE, "x"));
        assertThat(off.get("ZZ+14155550100")).isNull();
    }

    @Provide
    Arbitrary<String> spellings() {
        return net.jqwik.api.Arbitraries.oneOf(
                IdentifierArbitraries.phoneSpellings().map(IdentifierArbitraries.PhoneSpelling::spelling),
                IdentifierArbitraries.formattedPhones().map(IdentifierArbitraries.PhoneSpelling::spelling),
                net.jqwik.api.Arbitraries.strings().numeric().withChars("+ -()").ofMaxLength(20));
    }

    @Provide
    Arbitrary<IdentifierArbitraries.NationalSpelling> national() {
        return IdentifierArbitraries.nationalSpellings();
    }
}
