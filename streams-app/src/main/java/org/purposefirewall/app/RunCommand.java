package org.purposefirewall.app;

import java.time.Duration;
import org.purposefirewall.config.FirewallConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code run}: starts the firewall and processes until stopped (SIGTERM / Ctrl-C: exit 0 after a clean close).
 *
 * <p>Refuses the in-memory {@code mock://} registry unless {@code --allow-in-memory-registry} is given: its schemas
 * exist only in this process, so no producer can write a record the firewall can read.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "start the firewall and process until stopped (SIGTERM / Ctrl-C: exit 0 after a clean close)")
final class RunCommand extends ConfiguredCommand {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--allow-in-memory-registry",
            description = "accept a mock:// schema registry (schemas only in this process: no outside producer "
                    + "can use them; for trying the firewall alone)")
    boolean allowInMemoryRegistry;

    @Override
    int run(FirewallConfig config) {
        if (config.inMemoryRegistry()) {
            if (!allowInMemoryRegistry) {
                err().println("startup failed: schema-registry.schema.registry.url is " + config.schemaRegistry().url()
                        + ", the in-memory registry: no producer outside this process can use its schemas. Give "
                        + "--schema-registry-url URL (a Confluent-compatible registry), or --allow-in-memory-registry "
                        + "to run without one anyway");
                return PurposeFirewallMain.USAGE_ERROR;
            }
            LOG.atWarn().addKeyValue("url", config.schemaRegistry().url())
                    .log("IN-MEMORY SCHEMA REGISTRY (--allow-in-memory-registry): schemas exist only in this process; "
                            + "no outside producer can write records the firewall reads. Not for production");
        }
        StopSignals signals = StopSignals.install();
        FirewallService app;
        try {
            app = FirewallService.withMonitor(config);
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
        ClassDataArchive.requested().ifPresent(archive -> archive.writeAfterRunning(() -> app.health().ready()));
        // For shutdowns that are not a handled signal (System.exit elsewhere, SIGHUP): close cleanly anyway.
        Thread hook = new Thread(app::close, "purpose-firewall-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            while (!app.awaitStop(Duration.ofMillis(200)) && signals.requested().getCount() > 0) {
                // keep the main thread alive while the stream threads work
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        app.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down already: the hook runs, and close() is idempotent
        }
        LOG.atInfo().addKeyValue("failed", app.failed()).log("purpose firewall stopped");
        return app.failed() ? PurposeFirewallMain.FAILED : PurposeFirewallMain.OK;
    }
}
