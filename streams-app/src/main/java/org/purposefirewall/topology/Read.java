package org.purposefirewall.topology;

import java.util.Objects;
import org.purposefirewall.policy.Rejection;

/**
 * What an input adapter makes of one record: the facts the policy needs, or the typed reason it cannot have them.
 *
 * @param <F> the facts type
 */
sealed interface Read<F> permits Read.Facts, Read.Rejected {

    /** The record, read. */
    record Facts<F>(F facts) implements Read<F> {
        public Facts {
            Objects.requireNonNull(facts, "facts");
        }
    }

    /**
     * The record cannot be decided: it is dead-lettered with this reason.
     *
     * @param detail for people, never containing the value
     * @param errorClass the underlying exception's class, or null
     */
    record Rejected<F>(Rejection reason, String detail, String errorClass) implements Read<F> {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    static <F> Read<F> facts(F facts) {
        return new Facts<>(facts);
    }

    static <F> Read<F> rejected(Rejection reason, String detail) {
        return new Rejected<>(reason, detail, null);
    }

    static <F> Read<F> rejected(Rejection reason, String detail, String errorClass) {
        return new Rejected<>(reason, detail, errorClass);
    }

    /** A value that could not be decoded, with the decoder's reason. */
    static <F> Read<F> undecodable(org.purposefirewall.serde.Decoded.Failed<?> failed) {
        return new Rejected<>(Rejection.named(failed.reason()), failed.detail(), failed.errorClass());
    }
}
