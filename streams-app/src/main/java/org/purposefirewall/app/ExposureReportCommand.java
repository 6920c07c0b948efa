package org.purposefirewall.app;

import java.time.Duration;
import java.time.Instant;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.report.ExposureReport;
import org.purposefirewall.report.ExposureReportReader;
import org.purposefirewall.report.TopicReader;
import org.purposefirewall.serde.FirewallSerdes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code exposure-report}: what was forwarded to the ad topic and what was recalled, per user and identifier digest,
 * read from the ad and recalls topics to their current end (read_committed, no consumer group).
 */
@Command(name = "exposure-report", mixinStandardHelpOptions = true,
        description = {"print what was forwarded to the ad topic and what was recalled, per user and identifier",
                "digest, read from the ad and recalls topics (forwards in [from, to))"})
final class ExposureReportCommand extends ConfiguredCommand {

    @Option(names = "--user", paramLabel = "ID", description = "one user only")
    String user;

    @Option(names = "--from", paramLabel = "TIME", converter = InstantConverter.class,
            description = "ISO-8601 instant, e.g. 2026-11-01T00:00:00Z")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = InstantConverter.class,
            description = "ISO-8601 instant, exclusive")
    Instant to;

    /** ISO-8601 instants, with the firewall's own message for anything else. */
    static final class InstantConverter implements picocli.CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Instant.parse(value);
            } catch (java.time.format.DateTimeParseException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "--from and --to take an ISO-8601 instant, e.g. 2026-11-01T00:00:00Z");
            }
        }
    }

    @Override
    int run(FirewallConfig config) {
        ExposureReport report = new ExposureReport(user, from, to);
        try {
            ExposureReportReader.read(TopicReader.clientProperties(config), FirewallSerdes.fromSettings(config.schemaRegistry()),
                    config.topics().audience(), config.topics().recalls(), report, Duration.ofMinutes(10));
        } catch (RuntimeException e) {
            err().println("exposure report failed: " + e.getMessage());
            return PurposeFirewallMain.FAILED;
        }
        report.print(out());
        out().flush();
        return PurposeFirewallMain.OK;
    }
}
