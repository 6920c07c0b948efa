package org.purposefirewall.consent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.purposefirewall.policy.Purpose;

/**
 * How TCF consent maps onto the purpose taxonomy, from the policy's {@code consent-signals.tcf}.
 *
 * @param supportedPolicyVersions TCF policy versions read (4 = TCF 2.2, 5 = TCF 2.3); a string of another version is
 *     unsupported, so no consent
 * @param maxAge a TC string last updated longer than this before the consent's effective time is expired (the IAB
 *     asks CMPs to re-ask after 13 months; default 390 days)
 * @param requiredVendorIds Global Vendor List ids that must have vendor consent (the ad platforms the audience goes
 *     to); without it, the mapped purposes count as denied. Empty: not checked
 * @param purposes TCF purpose number → the purposes of the taxonomy it grants or denies. Consent to a TCF purpose
 *     grants its purposes; no consent to it denies them (a TC string is the user's answer, not silence)
 */
public record TcfSettings(Set<Integer> supportedPolicyVersions, Duration maxAge, Set<Integer> requiredVendorIds,
                          Map<Integer, List<Purpose>> purposes) {

    /** TCF 2.2 (policy version 4) and TCF 2.3 (policy version 5). */
    public static final Set<Integer> DEFAULT_POLICY_VERSIONS = Set.of(4, 5);
    /** 13 months, as the TCF policies ask CMPs to re-ask consent. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(390);

    public TcfSettings {
        supportedPolicyVersions = Set.copyOf(Objects.requireNonNull(supportedPolicyVersions, "supportedPolicyVersions"));
        Objects.requireNonNull(maxAge, "maxAge");
        requiredVendorIds = Set.copyOf(Objects.requireNonNull(requiredVendorIds, "requiredVendorIds"));
        Map<Integer, List<Purpose>> copy = new TreeMap<>();
        Objects.requireNonNull(purposes, "purposes").forEach((k, v) -> copy.put(k, List.copyOf(v)));
        purposes = Map.copyOf(copy);
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("max-age-days': must be positive");
        }
        for (Integer p : purposes.keySet()) {
            if (p < 1 || p > 24) {
                throw new IllegalArgumentException("purposes': TCF purpose " + p + " does not exist (1 to 24; TCF "
                        + "2.2 defines 1 to 11)");
            }
        }
        for (Integer v : requiredVendorIds) {
            if (v < 1) {
                throw new IllegalArgumentException("vendor-ids': " + v + " is not a Global Vendor List id");
            }
        }
    }

    /**
     * The shipped mapping: TCF purposes 3 ("Create profiles for personalised advertising") and 4 ("Use profiles to
     * select personalised advertising") both map to the targeted-advertising purposes, first and third party, so
     * targeted advertising is consented only when both are; no vendor check.
     */
    public static TcfSettings defaults() {
        List<Purpose> targeted = List.of(Purpose.parse("marketing.advertising.first_party.targeted"),
                Purpose.parse("marketing.advertising.third_party.targeted"));
        return new TcfSettings(DEFAULT_POLICY_VERSIONS, DEFAULT_MAX_AGE, Set.of(), Map.of(3, targeted, 4, targeted));
    }
}
