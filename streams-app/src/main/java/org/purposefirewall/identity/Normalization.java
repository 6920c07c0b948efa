package org.purposefirewall.identity;

import java.util.Objects;

/** The result of normalizing one identifier: its match keys, or a typed error. */
public sealed interface Normalization permits Normalization.Ok, Normalization.Invalid {

    /**
     * A normalized identifier.
     *
     * @param kind the kind it was normalized as
     * @param keys its digests: every enabled form for a raw identifier, the arrival form for a hashed one
     * @param limitAdTracking true only for the all-zero MOBILE_AD_ID ({@code 00000000-0000-0000-0000-000000000000},
     *     in any accepted spelling, its SHA-256 and SHA-1 digests included; 32 hex digits of kind MOBILE_AD_ID read as
     *     an ad id, not an MD5): the device asked to limit ad tracking, so the identifier
     *     is never forwarded
     */
    record Ok(IdentifierKind kind, MatchKeys keys, boolean limitAdTracking) implements Normalization {
        public Ok {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(keys, "keys");
        }

        /** The SHA-256 key, or null if the identifier arrived as an MD5 or SHA-1 digest. */
        public String sha256Hex() {
            return keys.get(HashForm.SHA256);
        }

        /** True if the input already was a digest (taken as given, lower-cased). */
        public boolean arrivedHashed() {
            return keys.arrivedAs() != null;
        }
    }

    /**
     * An identifier that cannot be normalized.
     *
     * @param error the error code
     * @param detail a description that never contains the input
     */
    record Invalid(IdentifierError error, String detail) implements Normalization {
        public Invalid {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
