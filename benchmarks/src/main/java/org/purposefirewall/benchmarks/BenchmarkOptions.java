package org.purposefirewall.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Command-line options of {@link FirewallBenchmark}.
 *
 * @param mode         {@link Mode#STANDARD} (scenario traffic, state and contact points read together) or
 *                     {@link Mode#REALISTIC} (state loaded and applied first, then contact points with side traffic)
 * @param users        standard mode: users whose scenario traffic is measured (about 1.2 contact points each)
 * @param partitions   partitions of every input and output topic
 * @param warmupUsers  standard mode: users of the warm-up topic set each topology runs on once before measuring; 0
 *                     skips it
 * @param rounds       standard mode: measured rounds, each running both topologies (order alternating per round)
 * @param config       the application.yaml to load; null means "find config/application.yaml"
 * @param stallTimeoutSeconds give up on a run whose committed offsets do not advance for this long
 * @param preloadUsers realistic mode: users whose consent is loaded before timing
 * @param preloadRegistrations realistic mode: security registrations loaded before timing
 * @param contactPoints realistic mode: timed contact points
 * @param sidePercent  realistic mode: side records (consent changes, registrations) per 100 contact points
 * @param warmupContactPoints realistic mode: contact points decided after the preload, before timing (JIT warm-up)
 * @param profile      where to write a JFR recording (settings "profile") of the measured firewall run; null: none
 * @param shadowPolicy realistic mode: a candidate policy the firewall decides beside the configured one (shadow
 *                     mode, as {@code shadow-policy-file}); null: none, or the config's own
 */
public record BenchmarkOptions(Mode mode, int users, int partitions, int warmupUsers, int rounds, Path config,
                               int stallTimeoutSeconds, int preloadUsers, int preloadRegistrations,
                               int contactPoints, int sidePercent, int warmupContactPoints, Path profile,
                               Path shadowPolicy) {

    /** What is measured. */
    public enum Mode { STANDARD, REALISTIC }

    public static final int DEFAULT_USERS = 200_000;
    public static final int DEFAULT_PARTITIONS = 4;
    public static final int DEFAULT_WARMUP_USERS = 20_000;
    public static final int DEFAULT_ROUNDS = 2;
    public static final int DEFAULT_STALL_TIMEOUT_SECONDS = 120;
    public static final int DEFAULT_PRELOAD_USERS = 1_000_000;
    public static final int DEFAULT_PRELOAD_REGISTRATIONS = 100_000;
    public static final int DEFAULT_CONTACT_POINTS = 300_000;
    public static final int DEFAULT_SIDE_PERCENT = 2;
    public static final int DEFAULT_WARMUP_CONTACT_POINTS = 100_000;

    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: FirewallBenchmark [options]",
            "  --mode standard|realistic  (default standard)",
            "     standard: scenario traffic (state and contact points) pre-loaded, both read from the start",
            "     realistic: consent and registrations loaded and applied first, then contact points timed with",
            "                live side traffic (README, Benchmarks)",
            "  --partitions N       partitions of every topic (default " + DEFAULT_PARTITIONS + ")",
            "  --config FILE        application.yaml (default: config/application.yaml in or above the working dir)",
            "  --stall-timeout S    fail a run whose progress stalls for S seconds (default "
                    + DEFAULT_STALL_TIMEOUT_SECONDS + ")",
            "  --profile FILE.jfr   record JFR (settings=profile) of the measured firewall run (standard: round 1);",
            "                       summarize with scripts/profile-summary.sh FILE.jfr",
            " standard mode:",
            "  --users N            users of measured traffic (default " + DEFAULT_USERS
                    + ", about 1.2 contact points per user)",
            "  --warmup-users N     users of the warm-up run of each topology (default " + DEFAULT_WARMUP_USERS
                    + "; 0 skips warm-up)",
            "  --rounds N           measured rounds, firewall and pass-through each (default " + DEFAULT_ROUNDS + ")",
            " realistic mode:",
            "  --preload-users N          users with a consent record, loaded before timing (default "
                    + DEFAULT_PRELOAD_USERS + ")",
            "  --preload-registrations N  security registrations loaded before timing (default "
                    + DEFAULT_PRELOAD_REGISTRATIONS + ")",
            "  --contact-points N         timed contact points (default " + DEFAULT_CONTACT_POINTS + ")",
            "  --side-percent N           side records per 100 contact points during timing (default "
                    + DEFAULT_SIDE_PERCENT + ")",
            "  --warmup-contact-points N  contact points decided after the preload, not timed (default "
                    + DEFAULT_WARMUP_CONTACT_POINTS + ")",
            "  --shadow-policy FILE       shadow mode: also decide every record with this candidate policy",
            "                             (as shadow-policy-file; README, Shadow mode) and count its disagreements",
            "  --help               this text");

    public BenchmarkOptions {
        Objects.requireNonNull(mode, "mode");
        positive("--users", users);
        positive("--partitions", partitions);
        if (warmupUsers < 0) {
            throw new IllegalArgumentException("--warmup-users must be 0 or more, was " + warmupUsers);
        }
        positive("--rounds", rounds);
        positive("--stall-timeout", stallTimeoutSeconds);
        positive("--preload-users", preloadUsers);
        if (preloadUsers > RealisticTraffic.MAX_USERS) {
            throw new IllegalArgumentException("--preload-users must be at most " + RealisticTraffic.MAX_USERS);
        }
        positive("--preload-registrations", preloadRegistrations);
        if (preloadRegistrations > preloadUsers) {
            throw new IllegalArgumentException("--preload-registrations must be at most --preload-users");
        }
        positive("--contact-points", contactPoints);
        if (sidePercent < 0 || sidePercent > 100) {
            throw new IllegalArgumentException("--side-percent must be 0 to 100, was " + sidePercent);
        }
        if (warmupContactPoints < 0) {
            throw new IllegalArgumentException("--warmup-contact-points must be 0 or more, was "
                    + warmupContactPoints);
        }
        if (profile != null && !profile.toString().endsWith(".jfr")) {
            throw new IllegalArgumentException("--profile needs a file name ending in .jfr, got " + profile);
        }
        if (shadowPolicy != null && mode != Mode.REALISTIC) {
            throw new IllegalArgumentException("--shadow-policy is an option of --mode realistic");
        }
    }

    /** Options without a shadow policy. */
    public BenchmarkOptions(Mode mode, int users, int partitions, int warmupUsers, int rounds, Path config,
                            int stallTimeoutSeconds, int preloadUsers, int preloadRegistrations, int contactPoints,
                            int sidePercent, int warmupContactPoints, Path profile) {
        this(mode, users, partitions, warmupUsers, rounds, config, stallTimeoutSeconds, preloadUsers,
                preloadRegistrations, contactPoints, sidePercent, warmupContactPoints, profile, null);
    }

    public static BenchmarkOptions defaults() {
        return new BenchmarkOptions(Mode.STANDARD, DEFAULT_USERS, DEFAULT_PARTITIONS, DEFAULT_WARMUP_USERS,
                DEFAULT_ROUNDS, null, DEFAULT_STALL_TIMEOUT_SECONDS, DEFAULT_PRELOAD_USERS,
                DEFAULT_PRELOAD_REGISTRATIONS, DEFAULT_CONTACT_POINTS, DEFAULT_SIDE_PERCENT,
                DEFAULT_WARMUP_CONTACT_POINTS, null);
    }

    /** Side records of a realistic run: {@link #sidePercent()} per 100 contact points. */
    public int sideRecords() {
        return (int) ((long) contactPoints * sidePercent / 100);
    }

    /**
     * Parses {@code args}; both {@code --name value} and {@code --name=value} work.
     *
     * @return the options, or null if {@code --help} was asked for
     * @throws IllegalArgumentException on an unknown option, a missing or malformed value
     */
    public static BenchmarkOptions parse(String... args) {
        Objects.requireNonNull(args, "args");
        Mode mode = Mode.STANDARD;
        int users = DEFAULT_USERS;
        int partitions = DEFAULT_PARTITIONS;
        int warmupUsers = DEFAULT_WARMUP_USERS;
        int rounds = DEFAULT_ROUNDS;
        int stall = DEFAULT_STALL_TIMEOUT_SECONDS;
        int preloadUsers = DEFAULT_PRELOAD_USERS;
        int preloadRegistrations = DEFAULT_PRELOAD_REGISTRATIONS;
        int contactPoints = DEFAULT_CONTACT_POINTS;
        int sidePercent = DEFAULT_SIDE_PERCENT;
        int warmupContactPoints = DEFAULT_WARMUP_CONTACT_POINTS;
        Path config = null;
        Path profile = null;
        Path shadowPolicy = null;
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
                case "--mode" -> mode = mode(value);
                case "--users" -> users = integer(name, value);
                case "--partitions" -> partitions = integer(name, value);
                case "--warmup-users" -> warmupUsers = integer(name, value);
                case "--rounds" -> rounds = integer(name, value);
                case "--stall-timeout" -> stall = integer(name, value);
                case "--config" -> config = Path.of(value);
                case "--preload-users" -> preloadUsers = integer(name, value);
                case "--preload-registrations" -> preloadRegistrations = integer(name, value);
                case "--contact-points" -> contactPoints = integer(name, value);
                case "--side-percent" -> sidePercent = integer(name, value);
                case "--warmup-contact-points" -> warmupContactPoints = integer(name, value);
                case "--profile" -> profile = Path.of(value);
                case "--shadow-policy" -> shadowPolicy = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option '" + name + "'");
            }
        }
        return new BenchmarkOptions(mode, users, partitions, warmupUsers, rounds, config, stall, preloadUsers,
                preloadRegistrations, contactPoints, sidePercent, warmupContactPoints, profile, shadowPolicy);
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

    private static Mode mode(String value) {
        try {
            return Mode.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mode is standard or realistic, got '" + value + "'", e);
        }
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.replace("_", "").replace(",", "").strip());
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
