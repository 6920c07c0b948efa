package org.purposefirewall.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.net.IDN;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.purposefirewall.identity.IdentifierArbitraries.EmailSpelling;
import org.purposefirewall.identity.IdentifierArbitraries.PhoneSpelling;

/**
 * The issue's requirement (part 2): whatever normalization, hash and encoding an ad platform documents, the digest it
 * would compute of a registered identifier shares a key with that identifier's raw registration; and addresses share
 * keys exactly when some platform takes them for one.
 *
 * <p>The platform forms are written here from each platform's documentation (the README's table lists the sources),
 * independently of {@link PlatformSpellings}, and applied to the canonical identifier as the platform would.
 */
class PlatformFormsProperties {

    private static final IdentifierNormalizer.Configured NO_REGION = IdentifierNormalizer.of(IdentityOptions.defaults());
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    /** How a platform writes a phone number before hashing, from its E.164 form. */
    enum PhoneForm {
        /** Google Customer Match and Data Manager, UID2, TikTok's older customer-file format. */
        E164(e164 -> e164),
        /** Meta, Snap, TikTok, Amazon: country code and number, digits only. */
        DIGITS_WITHOUT_PLUS(e164 -> e164.substring(1));

        final UnaryOperator<String> write;

        PhoneForm(UnaryOperator<String> write) {
            this.write = write;
        }
    }

    /** How a platform writes an email address before hashing, from its trimmed, lower-cased form. */
    enum EmailForm {
        /** Meta, X, LinkedIn, Snap, Amazon (and Google, UID2, TikTok for most addresses): trimmed, lower case. */
        AS_GIVEN(address -> address),
        /** TikTok: the '+' and what follows it up to the '@' removed, at any domain. */
        TIKTOK(address -> untagged(address)),
        /** Google Campaign Manager 360 and the older Data Manager rule: gmail.com, googlemail.com without dots. */
        GOOGLE_UNDOTTED(address -> isGmail(address) ? undotted(address) : address),
        /** Google Data Manager: gmail.com and googlemail.com without dots and without the '+tag'. */
        GOOGLE_DATA_MANAGER(address -> isGmail(address) ? undotted(untagged(address)) : address),
        /** UID2: gmail.com (only) without dots and without the '+tag'. */
        UID2(address -> domain(address).equals("gmail.com") ? undotted(untagged(address)) : address),
        /** Any platform hashing an internationalized address as held: the domain in Unicode. */
        UNICODE_DOMAIN(address -> local(address) + "@" + IDN.toUnicode(domain(address)));

        final UnaryOperator<String> write;

        EmailForm(UnaryOperator<String> write) {
            this.write = write;
        }
    }

    /** How a digest is written: hex in either case (every platform), base64 for SHA-256 (UID2, Google Data Manager). */
    enum Encoding {
        HEX_LOWER, HEX_UPPER, BASE64, BASE64_UNPADDED, BASE64_URL_SAFE, BASE64_URL_SAFE_UNPADDED;

        boolean appliesTo(HashForm form) {
            return this == HEX_LOWER || this == HEX_UPPER || form == HashForm.SHA256;
        }

        String encode(HashForm form, String spelling) {
            byte[] digest = form.bytes(spelling);
            return switch (this) {
                case HEX_LOWER -> form.hex(spelling);
                case HEX_UPPER -> form.hex(spelling).toUpperCase(Locale.ROOT);
                case BASE64 -> Base64.getEncoder().encodeToString(digest);
                case BASE64_UNPADDED -> Base64.getEncoder().withoutPadding().encodeToString(digest);
                case BASE64_URL_SAFE -> Base64.getUrlEncoder().encodeToString(digest);
                case BASE64_URL_SAFE_UNPADDED -> Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
            };
        }
    }

    /** Stray characters a copied digest carries: spaces, line ends, zero-width spaces, BOMs, no-break spaces. */
    static final List<String> WRAPPERS = List.of("", " ", "\t", "\r\n", "\u200B", "\uFEFF", "\u00A0", "\u2060",
            " \u200B\u00A0");

    // ---- every platform's digest meets the raw registration ----------------------------------------------------

