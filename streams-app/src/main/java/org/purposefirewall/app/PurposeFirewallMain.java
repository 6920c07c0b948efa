package org.purposefirewall.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.purposefirewall.config.ConfigException;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;

/**
 * The command line: {@code run}, {@code validate} and {@code describe}. Wiring only.
 *
 * <p>Exit codes: 0 stopped cleanly; 1 stopped after a processing failure; 2 bad usage or configuration.
 */
public final class PurposeFirewallMain {

    static final String USAGE = """
            usage: purpose-firewall <command> [options]
              run       start the firewall and process until stopped (SIGTERM / Ctrl-C)
              validate  check the configuration and policy, print a summary, exit
              describe  print the topology (sources, processors, stores, sinks), exit
            options:
              --config FILE               application config (default: config/application.yaml)
              --bootstrap-servers HOSTS   override bootstrap-servers
              --schema-registry-url URL   override schema-registry.schema.registry.url
              --state-dir DIR             override processing.state-dir
            """;

    private PurposeFirewallMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String flag = args[i];
            if (!flag.equals("--config") && !flag.equals("--bootstrap-servers")
                    && !flag.equals("--schema-registry-url") && !flag.equals("--state-dir")) {
                err.println("unknown option " + flag);
                err.print(USAGE);
                return 2;
            }
            if (i + 1 >= args.length) {
                err.println("option " + flag + " needs a value");
                return 2;
            }
            options.put(flag, args[++i]);
        }
        FirewallConfig config;
        try {
            config = new ConfigLoader().load(Path.of(options.getOrDefault("--config", "config/application.yaml")));
            if (options.containsKey("--bootstrap-servers")) {
                config = config.withBootstrapServers(options.get("--bootstrap-servers"));
            }
            if (options.containsKey("--schema-registry-url")) {
                Map<String, String> registry = new HashMap<>(config.schemaRegistry());
                registry.put("schema.registry.url", options.get("--schema-registry-url"));
                config = config.withSchemaRegistry(registry);
            }
            if (options.containsKey("--state-dir")) {
                config = config.withApplicationId(config.applicationId(), Path.of(options.get("--state-dir")));
            }
        } catch (ConfigException e) {
            err.println("configuration error: " + e.getMessage());
            return 2;
        }
        switch (command) {
            case "validate" -> {
                out.println("configuration OK");
                out.println("  application-id:  " + config.applicationId());
                out.println("  policy:          " + config.policyFile() + " (version " + config.policy().version()
                        + ")");
                out.println("  ad purpose:      " + config.policy().adPurpose());
                out.println("  restricted:      " + config.policy().restrictedPurposes());
                out.println("  topics:          " + config.topics());
                out.println("  guarantee:       " + config.processing().guarantee());
                return 0;
            }
            case "describe" -> {
                try (FirewallApp app = FirewallApp.fromConfig(config)) {
                    out.println(app.topology().describe());
                } catch (IllegalArgumentException e) {
                    err.println("configuration error: " + e.getMessage());
                    return 2;
                }
                return 0;
            }
            case "run" -> {
                return runUntilStopped(config, err);
            }
            default -> {
                err.println("unknown command " + command);
                err.print(USAGE);
                return 2;
            }
        }
    }

    private static int runUntilStopped(FirewallConfig config, PrintStream err) {
        FirewallApp app;
        try {
            app = FirewallApp.fromConfig(config);
            app.start();
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("startup failed: " + e.getMessage());
            return 2;
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
        return app.failed() ? 1 : 0;
    }
}
