package org.purposefirewall.identity;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The spellings in which ad platforms document hashing an identifier, beyond its canonical form. Each platform
 * normalizes before hashing, and not all the same way, so one identifier has several digests an ad platform would
 * match on; the README's table "Hash forms and spellings ad platforms use" names the platforms and their documentation.
 *
 * <ul>
 *   <li>Phone: E.164 with its {@code +} (Google Customer Match and Data Manager, UID2, TikTok's older customer-file
 *       format) and the same digits without it (Meta, Snap, TikTok, Amazon).</li>
 *   <li>Email: the trimmed, lower-cased address (every platform); without a {@code +tag} before the {@code @} (TikTok,
 *       for any domain); for gmail.com and googlemail.com also without the dots of the local part, with and without
 *       the {@code +tag} (Google Data Manager and Campaign Manager 360; UID2 for gmail.com); for an internationalized
 *       domain also with the domain in Unicode, as an address is hashed the way it is held.</li>
 *   <li>Mobile ad id: lower case (X, Snap) and upper case, the form iOS reports an IDFA in (TikTok accepts either).</li>
 * </ul>
 *
 * <p>These are the registration side's keys: a digest of one spelling cannot be turned into another's, so a
 * registration is stored under all of them. Every spelling is one the same mailbox or line answers to (Gmail ignores
 * dots and {@code +tags}; a {@code +tag} is a sub-address), so sharing a spelling means being the same identifier to
 * some ad platform. Stateless; thread-safe.
 */
final class PlatformSpellings {

    /** Gmail's domains; googlemail.com is an alias of gmail.com. */
    static final String GMAIL = "gmail.com";
    static final String GOOGLEMAIL = "googlemail.com";

    private PlatformSpellings() {
    }

    /** Each number's E.164 form, then its digits without the {@code +}; numbers in the order given. */
    static List<String> phone(List<String> e164Numbers) {
        List<String> spellings = new ArrayList<>(2 * e164Numbers.size());
        for (String number : e164Numbers) {
            spellings.add(number);
            spellings.add(number.substring(1));
        }
        return spellings;
    }

    /**
     * The spellings of the address {@code local}@{@code asciiDomain}: {@code forwarded} first if not null (the
     * provider-canonical form the options ask to forward), then the address as it is, then its variants.
     *
     * @param local the lower-cased local part
     * @param asciiDomain the domain in ASCII (A-labels), lower-cased, without a trailing dot
     * @param unicodeDomain the same domain in Unicode (U-labels); equal to {@code asciiDomain} if it is all ASCII
     */
    static List<String> email(String forwarded, String local, String asciiDomain, String unicodeDomain) {
        String untagged = withoutPlusTag(local);
        if (!isGmail(asciiDomain) && (untagged.isEmpty() || untagged.equals(local))) {
            // The common case, one local part: the same spellings as below, without the set.
            List<String> spellings = new ArrayList<>(3);
            if (forwarded != null) {
                spellings.add(forwarded);
            }
            spellings.add(local + "@" + asciiDomain);
            if (!unicodeDomain.equals(asciiDomain)) {
                spellings.add(local + "@" + unicodeDomain);
            }
            return spellings;
        }
        Set<String> locals = new LinkedHashSet<>();
        locals.add(local);
        if (!untagged.isEmpty()) {
            locals.add(untagged);
        }
        if (isGmail(asciiDomain)) {
            for (String l : List.copyOf(locals)) {
                String undotted = withoutDots(l);
                if (!undotted.isEmpty()) {
                    locals.add(undotted);
                }
            }
        }
        List<String> spellings = new ArrayList<>(2 * locals.size() + 1);
        if (forwarded != null) {
            spellings.add(forwarded);
        }
        for (String l : locals) {
            spellings.add(l + "@" + asciiDomain);
            if (!unicodeDomain.equals(asciiDomain)) {
                spellings.add(l + "@" + unicodeDomain);
            }
        }
        return spellings;
    }

    /** The canonical (lower-case, dashed) ad id, then the same in upper case. */
    static List<String> mobileAdId(String canonical) {
        return List.of(canonical, canonical.toUpperCase(Locale.ROOT));
    }

    static boolean isGmail(String asciiDomain) {
        return asciiDomain.equals(GMAIL) || asciiDomain.equals(GOOGLEMAIL);
    }

    /** {@code local} up to its first {@code +}: the mailbox a sub-address is delivered to. */
    static String withoutPlusTag(String local) {
        int plus = local.indexOf('+');
        return plus < 0 ? local : local.substring(0, plus);
    }

    /** {@code local} without dots, which Gmail ignores. */
    static String withoutDots(String local) {
        return local.indexOf('.') < 0 ? local : local.replace(".", "");
    }
}