    @Property(tries = 3000)
    void shouldMatchEveryPlatformsDigestOfAPhoneNumberWithItsRawRegistration(
            @ForAll("formattedPhones") PhoneSpelling registered, @ForAll PhoneForm platform,
            @ForAll("digestWriting") Writing writing) {
        Statistics.collect(platform, writing.form(), writing.encoding());
        String e164 = "+" + registered.digits();

        // Given a phone number registered raw, in some spelling
        Normalization.Ok registration = ok(NO_REGION.normalize(IdentifierKind.PHONE, registered.spelling()));

        // When a record carries the digest a platform computes of it, encoded and wrapped some way
        Normalization.Ok incoming = ok(NO_REGION.normalize(IdentifierKind.PHONE,
                writing.write(platform.write.apply(e164))));

        // Then the incoming digest is one of the registration's keys, in its own form
        assertThat(incoming.keys().arrivedAs()).isEqualTo(writing.form());
        assertThat(registration.keys().sharesKeyWith(incoming.keys()))
                .as("%s of %s as %s", platform, e164, writing).isTrue();
    }

    @Property(tries = 3000)
    void shouldMatchEveryPlatformsDigestOfAnEmailAddressWithItsRawRegistration(
            @ForAll("platformEmails") EmailSpelling registered, @ForAll EmailForm platform,
            @ForAll("digestWriting") Writing writing) {
        Statistics.collect(platform, domainKind(registered.canonical()));

        // Given an address registered raw, in some spelling (case, padding, Unicode or punycode, trailing dot, mailto:)
        Normalization.Ok registration = ok(NO_REGION.normalize(IdentifierKind.EMAIL, registered.spelling()));

        // When a record carries the digest a platform computes of it
        Normalization.Ok incoming = ok(NO_REGION.normalize(IdentifierKind.EMAIL,
                writing.write(platform.write.apply(registered.canonical()))));

        // Then it is one of the registration's keys
        assertThat(incoming.keys().arrivedAs()).isEqualTo(writing.form());
        assertThat(registration.keys().sharesKeyWith(incoming.keys()))
                .as("%s of %s as %s", platform, registered, writing).isTrue();
        // And the registration is forwarded, if ever, as the address as given
        assertThat(registration.keys().forwardKey()).isEqualTo(Sha256.hex(registered.canonical()));
    }

    @Property(tries = 1000)
    void shouldMatchEveryPlatformsDigestOfAnAdIdWithItsRawRegistration(@ForAll("hex32") String hex,
                                                                      @ForAll boolean upperCase,
                                                                      @ForAll("digestWriting") Writing writing) {
        String canonical = hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
        Normalization.Ok registration = ok(NO_REGION.normalize(IdentifierKind.MOBILE_AD_ID, hex));

        // X and Snap hash the lower-case id, TikTok either case; iOS reports an IDFA in upper case
        String platformSpelling = upperCase ? canonical.toUpperCase(Locale.ROOT) : canonical;
        Normalization.Ok incoming = ok(NO_REGION.normalize(IdentifierKind.MOBILE_AD_ID, writing.write(platformSpelling)));

        assertThat(registration.keys().sharesKeyWith(incoming.keys())).as("%s as %s", platformSpelling, writing)
                .isTrue();
    }

    // ---- every platform's raw spelling meets the registration too -----------------------------------------------

    @Property(tries = 2000)
    void shouldMatchAPhoneNumberWrittenTheWayAPlatformOrAUriWritesItWithItsRegistration(
            @ForAll("formattedPhones") PhoneSpelling registered, @ForAll("rawPhoneWritings") String how) {
        String e164 = "+" + registered.digits();
        String region = PHONES.getRegionCodeForNumber(IdentifierArbitraries.parse(registered.digits()));
        Assume.that(region != null && IdentityOptions.supportedRegions().contains(region));
        Statistics.collect(how);
        Normalization.Ok registration = ok(NO_REGION.normalize(IdentifierKind.PHONE, registered.spelling()));

        // A number written without '+' (Meta's form), read where it was collected, or as an RFC 3966 URI
        String written = switch (how) {
            case "digits without plus" -> registered.digits();
            case "tel: global" -> PHONES.format(IdentifierArbitraries.parse(registered.digits()),
                    PhoneNumberUtil.PhoneNumberFormat.RFC3966) + ";ext=12";
            default -> "tel:" + PHONES.getNationalSignificantNumber(IdentifierArbitraries.parse(registered.digits()))
                    + ";phone-context=+" + PHONES.getCountryCodeForRegion(region);
        };
        Normalization incoming = IdentifierNormalizer.of(new IdentityOptions(region))
                .normalize(IdentifierKind.PHONE, written);

        assertThat(incoming).as(written).isInstanceOfSatisfying(Normalization.Ok.class,
                ok -> assertThat(ok.keys().all()).containsAll(registration.keys().all()));
        if (!how.equals("digits without plus")) {
            assertThat(ok(incoming).keys().forwardKey()).isEqualTo(Sha256.hex(e164));
        }
    }

