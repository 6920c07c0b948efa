package org.purposefirewall.app;

import org.purposefirewall.config.FirewallConfig;
import picocli.CommandLine.Command;

/**
 * {@code validate}: checks the configuration and policy, prints a summary and every effective setting (defaults
 * and command-line overrides applied, secrets hidden: {@link EffectiveConfig}), exits. Talks to no server.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "check the configuration and policy, print the effective settings, exit")
final class ValidateCommand extends ConfiguredCommand {

    @Override
    int run(FirewallConfig config) {
        out().println("configuration OK");
        out().println("  policy:      " + config.policyFile() + " (version " + config.policy().version() + ")");
        out().println("  policy hash: sha256 " + config.policy().contentHash()
                + " (stamped on every output as policyHash; compare with sha256sum of the policy file)");
        out().println("  ad purpose:  " + config.policy().adPurpose());
        out().println("  restricted:  " + config.policy().restrictedPurposes());
        if (config.shadow() != null) {
            out().println("  shadow:      " + config.shadow().file() + " (version " + config.shadow().policy().version()
                    + ", sha256 " + config.shadow().policy().contentHash() + "): decided beside the policy, "
                    + "disagreements to " + config.topics().shadowDecisions() + "; enforces nothing");
        } else {
            out().println("  shadow:      none (shadow-policy-file not set)");
        }
        if (config.inMemoryRegistry()) {
            out().println("  note:        the schema registry is in memory (" + config.schemaRegistry().url()
                    + "): run refuses it without --allow-in-memory-registry");
        }
        out().println("effective settings:");
        out().print(EffectiveConfig.lines(config));
        out().flush();
        return PurposeFirewallMain.OK;
    }
}
