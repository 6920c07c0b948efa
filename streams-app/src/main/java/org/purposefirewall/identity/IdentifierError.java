package org.purposefirewall.identity;

/** Why an identifier could not be normalized. Codes are part of the dead-letter contract. */
public enum IdentifierError {
    EMPTY_IDENTIFIER,
    TOO_LONG,
    INVALID_PHONE,
    INVALID_EMAIL,
    INVALID_MOBILE_AD_ID,
    /** A digest of a form the policy does not match in ({@code match-hash-forms}). */
    UNSUPPORTED_HASH_FORM
}
