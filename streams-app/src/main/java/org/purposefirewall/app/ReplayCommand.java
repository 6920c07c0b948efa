package org.purposefirewall.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.policy.ReplayChange;
import org.purposefirewall.replay.DifferenceReport;
import org.purposefirewall.replay.Progress;
import org.purposefirewall.replay.Replay;
import org.purposefirewall.replay.Scope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code replay}: re-decides the data records of a time or offset range, with the configured policy or a candidate
 * one, and reports every record whose outcome differs from what the service decided (see {@link Replay}). Reads the
 * cluster only: no consumer group, no producer, no registration in the schema registry, and none of the running
 * service's state. Exit codes: 0 every record agrees; 1 differences; 2 bad usage or configuration, or the topics
 * could not be read.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"re-decide past traffic (a time or offset range, optionally some users) with the current or a",
                "candidate policy, with consent and registrations as of each record's event time, and report each",
                "record whose outcome differs from what the service decided. Writes nothing to Kafka.",
                "Exit 0 no difference, 1 differences, 2 error"})
final class ReplayCommand extends ConfiguredCommand {

    static final int DIFFERENCES = 1;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "candidate policy file to decide with (default: the configured policy-file)")
    Path policy;

    @Option(names = "--from", paramLabel = "TIME", converter = ExposureReportCommand.InstantConverter.class,
            description = "ISO-8601 instant: data records with an event time at or after it")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = ExposureReportCommand.InstantConverter.class,
            description = "ISO-8601 instant, exclusive")
    Instant to;

    @Option(names = "--offsets", paramLabel = "TOPIC:PARTITION:FROM-TO",
            description = "only data records in this offset range (TO exclusive, or empty for the end); repeatable")
    List<String> offsets = new ArrayList<>();

    @Option(names = "--user", paramLabel = "ID", description = "only this user's records; repeatable")
    List<String> users = new ArrayList<>();

    @Option(names = "--report", paramLabel = "FILE",
            description = "write each difference as a JSON line, redacted (default: replay-<time>.jsonl)")
    Path report;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "where the replay keeps its scratch state, removed after (default: beside processing.state-dir)")
    Path workDir;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    Path policyOverride() {
        return policy;
    }

    @Override
    int run(FirewallConfig config) {
        Scope scope;
        try {
            List<Scope.OffsetRange> ranges = offsets.stream().map(Scope.OffsetRange::parse).toList();
            scope = new Scope(from, to, ranges, new LinkedHashSet<>(users));
        } catch (IllegalArgumentException e) {
            err().println("replay: " + e.getMessage());
            return PurposeFirewallMain.USAGE_ERROR;
        }
        Path reportFile = report != null ? report : Path.of("replay-" + Instant.now().toString()
                .replace(':', '-') + ".jsonl");
        Progress progress = quiet ? Progress.NONE : new Progress(err(), System.console() != null);
        Replay.Summary summary;
        try (DifferenceReport differences = new DifferenceReport(reportFile)) {
            // Beside the service's state directory, not in it, and not in a temporary directory the OS may clear.
            Path workDir = workDir(config);
            summary = withoutDecisionLog(() -> Replay.run(request(config, scope, workDir), differences, progress));
        } catch (IOException | UncheckedIOException e) {
            err().println("replay: cannot write " + reportFile + ": " + e.getMessage());
            return PurposeFirewallMain.USAGE_ERROR;
        } catch (RuntimeException e) {
            err().println("replay failed: " + e.getMessage());
            return PurposeFirewallMain.USAGE_ERROR;
        }
        print(config, summary, reportFile);
        return summary.differences() == 0 ? PurposeFirewallMain.OK : DIFFERENCES;
    }

    /** The replay of {@code scope} with {@code config}'s policy, beside (never inside) the running service. */
    static Replay.Request request(FirewallConfig config, Scope scope, Path workDir) {
        return Replay.Request.of(config, StreamsSettings::of, scope, workDir, null);
    }

    /**
     * Runs {@code replay} with the topology's per-record log lines off: they describe the service's decisions, and a
     * replay's decisions are in its report, not in the log an operator's alerts read.
     */
    static <T> T withoutDecisionLog(java.util.function.Supplier<T> replay) {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "org.purposefirewall.topology");
        ch.qos.logback.classic.Level before = log.getLevel();
        log.setLevel(ch.qos.logback.classic.Level.ERROR);
        try {
            return replay.get();
        } finally {
            log.setLevel(before);
        }
    }

    private Path workDir(FirewallConfig config) throws IOException {
        return scratchDir(config, workDir, "replay-");
    }

    /**
     * A fresh scratch directory for a replay's state: under {@code parent} if given, else beside the configured
     * state directory (never in it, and not in a temporary directory the OS may clear under a running replay).
     */
    static Path scratchDir(FirewallConfig config, Path parent, String prefix) throws IOException {
        Path under = parent != null ? parent : config.processing().stateDir().toAbsolutePath().getParent();
        Files.createDirectories(under);
        return Files.createTempDirectory(under, prefix);
    }

    private void print(FirewallConfig config, Replay.Summary s, Path reportFile) {
        String hash = config.policy().contentHash();
        out().printf("Replay under policy %s%s%s%n", config.policy().version(),
                hash == null ? "" : " (sha256 " + hash.substring(0, 12) + "…)",
                policy == null ? "" : ", candidate file " + policy);
        out().printf("  scope: event time %s to %s%s%s%n", from == null ? "-inf" : from, to == null ? "+inf" : to,
                offsets.isEmpty() ? "" : ", offsets " + String.join(" ", offsets),
                users.isEmpty() ? "" : ", " + users.size() + " user(s)");
        out().printf(Locale.ROOT, "  read: %,d side records applied, %,d data records, %,d outputs of the service "
                        + "(%,d unreadable) in %.1f s%n", s.sideRecords(), s.dataRecords(), s.serviceOutputs(),
                s.unreadableOutputs(), s.reading().toMillis() / 1000.0);
        out().printf(Locale.ROOT, "  replayed: %,d data records in %.1f s (%,.0f records/s)%n", s.dataRecords(),
                s.replaying().toMillis() / 1000.0, s.rate());
        out().printf(Locale.ROOT, "  same outcome: %,d%n", s.agreed());
        out().printf(Locale.ROOT, "  differences: %,d%n", s.differences());
        List<Map.Entry<ReplayChange, Long>> changes = new ArrayList<>(s.changes().entrySet());
        changes.sort(Map.Entry.comparingByKey(Comparator.comparingInt(Enum::ordinal)));
        for (Map.Entry<ReplayChange, Long> e : changes) {
            out().printf(Locale.ROOT, "    %-26s %,10d  %s%n", e.getKey().code(), e.getValue(),
                    e.getKey().meaning());
        }
        out().printf("  report: %s%n", reportFile.toAbsolutePath());
        out().flush();
    }
}
