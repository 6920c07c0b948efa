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
 * @param taxonomy the purposes the policy knows ({@code known-purposes}); the ad purpose and every restricted
 *     purpose must lie within it. See {@link Taxonomy} for what an unknown purpose does
 * @param contentHash SHA-256 (lowercase hex) of the policy file's bytes as loaded, stamped on every output next to
 *     the version: a version is a label someone must remember to bump, the hash names the exact text that decided.
 *     Null for a policy built in code rather than read from a file
 */
public record Policy(String version, Purpose adPurpose, List<Purpose> restrictedPurposes, Taxonomy taxonomy,
                     String contentHash) {

    public Policy {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(adPurpose, "adPurpose");
        restrictedPurposes = List.copyOf(Objects.requireNonNull(restrictedPurposes, "restrictedPurposes"));
        Objects.requireNonNull(taxonomy, "taxonomy");
        if (version.isBlank()) {
            throw new IllegalArgumentException("version must not be blank");
        }
        if (contentHash != null && contentHash.isBlank()) {
            contentHash = null;
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
        // A policy that names a purpose it does not know contradicts itself: with an unknown ad purpose nothing
        // could ever be granted, and a restricted purpose outside the taxonomy is almost certainly a typo.
        if (!taxonomy.knows(adPurpose)) {
            throw new IllegalArgumentException("ad-purpose " + adPurpose + " is not within known-purposes "
                    + taxonomy.roots());
        }
        for (Purpose restricted : restrictedPurposes) {
            if (!taxonomy.knows(restricted)) {
                throw new IllegalArgumentException("restricted purpose " + restricted
                        + " is not within known-purposes " + taxonomy.roots());
            }
        }
    }

    /** A policy built in code, not read from a file: it has no content hash. */
    public Policy(String version, Purpose adPurpose, List<Purpose> restrictedPurposes, Taxonomy taxonomy) {
        this(version, adPurpose, restrictedPurposes, taxonomy, null);
    }

    /** A policy over the default taxonomy, fideslang's data uses ({@link Taxonomy#fideslang()}); no content hash. */
    public Policy(String version, Purpose adPurpose, List<Purpose> restrictedPurposes) {
        this(version, adPurpose, restrictedPurposes, Taxonomy.fideslang());
    }

    /** This policy, stamped with the hash of the file it was read from. */
    public Policy withContentHash(String hash) {
        return new Policy(version, adPurpose, restrictedPurposes, taxonomy, hash);
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

    /** True if {@code purpose} lies within the policy's taxonomy. */
    public boolean knows(Purpose purpose) {
        return taxonomy.knows(purpose);
    }
}
