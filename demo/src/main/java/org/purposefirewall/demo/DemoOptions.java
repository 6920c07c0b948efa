package org.purposefirewall.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The demo's command-line options, parsed and validated. Immutable.
 *
 * @param users how many scenario users to produce (at least 1)
 * @param rate users produced per second; 0 produces as fast as the broker takes them
 * @param duration stop after this long; null runs until every user is produced and every contact point decided
 * @param partitions partitions of every topic (the inputs must be co-partitioned, so all share one count)
 * @param registryUrl {@code schema.registry.url} for the firewall and the demo's producer
 * @param config the application config file; null means {@code config/application.yaml} in the working directory
 *     if it exists, else the copy bundled with the demo
 * @param bootstrapServers a running cluster whose firewall ({@code bin/purpose-firewall run}) decides the traffic:
 *     the demo then starts no broker and no firewall, only produces and counts; null for the in-process demo
 */
record DemoOptions(int users, int rate, Duration duration, int partitions, String registryUrl, Path config,
                   String bootstrapServers) {

    static final int DEFAULT_USERS = 20_000;
    static final int DEFAULT_RATE = 2_000;
    static final int DEFAULT_PARTITIONS = 3;
    static final String DEFAULT_REGISTRY_URL = "mock://purpose-firewall-demo";

    static final String USAGE = """
            usage: demo.sh [options]
              Runs the Purpose Firewall on an in-process Kafka broker and an in-memory schema registry, feeds it
              the scenario traffic (security phones and emails on their way to ads, consent, opt-outs, malformed
              records) and prints a live count of every output, then a report. Ctrl-C stops and reports.
            options:
              --users N              users to produce (default %d)
              --rate R               users per second to produce; 0 = as fast as possible (default %d)
              --duration SECONDS     stop SECONDS after traffic starts (default: when every user is produced
                                     and decided)
              --partitions P         partitions of every topic (default %d)
              --registry-url URL     schema.registry.url: mock://SCOPE for the in-memory registry, or a
                                     Confluent-compatible registry (default %s)
              --config FILE          application config (default: config/application.yaml if present in the
                                     working directory, else the copy bundled with the demo)
              --bootstrap-servers S  a running cluster with its own firewall (bin/purpose-firewall run): start
                                     no broker and no firewall, produce the traffic to the configured topics
                                     (create-topics first) and count what the firewall writes from now on;
                                     give --registry-url the firewall's registry
              -h, --help             print this help
            exit status: 0 every output count as expected; 1 otherwise or on failure; 2 bad usage or configuration
            """.formatted(DEFAULT_USERS, DEFAULT_RATE, DEFAULT_PARTITIONS, DEFAULT_REGISTRY_URL);

    DemoOptions {
        if (users < 1) {
            throw new UsageException("--users must be at least 1, was " + users);
        }
        if (rate < 0) {
            throw new UsageException("--rate must be 0 (as fast as possible) or more, was " + rate);
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new UsageException("--duration must be a positive number of seconds");
        }
        if (partitions < 1 || partitions > 1_000) {
            throw new UsageException("--partitions must be within 1..1000, was " + partitions);
        }
        Objects.requireNonNull(registryUrl, "registryUrl");
        if (registryUrl.isBlank()) {
            throw new UsageException("--registry-url must not be empty");
        }
        if (bootstrapServers != null && bootstrapServers.isBlank()) {
            throw new UsageException("--bootstrap-servers must not be empty");
        }
        if (bootstrapServers != null && registryUrl.startsWith("mock://")) {
            throw new UsageException("--bootstrap-servers needs --registry-url of the firewall's registry: an "
                    + "in-memory one (" + registryUrl + ") is not the running firewall's");
        }
    }

    static DemoOptions defaults() {
        return new DemoOptions(DEFAULT_USERS, DEFAULT_RATE, null, DEFAULT_PARTITIONS, DEFAULT_REGISTRY_URL, null,
                null);
    }

    /**
     * Parses {@code --name value} and {@code --name=value} options.
     *
     * @return the options, or null when help was asked for
     * @throws UsageException for an unknown option, a missing or malformed value, or a value out of range
     */
    static DemoOptions parse(String[] args) {
        int users = DEFAULT_USERS;
        int rate = DEFAULT_RATE;
        Duration duration = null;
        int partitions = DEFAULT_PARTITIONS;
        String registryUrl = DEFAULT_REGISTRY_URL;
        Path config = null;
        String bootstrapServers = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                return null;
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "--users", "--rate", "--duration", "--partitions", "--registry-url", "--config",
                     "--bootstrap-servers" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("option " + name + " needs a value");
                        }
                        value = args[++i];
                    }
                }
                default -> throw new UsageException("unknown option '" + arg + "'");
            }
            switch (name) {
                case "--users" -> users = integer(name, value);
                case "--rate" -> rate = integer(name, value);
                case "--duration" -> duration = seconds(name, value);
                case "--partitions" -> partitions = integer(name, value);
                case "--registry-url" -> registryUrl = value.strip();
                case "--bootstrap-servers" -> bootstrapServers = value.strip();
                default -> config = Path.of(value);
            }
        }
        return new DemoOptions(users, rate, duration, partitions, registryUrl, config, bootstrapServers);
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException("option " + name + " needs a whole number, was '" + value + "'");
        }
    }

    private static Duration seconds(String name, String value) {
        try {
            double seconds = Double.parseDouble(value.strip());
            if (!(seconds > 0) || Double.isInfinite(seconds)) {
                throw new UsageException("option " + name + " needs a positive number of seconds, was '" + value
                        + "'");
            }
            return Duration.ofMillis(Math.max(1, Math.round(seconds * 1000)));
        } catch (NumberFormatException e) {
            throw new UsageException("option " + name + " needs a number of seconds, was '" + value + "'");
        }
    }

    /** Bad command-line usage: exit status 2 with the usage text. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }
}
