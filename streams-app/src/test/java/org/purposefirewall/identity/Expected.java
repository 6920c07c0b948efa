package org.purposefirewall.identity;

import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Expected normalization results, built independently of the normalizer from a canonical form or a digest. The
 * platform spellings are written here from the platforms' documented rules (the README's table), not from
 * {@link PlatformSpellings}, so the two check each other.
 */
final class Expected {

    private Expected() {
    }

    /** A raw identifier with canonical form {@code canonical}: a key per spelling and hash form, not limit ad tracking. */
    static Normalization.Ok raw(IdentifierKind kind, String canonical) {
        return raw(kind, canonical, false);
    }

    /** A raw identifier with canonical form {@code canonical}: a key per spelling and hash form. */
    static Normalization.Ok raw(IdentifierKind kind, String canonical, boolean limitAdTracking) {
        return new Normalization.Ok(kind, keys(kind, canonical, IdentityOptions.ALL_HASH_FORMS), limitAdTracking);
    }

    /**
     * An ad id written as 32 hex digits without dashes: its keys, and the key of the other reading of those digits,
     * an MD5.
     */
    static Normalization.Ok adIdWrittenWithoutDashes(String canonical, boolean limitAdTracking) {
        return new Normalization.Ok(IdentifierKind.MOBILE_AD_ID,
                keys(IdentifierKind.MOBILE_AD_ID, canonical, IdentityOptions.ALL_HASH_FORMS)
                        .plus(new MatchKeys.Key(HashForm.MD5, canonical.replace("-", ""))),
                limitAdTracking);
    }

    /** The ad id {@code canonical} as normalized from {@code spelling}: with the MD5 reading if written undashed. */
    static Normalization.Ok adId(String spelling, String canonical, boolean limitAdTracking) {
        return spelling.indexOf('-') < 0 ? adIdWrittenWithoutDashes(canonical, limitAdTracking)
                : raw(IdentifierKind.MOBILE_AD_ID, canonical, limitAdTracking);
    }

    /** The keys of the raw identifier {@code canonical} in {@code forms}. */
    static MatchKeys keys(IdentifierKind kind, String canonical, Set<HashForm> forms) {
        return MatchKeys.ofSpellings(spellings(kind, canonical), forms);
    }

    /** An identifier that arrived as the digest {@code lowercaseHex} of form {@code form}. */
    static Normalization.Ok hashed(IdentifierKind kind, HashForm form, String lowercaseHex) {
        return hashed(kind, form, lowercaseHex, false);
    }

    /** An identifier that arrived as the digest {@code lowercaseHex} of form {@code form}. */
    static Normalization.Ok hashed(IdentifierKind kind, HashForm form, String lowercaseHex, boolean limitAdTracking) {
        return new Normalization.Ok(kind, MatchKeys.ofDigest(form, lowercaseHex), limitAdTracking);
    }

    /**
     * Every spelling ad platforms document for the identifier whose canonical form is {@code canonical}, canonical
     * first:
     * <ul>
     *   <li>PHONE (E.164): as is (Google, UID2), and without its {@code +} (Meta, Snap, TikTok, Amazon);</li>
     *   <li>EMAIL (lower-case, ASCII domain): local parts as is and without a {@code +tag} (TikTok), for gmail.com and
     *       googlemail.com each also without dots (Google, UID2); domains in ASCII and, if internationalized, in
     *       Unicode;</li>
     *   <li>MOBILE_AD_ID (lower-case UUID): as is and in upper case (TikTok accepts either; iOS reports upper).</li>
     * </ul>
     */
    static List<String> spellings(IdentifierKind kind, String canonical) {
        return switch (kind) {
            case PHONE -> List.of(canonical, canonical.substring(1));
            case MOBILE_AD_ID -> canonical.equals(canonical.toUpperCase(Locale.ROOT)) ? List.of(canonical)
                    : List.of(canonical, canonical.toUpperCase(Locale.ROOT));
            case EMAIL -> emailSpellings(canonical);
        };
    }

    private static List<String> emailSpellings(String canonical) {
        int at = canonical.lastIndexOf('@');
        String local = canonical.substring(0, at);
        String domain = canonical.substring(at + 1);
        List<String> locals = new ArrayList<>();
        locals.add(local);
        int plus = local.indexOf('+');
        if (plus > 0) {
            locals.add(local.substring(0, plus));
        }
        if (domain.equals("gmail.com") || domain.equals("googlemail.com")) {
            for (String l : List.copyOf(locals)) {
                String undotted = l.replace(".", "");
                if (!undotted.isEmpty() && !locals.contains(undotted)) {
                    locals.add(undotted);
                }
            }
        }
        String unicode = IDN.toUnicode(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        List<String> spellings = new ArrayList<>();
        for (String l : locals) {
            spellings.add(l + "@" + domain);
            if (!unicode.equals(domain)) {
                spellings.add(l + "@" + unicode);
            }
        }
        return spellings;
    }

    /**
     * The identity of an email address to the ad platforms together: the address with everything any of them drops
     * dropped (a {@code +tag}; for Gmail the dots). Two addresses share a key exactly when this is equal.
     */
    static String emailIdentity(String canonical) {
        int at = canonical.lastIndexOf('@');
        String local = canonical.substring(0, at);
        String domain = canonical.substring(at + 1);
        int plus = local.indexOf('+');
        if (plus > 0) {
            local = local.substring(0, plus);
        }
        if ((domain.equals("gmail.com") || domain.equals("googlemail.com")) && !local.replace(".", "").isEmpty()) {
            local = local.replace(".", "");
        }
        return local + "@" + domain;
    }
}
