package org.purposefirewall.policy;

import java.util.Map;
import java.util.Objects;

/**
 * A user's consent as of one instant in event time.
 *
 * @param choices per-purpose grants and denials; a purpose not covered here is not consented
 * @param optedOutOfTargetedAdvertising an opt-out that beats any grant
 * @param optedOutOfSale an opt-out of sale or sharing that beats any grant
 * @param globalPrivacyControl the user's browser sent Global Privacy Control: an opt-out of sale and sharing that
 *     beats any grant
 * @param problem why the consent signals cannot be trusted (a malformed, expired or unsupported consent string),
 *     or null; a state with a problem is no consent
 */
public record ConsentSnapshot(Map<Purpose, ConsentChoice> choices,
                              boolean optedOutOfTargetedAdvertising,
                              boolean optedOutOfSale,
                              boolean globalPrivacyControl,
                              String problem) {

    public ConsentSnapshot {
        choices = Map.copyOf(Objects.requireNonNull(choices, "choices"));
    }

    /** A state from native choices and explicit opt-outs only. */
    public ConsentSnapshot(Map<Purpose, ConsentChoice> choices, boolean optedOutOfTargetedAdvertising,
                           boolean optedOutOfSale) {
        this(choices, optedOutOfTargetedAdvertising, optedOutOfSale, false, null);
    }
}
