package org.purposefirewall.consent;

import java.util.Map;
import java.util.Objects;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.Purpose;

/**
 * Everything one consent record says, before decoding.
 *
 * @param choices native per-purpose grants and denials (already merged, deny over allow)
 * @param optOutOfTargetedAdvertising an explicit opt-out of targeted advertising
 * @param optOutOfSale an explicit opt-out of sale or sharing
 * @param globalPrivacyControl the user's browser sent Global Privacy Control ({@code Sec-GPC: 1})
 * @param tcfString an IAB TCF v2 TC string, or null
 * @param gppString an IAB GPP string, or null
 * @param effectiveTime when the state takes effect, epoch milliseconds (an expired TC string is judged against it)
 */
public record ConsentSignals(Map<Purpose, ConsentChoice> choices, boolean optOutOfTargetedAdvertising,
                             boolean optOutOfSale, boolean globalPrivacyControl, String tcfString, String gppString,
                             long effectiveTime) {

    public ConsentSignals {
        choices = Map.copyOf(Objects.requireNonNull(choices, "choices"));
    }
}
