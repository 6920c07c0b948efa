package org.purposefirewall.policy;

import java.util.List;
import java.util.Objects;

/**
 * The policy the firewall enforces, as loaded from {@code policy.yaml}.
 *
 * @param version stamped on every decision so that each output can be traced to the rules that produced it
 * @param adPurpose the purpose the ad side uses identifiers for; consent is checked for it
 * @param restrictedPurposes identifiers collected or declared for these purposes (or below them) never reach the
 *     ad side
 */
public record Policy(String version, Purpose adPurpose, List<Purpose> restrictedPurposes) {

    public Policy {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(adPurpose, "adPurpose");
        restrictedPurposes = List.copyOf(Objects.requireNonNull(restrictedPurposes, "restrictedPurposes"));
        if (version.isBlank()) {
            throw new IllegalArgumentException("version must not be blank");
        }
        if (restrictedPurposes.isEmpty()) {
            throw new IllegalArgumentException("restricted-purposes must name at least one purpose");
        }
        for (Purpose restricted : restrictedPurposes) {
            if (adPurpose.overlaps(restricted)) {
                throw new IllegalArgumentException(
                        "ad-purpose " + adPurpose + " overlaps restricted purpose " + restricted);
            }
        }
    }

    /** The restricted purpose that covers {@code purpose}, or null. */
    public Purpose restrictedPurposeCovering(Purpose purpose) {
        for (Purpose restricted : restrictedPurposes) {
            if (purpose.isWithin(restricted)) {
                return restricted;
            }
        }
        return null;
    }
}
