package org.purposefirewall.identity;

import java.util.Objects;

/** The result of normalizing one identifier: a match key, or a typed error. */
public sealed interface Normalization permits Normalization.Ok, Normalization.Invalid {

    /**
     * A normalized identifier.
     *
     * @param kind the kind it was normalized as
     * @param sha256Hex lowercase SHA-256 hex of the canonical form: the match key and the only form forwarded
     * @param arrivedHashed true if the input already was a SHA-256 hex digest (taken as given, lower-cased)
     * @param limitAdTracking true only for the all-zero MOBILE_AD_ID ({@code 00000000-0000-0000-0000-000000000000},
     *     in any accepted spelling, its digest included): the device asked to limit ad tracking, so the identifier
     *     is never forwarded
     */
    record Ok(IdentifierKind kind, String sha256Hex, boolean arrivedHashed, boolean limitAdTracking)
            implements Normalization {
        public Ok {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(sha256Hex, "sha256Hex");
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
