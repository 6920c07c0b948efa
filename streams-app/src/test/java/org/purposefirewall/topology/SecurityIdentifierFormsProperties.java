package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.grant;
import static org.purposefirewall.topology.FirewallDriver.registration;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.RegistrationAction;

/**
 * The issue's guarantee, through the whole topology: for any valid phone number and email address registered for
 * security, in whatever spelling, every formatting, every spelling an ad platform hashes it in (the phone number's
 * digits without '+', the address without its +tag or, for Gmail, its dots) and every hash form (SHA-256, SHA-1, MD5,
 * either case, and SHA-256 in base64) of it is quarantined, whether it is the record's identifier or hidden in another
 * field, and none of its forms ever reaches the ad topic. An unregistered identifier of the same user in the same run is forwarded, so the property cannot
 * hold by quarantining everything.
 *
 * <p>One driver serves every try; each try has its own user, so tries cannot see each other's registrations.
 */
class SecurityIdentifierFormsProperties {

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final List<String> REGIONS = List.copyOf(new TreeSet<>(PHONES.getSupportedRegions()));
    private static final List<PhoneNumberUtil.PhoneNumberType> TYPES = List.of(
            PhoneNumberUtil.PhoneNumberType.MOBILE, PhoneNumberUtil.PhoneNumberType.FIXED_LINE);
    private static final long T = 1_700_000_000_000L;
    private static final AtomicLong USERS = new AtomicLong();

    private static Path stateDir;
    private static FirewallDriver fw;

    @BeforeContainer
    static void start() throws IOException {
        stateDir = Files.createTempDirectory("pf-forms-property");
        fw = new FirewallDriver(stateDir);
    }

    @AfterContainer
    static void stop() {
        fw.close();
    }

    @Property(tries = 150)
    void everyFormOfARegisteredSecurityPhoneIsQuarantinedAndNoneIsForwarded(@ForAll("phones") String e164,
                                                                            @ForAll("registrationSpelling") int how) {
        List<String> raw = rawPhoneSpellings(e164);
        List<String> spellings = new ArrayList<>(raw);
        spellings.addAll(digests(List.of(e164, e164.substring(1))));
        checkEveryForm(IdentifierType.PHONE, raw.get(how % raw.size()), e164, spellings, unrelatedPhone(e164));
    }

    /**
     * A registration that arrives as a digest can only be matched in that form (no digest can be turned into
     * another), so registrars should send identifiers raw; but every raw spelling and that form still match.
     */
    @Property(tries = 100)
    void aRegistrationSentAsADigestStopsEveryRawSpellingAndItsOwnForm(@ForAll("phones") String e164,
                                                                     @ForAll HashForm form) {
        List<String> matchable = new ArrayList<>(rawPhoneSpellings(e164));
        matchable.add(form.hex(e164));
        matchable.add(form.hex(e164).toUpperCase(Locale.ROOT));
        checkEveryForm(IdentifierType.PHONE, form.hex(e164).toUpperCase(Locale.ROOT), e164, matchable,
                unrelatedPhone(e164));
    }

    private static String unrelatedPhone(String e164) {
        return e164.equals("+447700900123") ? "+447700900321" : "+447700900123";
    }

    @Property(tries = 150)
    void everyFormOfARegisteredSecurityEmailIsQuarantinedAndNoneIsForwarded(@ForAll("emails") String canonical,
                                                                            @ForAll("registrationSpelling") int how) {
        List<String> raw = rawEmailSpellings(canonical);
        List<String> spellings = new ArrayList<>(raw);
        spellings.addAll(digests(platformEmailSpellings(canonical)));
        checkEveryForm(IdentifierType.EMAIL, raw.get(how % raw.size()), canonical, spellings,
                "unrelated" + canonical);
    }

    private static void checkEveryForm(IdentifierType type, String registered, String canonical,
                                       List<String> spellings, String unrelated) {
        String user = "user-" + USERS.incrementAndGet();
        fw.send(consent(user, T, grant("marketing.advertising")));
        fw.send(registration(user, type, registered, "essential.service.security.recovery",
                RegistrationAction.REGISTERED, T + 1));
        fw.drainAllOutputs();

        long time = T + 10;
        for (String spelling : spellings) {
            // As the record's own identifier ...
            fw.send(contact(user, type, spelling, time++));
            // ... and hidden in a free-text attribute of a record about an unrelated identifier
            ContactPoint carrier = contact(user, type, unrelated, time++);
            carrier.setAttributes(Map.of("note", "see " + spelling + " (from support)"));
            fw.send(carrier);
        }
        fw.send(contact(user, type, unrelated, time));

        List<QuarantineRecord> quarantined = fw.quarantine.readValuesToList();
        List<AudienceIdentifier> forwarded = fw.audience.readValuesToList();
        assertThat(quarantined).as("quarantined of %s", spellings).hasSize(2 * spellings.size());
        assertThat(quarantined).extracting(QuarantineRecord::getReason)
                .containsOnly("REGISTERED_FOR_RESTRICTED_PURPOSE", "RESTRICTED_IDENTIFIER_IN_FIELD");
        assertThat(forwarded).as("the unrelated identifier, once").hasSize(1);
        // No digest of any spelling of it, in any form: those of a phone number's digits without '+', an address's
        // platform spellings, and whatever digest of them arrived
        List<String> forbidden = new ArrayList<>();
        List<String> platformSpellings = type == IdentifierType.PHONE ? List.of(canonical, canonical.substring(1))
                : platformEmailSpellings(canonical);
        for (String spelling : platformSpellings) {
            for (HashForm form : HashForm.values()) {
                forbidden.add(form.hex(spelling));
            }
        }
        assertThat(forwarded).extracting(AudienceIdentifier::getIdentifierHash).doesNotContainAnyElementsOf(forbidden);
        assertThat(fw.suppressed.readValuesToList()).isEmpty();
        assertThat(fw.deadLetter.readValuesToList()).isEmpty();
    }

