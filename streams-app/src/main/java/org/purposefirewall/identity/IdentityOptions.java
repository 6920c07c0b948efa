package org.purposefirewall.identity;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * How identifiers are read.
 *
 * @param defaultRegion the ISO 3166 two-letter region (e.g. {@code US}, {@code GB}) whose numbering plan reads phone
 *     numbers written without a country code, upper-cased; null for none (then such numbers are invalid, except
 *     11 to 15 digits, which are read as international). {@code ZZ} (libphonenumber's "unknown region") means none.
 * @param emailProviderCanonicalization forward gmail.com and googlemail.com addresses without the dots of the local
 *     part and a {@code +tag}, as gmail.com. Off by default: most ad platforms (Meta, X, LinkedIn, Snap) hash the
 *     address as given (after trim and lower-casing), so this changes the key the ad side receives. Matching does
 *     not depend on it: every address is matched in every spelling ad platforms hash it in, the undotted, untagged
 *     Gmail spelling (Google, UID2) included.
 * @param hashForms the digests an identifier is matched in (the policy's {@code match-hash-forms}); always holds
 *     SHA-256, the form forwarded to the ad side. A raw identifier gets a key in each; input that already is a digest
 *     of a form not listed is rejected ({@link IdentifierError#UNSUPPORTED_HASH_FORM}), never guessed at.
 * @param phoneCacheEntries slots of the cache of parsed phone numbers in front of libphonenumber (rounded up to a
 *     power of two; 0 turns it off); each holds one number's match keys, about 850 bytes (two spellings in three
 *     forms)
 */
public record IdentityOptions(String defaultRegion, boolean emailProviderCanonicalization, Set<HashForm> hashForms,
                              int phoneCacheEntries) {

    /** Default size of the phone-number cache: 65,536 slots, about 55 MB when full. */
    public static final int DEFAULT_PHONE_CACHE_ENTRIES = 1 << 16;
    /** Largest phone-number cache. */
    public static final int MAX_PHONE_CACHE_ENTRIES = 1 << 24;

    /** Every form: SHA-256, SHA-1 and MD5. The default, since ad platforms accept all three. */
    public static final Set<HashForm> ALL_HASH_FORMS = Collections.unmodifiableSet(EnumSet.allOf(HashForm.class));

    /** libphonenumber's code for "no region". */
    public static final String NO_REGION = "ZZ";

    public IdentityOptions {
        if (phoneCacheEntries < 0 || phoneCacheEntries > MAX_PHONE_CACHE_ENTRIES) {
            throw new IllegalArgumentException("phone-cache-entries: must be between 0 (off) and "
                    + MAX_PHONE_CACHE_ENTRIES + ", not " + phoneCacheEntries);
        }
        hashForms = hashForms == null ? ALL_HASH_FORMS : Collections.unmodifiableSet(hashForms.isEmpty()
                ? EnumSet.noneOf(HashForm.class) : EnumSet.copyOf(hashForms));
        if (!hashForms.contains(HashForm.SHA256)) {
            throw new IllegalArgumentException("match-hash-forms: must include SHA-256, the form ad platforms match "
                    + "on and the firewall forwards");
        }
        if (defaultRegion != null) {
            String region = defaultRegion.strip().toUpperCase(Locale.ROOT);
            if (region.equals(NO_REGION)) {
                defaultRegion = null;
            } else if (!PhoneNumberUtil.getInstance().getSupportedRegions().contains(region)) {
                throw new IllegalArgumentException("default-region: '" + defaultRegion + "' is not a region with a "
                        + "phone numbering plan (an ISO 3166 two-letter code such as US, GB or DE; ZZ or no value "
                        + "for none)");
            } else {
                defaultRegion = region;
            }
        }
    }

    /** Options with the default phone-number cache. */
    public IdentityOptions(String defaultRegion, boolean emailProviderCanonicalization, Set<HashForm> hashForms) {
        this(defaultRegion, emailProviderCanonicalization, hashForms, DEFAULT_PHONE_CACHE_ENTRIES);
    }

    /** Options matching in every hash form. */
    public IdentityOptions(String defaultRegion, boolean emailProviderCanonicalization) {
        this(defaultRegion, emailProviderCanonicalization, ALL_HASH_FORMS);
    }

    /** Options with the given default region, no email provider canonicalization, every hash form. */
    public IdentityOptions(String defaultRegion) {
        this(defaultRegion, false);
    }

    /** No default region: numbers must carry their country code; no email provider canonicalization; every form. */
    public static IdentityOptions defaults() {
        return new IdentityOptions(null, false);
    }

    /** The regions accepted as {@code defaultRegion}, sorted. */
    public static Set<String> supportedRegions() {
        return new TreeSet<>(PhoneNumberUtil.getInstance().getSupportedRegions());
    }
}