    // ---- and nothing else meets it ------------------------------------------------------------------------------

    @Property(tries = 3000)
    void shouldShareAKeyBetweenTwoAddressesExactlyWhenSomePlatformTakesThemForOne(
            @ForAll("similarEmails") String a, @ForAll("similarEmails") String b) {
        Normalization.Ok first = ok(NO_REGION.normalize(IdentifierKind.EMAIL, a));
        Normalization.Ok second = ok(NO_REGION.normalize(IdentifierKind.EMAIL, b));
        boolean oneAddress = Expected.emailIdentity(a).equals(Expected.emailIdentity(b));
        Statistics.collect(oneAddress ? "one address to some platform" : "distinct", a.equals(b) ? "equal" : "");

        assertThat(first.keys().sharesKeyWith(second.keys())).as("%s and %s", a, b).isEqualTo(oneAddress);
    }

    @Property(tries = 2000)
    void shouldShareNoKeyBetweenDistinctPhoneNumbers(@ForAll("e164Digits") String a, @ForAll("e164Digits") String b) {
        Assume.that(!a.equals(b));

        Normalization.Ok first = ok(NO_REGION.normalize(IdentifierKind.PHONE, "+" + a));
        Normalization.Ok second = ok(NO_REGION.normalize(IdentifierKind.PHONE, "+" + b));

        assertThat(first.keys().sharesKeyWith(second.keys())).isFalse();
        assertThat(first.keys().all()).extracting(MatchKeys.Key::hex)
                .doesNotContainAnyElementsOf(second.keys().all().stream().map(MatchKeys.Key::hex).toList());
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** A digest form, an encoding that applies to it, and what surrounds it. */
    record Writing(HashForm form, Encoding encoding, String before, String after) {
        String write(String spelling) {
            return before + encoding.encode(form, spelling) + after;
        }
    }

    private static Normalization.Ok ok(Normalization result) {
        assertThat(result).isInstanceOf(Normalization.Ok.class);
        return (Normalization.Ok) result;
    }

    private static String local(String address) {
        return address.substring(0, address.lastIndexOf('@'));
    }

    private static String domain(String address) {
        return address.substring(address.lastIndexOf('@') + 1);
    }

    private static boolean isGmail(String address) {
        return domain(address).equals("gmail.com") || domain(address).equals("googlemail.com");
    }

    private static String untagged(String address) {
        int plus = local(address).indexOf('+');
        return plus <= 0 ? address : local(address).substring(0, plus) + "@" + domain(address);
    }

    private static String undotted(String address) {
        return local(address).replace(".", "") + "@" + domain(address);
    }

    private static String domainKind(String address) {
        return isGmail(address) ? "gmail" : domain(address).contains("xn--") ? "internationalized" : "other";
    }

    // ---- generators --------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Writing> digestWriting() {
        return Combinators.combine(Arbitraries.of(HashForm.class), Arbitraries.of(Encoding.class),
                        Arbitraries.of(WRAPPERS), Arbitraries.of(WRAPPERS))
                .as(Writing::new)
                .filter(w -> w.encoding().appliesTo(w.form()));
    }

    @Provide
    Arbitrary<PhoneSpelling> formattedPhones() {
        return IdentifierArbitraries.formattedPhones();
    }

    @Provide
    Arbitrary<String> e164Digits() {
        return IdentifierArbitraries.e164Digits();
    }

    @Provide
    Arbitrary<EmailSpelling> platformEmails() {
        return IdentifierArbitraries.platformEmails();
    }

    @Provide
    Arbitrary<String> rawPhoneWritings() {
        return Arbitraries.of("digits without plus", "tel: global", "tel: local with context");
    }

    @Provide
    Arbitrary<String> hex32() {
        return IdentifierArbitraries.hex32();
    }

    /** Addresses drawn from few parts, so that pairs are often one mailbox to some platform, often not. */
    @Provide
    Arbitrary<String> similarEmails() {
        Arbitrary<String> local = Arbitraries.of("jane", "j.ane", "ja.ne", "jane.doe", "janedoe", "j.a.n.e");
        Arbitrary<String> tag = Arbitraries.of("", "", "+ads", "+2fa", "+a+b");
        Arbitrary<String> domain = Arbitraries.of("gmail.com", "googlemail.com", "example.com", "bücher.de");
        return Combinators.combine(local, tag, domain).as((l, t, d) -> l + t + "@" + IDN.toASCII(d));
    }
}
