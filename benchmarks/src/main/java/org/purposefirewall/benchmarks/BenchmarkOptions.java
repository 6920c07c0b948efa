package org.purposefirewall.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Command-line options of {@link FirewallBenchmark}.
 *
 * @param users        users whose scenario traffic is measured (about 1.2 contact points each)
 * @param partitions   partitions of every input and output topic
 * @param warmupUsers  users of the warm-up topic set each topology runs on once before measuring; 0 skips it
 * @param rounds       measured rounds, each running both topologies (order alternating per round)
 * @param config       the application.yaml to load; null means "find config/application.yaml"
 * @param stallTimeoutSeconds give up on a run whose committed offsets do not advance for this long
 */
public record BenchmarkOptions(int users, int partitions, int warmupUsers, int rounds, Path config,
                               int stallTimeoutSeconds) {

    public static final int DEFAULT_USERS = 200_000;
    public static final int DEFAULT_PARTITIONS = 4;
    public static final int DEFAULT_WARMUP_USERS = 20_000;
    public static final int DEFAULT_ROUNDS = 2;
    public static final int DEFAULT_STALL_TIMEOUT_SECONDS = 120;

    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: FirewallBenchmark [options]",
            "  --users N            users of measured traffic (default " + DEFAULT_USERS
                    + ", about 1.2 contact points per user)",
            "  --partitions N       partitions of every topic (default " + DEFAULT_PARTITIONS + ")",
            "  --warmup-users N     users of the warm-up run of each topology (default " + DEFAULT_WARMUP_USERS
                    + "; 0 skips warm-up)",
            "  --rounds N           measured rounds, firewall and pass-through each (default " + DEFAULT_ROUNDS + ")",
            "  --config FILE        application.yaml (default: config/application.yaml in or above the working dir)",
            "  --stall-timeout S    fail a run whose progress stalls for S seconds (default "
                    + DEFAULT_STALL_TIMEOUT_SECONDS + ")",
            "  --help               this text");

    public BenchmarkOptions {
        positive("--users", users);
        positive("--partitions", partitions);
        if (warmupUsers < 0) {
            throw new IllegalArgumentException("--warmup-users must be 0 or more, was " + warmupUsers);
        }
        positive("--rounds", rounds);
        positive("--stall-timeout", stallTimeoutSeconds);
    }

    public static BenchmarkOptions defaults() {
        return new BenchmarkOptions(DEFAULT_USERS, DEFAULT_PARTITIONS, DEFAULT_WARMUP_USERS, DEFAULT_ROUNDS, null,
                DEFAULT_STALL_TIMEOUT_SECONDS);
    }

    /**
     * Parses {@code args}; both {@code --name value} and {@code --name=value} work.
     *
     * @return the options, or null if {@code --help} was asked for
     * @throws IllegalArgumentException on an unknown option, a missing or malformed value
     */
    public static BenchmarkOptions parse(String... args) {
        Objects.requireNonNull(args, "args");
        int users = DEFAULT_USERS;
        int partitions = DEFAULT_PARTITIONS;
        int warmupUsers = DEFAULT_WARMUP_USERS;
        int rounds = DEFAULT_ROUNDS;
        int stall = DEFAULT_STALL_TIMEOUT_SECONDS;
        Path config = null;
        List<String> list = new ArrayList<>(List.of(args));
        for (int i = 0; i < list.size(); i++) {
            String arg = list.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                return null;
            }
            String name = arg;
            String value;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < list.size()) {
                value = list.get(++i);
            } else {
                throw new IllegalArgumentException(arg.startsWith("--") ? arg + " needs a value"
                        : "unexpected argument '" + arg + "'");
            }
            switch (name) {
                case "--users" -> users = integer(name, value);
                case "--partitions" -> partitions = integer(name, value);
                case "--warmup-users" -> warmupUsers = integer(name, value);
                case "--rounds" -> rounds = integer(name, value);
                case "--stall-timeout" -> stall = integer(name, value);
                case "--config" -> config = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option '" + name + "'");
            }
        }
        return new BenchmarkOptions(users, partitions, warmupUsers, rounds, config, stall);
    }

    /**
     * The configuration file: {@link #config()} if given, else {@code config/application.yaml} in the working
     * directory or the nearest parent that has one (so it runs from the repository root and from a module).
     */
    public Path resolveConfig() {
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException("--config " + config + ": no such file");
            }
            return config.toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("config").resolve("application.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate.normalize();
            }
        }
        throw new IllegalArgumentException("no config/application.yaml in " + dir
                + " or its parents; pass --config FILE");
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.replace("_", "").strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a whole number, got '" + value + "'", e);
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
