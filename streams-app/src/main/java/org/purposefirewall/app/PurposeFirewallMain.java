package org.purposefirewall.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import java.util.HashMap;
import java.util.Map;
import org.purposefirewall.config.ConfigException;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.report.ExposureReport;
import org.purposefirewall.report.ExposureReportReader;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * The command line: {@code run}, {@code validate}, {@code describe} and {@code exposure-report}. Wiring only.
 *
 * <p>Exit codes: 0 stopped cleanly; 1 stopped after a processing failure; 2 bad usage or configuration.
 */
public final class PurposeFirewallMain {

    static final String USAGE = """
            usage: purpose-firewall <command> [options]
              run       start the firewall and process until stopped (SIGTERM / Ctrl-C)
              validate  check the configuration and policy, print a summary, exit
              describe  print the topology (sources, processors, stores, sinks), exit
              exposure-report [--user ID] [--from TIME] [--to TIME]
                        print what was forwarded to the ad topic and what was recalled, per user and identifier
                        digest, read from the ad and recalls topics (TIME: ISO-8601, e.g. 2026-11-01T00:00:00Z;
                        forwards in [from, to))
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
            boolean report = command.equals("exposure-report")
                    && (flag.equals("--user") || flag.equals("--from") || flag.equals("--to"));
            if (!report && !flag.equals("--config") && !flag.equals("--bootstrap-servers")
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
            case "exposure-report" -> {
                return exposureReport(config, options, out, err);
            }
            default -> {
                err.println("unknown command " + command);
                err.print(USAGE);
                return 2;
            }
        }
    }

    private static int exposureReport(FirewallConfig config, Map<String, String> options, PrintStream out,
                                      PrintStream err) {
        Instant from;
        Instant to;
        try {
            from = options.containsKey("--from") ? Instant.parse(options.get("--from")) : null;
            to = options.containsKey("--to") ? Instant.parse(options.get("--to")) : null;
        } catch (DateTimeParseException e) {
            err.println("--from and --to take an ISO-8601 instant, e.g. 2026-11-01T00:00:00Z");
            return 2;
        }
        Map<String, Object> client = new HashMap<>();
        for (Map.Entry<String, String> e : config.streams().entrySet()) {
            // Security and other client settings apply to the report's consumer too.
            if (ConsumerConfig.configNames().contains(e.getKey())) {
                client.put(e.getKey(), e.getValue());
            }
        }
        client.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        ExposureReport report = new ExposureReport(options.get("--user"), from, to);
        try {
            ExposureReportReader.read(client, FirewallSerdes.fromSettings(config.schemaRegistry()),
                    config.topics().audience(), config.topics().recalls(), report, Duration.ofMinutes(10));
        } catch (RuntimeException e) {
            err.println("exposure report failed: " + e.getMessage());
            return 1;
        }
        report.print(out);
        return 0;
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
