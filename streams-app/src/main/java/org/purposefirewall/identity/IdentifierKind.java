package org.purposefirewall.identity;

/** The kinds of identifier the firewall can normalize and match. */
public enum IdentifierKind {
    PHONE,
    EMAIL,
    MOBILE_AD_ID
}
