package org.purposefirewall.app;

import org.purposefirewall.config.FirewallConfig;
import picocli.CommandLine.Command;

/** {@code validate}: checks the configuration and policy, prints a summary, exits. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "check the configuration and policy, print a summary, exit")
final class ValidateCommand extends ConfiguredCommand {

    @Override
    int run(FirewallConfig config) {
        out().println("configuration OK");
        out().println("  application-id:  " + config.applicationId());
        out().println("  policy:          " + config.policyFile() + " (version " + config.policy().version() + ")");
        out().println("  ad purpose:      " + config.policy().adPurpose());
        out().println("  restricted:      " + config.policy().restrictedPurposes());
        out().println("  topics:          " + config.topics());
        out().println("  guarantee:       " + config.processing().guarantee());
        return PurposeFirewallMain.OK;
    }
}
