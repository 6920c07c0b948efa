package org.purposefirewall.app;

import java.time.Duration;
import org.purposefirewall.config.FirewallConfig;
import picocli.CommandLine.Command;

/** {@code run}: starts the firewall and processes until stopped (SIGTERM / Ctrl-C). */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "start the firewall and process until stopped (SIGTERM / Ctrl-C)")
final class RunCommand extends ConfiguredCommand {

    @Override
    int run(FirewallConfig config) {
        FirewallService app;
        try {
            app = FirewallService.fromConfig(config);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err().println("startup failed: " + e.getMessage());
            return PurposeFirewallMain.USAGE_ERROR;
        }
        try {
            app.start();
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Nothing may stay behind a failed start: the registry client, JMX, the barrier's admin client.
            app.close();
            err().println("startup failed: " + e.getMessage());
            return PurposeFirewallMain.USAGE_ERROR;
        }
        Thread hook = new Thread(app::close, "purpose-firewall-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            while (!app.awaitStop(Duration.ofSeconds(1))) {
                // keep the main thread alive while the stream threads work
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        app.close();
        return app.failed() ? PurposeFirewallMain.FAILED : PurposeFirewallMain.OK;
    }
}
