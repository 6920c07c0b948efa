package org.purposefirewall.policy;

import java.util.Map;
import java.util.Objects;

/**
 * A user's consent as of one instant in event time.
 *
 * @param choices per-purpose grants and denials; a purpose not covered here is not consented
 * @param optedOutOfTargetedAdvertising an opt-out that beats any grant
 * @param optedOutOfSale an opt-out of sale or sharing that beats any grant
 */
public record ConsentSnapshot(Map<Purpose, ConsentChoice> choices,
                              boolean optedOutOfTargetedAdvertising,
                              boolean optedOutOfSale) {

    public ConsentSnapshot {
        choices = Map.copyOf(Objects.requireNonNull(choices, "choices"));
    }
}
