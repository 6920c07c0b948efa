package org.purposefirewall.config;

import java.nio.file.Path;
import java.util.Objects;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.policy.Policy;

/**
 * A candidate policy decided beside the enforcing one ({@code shadow-policy-file}): shadow mode. It is read exactly
 * as the enforcing policy is, with its own version and content hash; its decisions are only compared, never
 * enforced. Its {@code match-hash-forms} and {@code consent-signals} must equal the enforcing policy's: they shape
 * the stores (registrations under each form, consent as decoded), which both policies read.
 *
 * @param file where it was read from
 * @param policy the candidate's rules, version and content hash
 * @param honeytokens the candidate's honeytokens, normalized as the enforcing policy's are
 */
public record ShadowPolicy(Path file, Policy policy, Honeytokens honeytokens) {

    public ShadowPolicy {
        Objects.requireNonNull(policy, "policy");
        honeytokens = honeytokens == null ? Honeytokens.none() : honeytokens;
    }
}
