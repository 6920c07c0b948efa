package org.purposefirewall.app;

import org.purposefirewall.config.FirewallConfig;
import picocli.CommandLine.Command;

/** {@code describe}: prints the topology (sources, processors, stores, sinks, internal topics), exits. */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "print the topology (sources, processors, stores, sinks), exit")
final class DescribeCommand extends ConfiguredCommand {

    @Override
    int run(FirewallConfig config) {
        try (FirewallApp app = FirewallApp.fromConfig(config)) {
            out().println(app.topology().describe());
        } catch (IllegalArgumentException e) {
            err().println("configuration error: " + e.getMessage());
            return PurposeFirewallMain.USAGE_ERROR;
        }
        return PurposeFirewallMain.OK;
    }
}