    /**
     * The E.164 form's raw spellings: formats of libphonenumber, separators, the 00 prefix, an RFC 3966 URI, and the
     * digits without '+' as ad platforms write them (read as international without a default region from 11 digits).
     */
    private static List<String> rawPhoneSpellings(String e164) {
        List<String> spellings = new ArrayList<>();
        try {
            Phonenumber.PhoneNumber number = PHONES.parse(e164, "ZZ");
            spellings.add(e164);
            spellings.add(PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.INTERNATIONAL));
            spellings.add(PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.RFC3966).replace("tel:", ""));
            spellings.add(PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.RFC3966) + ";ext=7");
        } catch (com.google.i18n.phonenumbers.NumberParseException e) {
            throw new AssertionError(e);
        }
        String digits = e164.substring(1);
        spellings.add("00" + digits);
        spellings.add("+" + String.join(".", digits.split("(?<=\\G...)")));
        spellings.add("+" + digits.replaceAll("(\\d{2})", "$1 ").strip());
        if (digits.length() >= 11) {
            spellings.add(digits);
        }
        return spellings;
    }

    /** The address in case variants, with a full-width '@', the trailing dot of its domain, and as a mailto: URI. */
    private static List<String> rawEmailSpellings(String canonical) {
        List<String> spellings = new ArrayList<>();
        spellings.add(canonical);
        spellings.add(canonical.toUpperCase(Locale.ROOT));
        int at = canonical.indexOf('@');
        spellings.add(canonical.substring(0, at) + "@" + canonical.substring(at + 1).toUpperCase(Locale.ROOT));
        spellings.add(canonical.replace('@', '\uFF20')); // full-width commercial at
        spellings.add(canonical + ".");
        spellings.add("mailto:" + canonical.replace("@", "%40") + "?subject=Your%20code");
        return spellings;
    }

    /**
     * The spellings ad platforms hash the address in: as given; without a +tag (TikTok); for Gmail without dots, with
     * and without the tag (Google, UID2).
     */
    private static List<String> platformEmailSpellings(String canonical) {
        int at = canonical.indexOf('@');
        String local = canonical.substring(0, at);
        String domain = canonical.substring(at);
        List<String> spellings = new ArrayList<>(List.of(canonical));
        String untagged = local.contains("+") ? local.substring(0, local.indexOf('+')) : local;
        spellings.add(untagged + domain);
        if (domain.equals("@gmail.com") || domain.equals("@googlemail.com")) {
            spellings.add(local.replace(".", "") + domain);
            spellings.add(untagged.replace(".", "") + domain);
        }
        return spellings.stream().distinct().toList();
    }

    /** Every digest of each spelling: hex in either case in each form, and the SHA-256 in base64 as UID2 writes it. */
    private static List<String> digests(List<String> spellings) {
        List<String> digests = new ArrayList<>();
        for (String spelling : spellings) {
            for (HashForm form : HashForm.values()) {
                digests.add(form.hex(spelling));
                digests.add(form.hex(spelling).toUpperCase(Locale.ROOT));
            }
            digests.add(Base64.getEncoder().encodeToString(HashForm.SHA256.bytes(spelling)));
        }
        return digests;
    }

    @Provide
    Arbitrary<String> phones() {
        return Combinators.combine(Arbitraries.of(REGIONS), Arbitraries.of(TYPES)).as((region, type) -> {
            Phonenumber.PhoneNumber example = PHONES.getExampleNumberForType(region, type);
            return example == null ? null : PHONES.format(example, PhoneNumberUtil.PhoneNumberFormat.E164);
        }).filter(e164 -> e164 != null);
    }

    @Provide
    Arbitrary<String> emails() {
        Arbitrary<String> local = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars("._+-")
                .ofMinLength(1).ofMaxLength(20)
                .filter(s -> Character.isLetterOrDigit(s.charAt(0)) && Character.isLetterOrDigit(s.charAt(s.length() - 1)));
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> domain = Arbitraries.oneOf(
                Combinators.combine(label, Arbitraries.of("com", "org", "de", "co.uk", "example"))
                        .as((d, tld) -> d + "." + tld),
                Arbitraries.of("gmail.com", "googlemail.com"));
        return Combinators.combine(local, domain).as((l, d) -> l + "@" + d);
    }

    @Provide
    Arbitrary<Integer> registrationSpelling() {
        return Arbitraries.integers().between(0, 1000);
    }
}
