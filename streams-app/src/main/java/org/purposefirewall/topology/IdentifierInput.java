package org.purposefirewall.topology;

import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.policy.Rejection;
import org.purposefirewall.schema.IdentifierType;

/**
 * Validation of an identifier as it arrives in a record: a known type and a value that normalizes.
 *
 * @param kind the domain kind, when the type is known
 * @param normalized the normalization, when it succeeded
 * @param error why it is rejected, or null
 * @param detail the reason's explanation, never containing the value
 */
record IdentifierInput(IdentifierKind kind, Normalization.Ok normalized, Rejection error, String detail) {

    static IdentifierInput of(IdentifierNormalizer.Configured normalizer, IdentifierType type, String value) {
        IdentifierKind kind = kindOf(type);
        if (kind == null) {
            return new IdentifierInput(null, null, Rejection.UNKNOWN_IDENTIFIER_TYPE,
                    "the identifier type is not one this firewall knows (a newer producer's type reads as UNKNOWN)");
        }
        Normalization result = normalizer.normalize(kind, value);
        if (result instanceof Normalization.Invalid invalid) {
            return new IdentifierInput(kind, null, Rejection.named(invalid.error().name()), invalid.detail());
        }
        return new IdentifierInput(kind, (Normalization.Ok) result, null, null);
    }

    static IdentifierKind kindOf(IdentifierType type) {
        return switch (type) {
            case PHONE -> IdentifierKind.PHONE;
            case EMAIL -> IdentifierKind.EMAIL;
            case MOBILE_AD_ID -> IdentifierKind.MOBILE_AD_ID;
            case UNKNOWN -> null;
        };
    }

    static IdentifierType typeOf(IdentifierKind kind) {
        return switch (kind) {
            case PHONE -> IdentifierType.PHONE;
            case EMAIL -> IdentifierType.EMAIL;
            case MOBILE_AD_ID -> IdentifierType.MOBILE_AD_ID;
        };
    }
}
