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
 * security, in whatever spelling, every formatting and every hash form (SHA-256, SHA-1, MD5, either case) of it is
 * quarantined, whether it is the record's identifier or hidden in another field, and none of its forms ever reaches
 * the ad topic. An unregistered identifier of the same user in the same run is forwarded, so the property cannot
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
        List<String> spellings = phoneSpellings(e164);
        List<String> raw = spellings.subList(0, spellings.size() - 2 * HashForm.values().length);
        checkEveryForm(IdentifierType.PHONE, raw.get(how % raw.size()), e164, spellings, unrelatedPhone(e164));
    }

    /**
     * A registration that arrives as a digest can only be matched in that form (no digest can be turned into
     * another), so registrars should send identifiers raw; but every raw spelling and that form still match.
     */
    @Property(tries = 100)
    void aRegistrationSentAsADigestStopsEveryRawSpellingAndItsOwnForm(@ForAll("phones") String e164,
                                                                     @ForAll HashForm form) {
        List<String> spellings = phoneSpellings(e164);
        List<String> matchable = new ArrayList<>(spellings.subList(0, spellings.size() - 2 * HashForm.values().length));
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
        List<String> spellings = emailSpellings(canonical);
        List<String> raw = spellings.subList(0, spellings.size() - 2 * HashForm.values().length);
        checkEveryForm(IdentifierType.EMAIL, raw.get(how % raw.size()), canonical, spellings,
                "unrelated." + canonical);
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
        List<String> forbidden = new ArrayList<>();
        for (HashForm form : HashForm.values()) {
            forbidden.add(form.hex(canonical));
        }
        forbidden.retainAll(spellings);
        assertThat(forwarded).extracting(AudienceIdentifier::getIdentifierHash).doesNotContainAnyElementsOf(forbidden);
        assertThat(fw.suppressed.readValuesToList()).isEmpty();
        assertThat(fw.deadLetter.readValuesToList()).isEmpty();
    }

    /** The E.164 form's spellings: formats of libphonenumber, separators, the 00 prefix, and every digest. */
    private static List<String> phoneSpellings(String e164) {
        List<String> spellings = new ArrayList<>();
        try {
            Phonenumber.PhoneNumber number = PHONES.parse(e164, "ZZ");
            spellings.add(e164);
            spellings.add(PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.INTERNATIONAL));
            spellings.add(PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.RFC3966).replace("tel:", ""));
        } catch (com.google.i18n.phonenumbers.NumberParseException e) {
            throw new AssertionError(e);
        }
        String digits = e164.substring(1);
        spellings.add("00" + digits);
        spellings.add("+" + String.join(".", digits.split("(?<=\\G...)")));
        spellings.add("+" + digits.replaceAll("(\\d{2})", "$1 ").strip());
        addDigests(spellings, e164);
        return spellings;
    }

    private static List<String> emailSpellings(String canonical) {
        List<String> spellings = new ArrayList<>();
        spellings.add(canonical);
        spellings.add(canonical.toUpperCase(Locale.ROOT));
        int at = canonical.indexOf('@');
        spellings.add(canonical.substring(0, at) + "@" + canonical.substring(at + 1).toUpperCase(Locale.ROOT));
        spellings.add(canonical.replace('@', '\uFF20')); // full-width commercial at
        addDigests(spellings, canonical);
        return spellings;
    }

    private static void addDigests(List<String> spellings, String canonical) {
        for (HashForm form : HashForm.values()) {
            spellings.add(form.hex(canonical));
            spellings.add(form.hex(canonical).toUpperCase(Locale.ROOT));
        }
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
        return Combinators.combine(local, label, Arbitraries.of("com", "org", "de", "co.uk", "example"))
                .as((l, d, tld) -> l + "@" + d + "." + tld);
    }

    @Provide
    Arbitrary<Integer> registrationSpelling() {
        return Arbitraries.integers().between(0, 1000);
    }
}
