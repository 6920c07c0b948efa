package org.purposefirewall.identity;

/** Expected normalization results, built independently of the normalizer from a canonical form or a digest. */
final class Expected {

    private Expected() {
    }

    /** A raw identifier with canonical form {@code canonical}: a key in every hash form, not limit ad tracking. */
    static Normalization.Ok raw(IdentifierKind kind, String canonical) {
        return raw(kind, canonical, false);
    }

    /** A raw identifier with canonical form {@code canonical}: a key in every hash form. */
    static Normalization.Ok raw(IdentifierKind kind, String canonical, boolean limitAdTracking) {
        return new Normalization.Ok(kind, MatchKeys.ofCanonical(canonical, IdentityOptions.ALL_HASH_FORMS),
                limitAdTracking);
    }

    /** An identifier that arrived as the digest {@code lowercaseHex} of form {@code form}. */
    static Normalization.Ok hashed(IdentifierKind kind, HashForm form, String lowercaseHex) {
        return hashed(kind, form, lowercaseHex, false);
    }

    /** An identifier that arrived as the digest {@code lowercaseHex} of form {@code form}. */
    static Normalization.Ok hashed(IdentifierKind kind, HashForm form, String lowercaseHex, boolean limitAdTracking) {
        return new Normalization.Ok(kind, MatchKeys.ofDigest(form, lowercaseHex), limitAdTracking);
    }
}
