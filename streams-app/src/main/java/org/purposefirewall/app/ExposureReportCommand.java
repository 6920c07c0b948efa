package org.purposefirewall.app;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.report.ExposureReport;
import org.purposefirewall.report.ExposureReportReader;
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
        Map<String, Object> client = new HashMap<>();
        for (Map.Entry<String, String> e : config.streams().entrySet()) {
            // Security and other client settings apply to the report's consumer too.
            if (ConsumerConfig.configNames().contains(e.getKey())) {
                client.put(e.getKey(), e.getValue());
            }
        }
        client.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        ExposureReport report = new ExposureReport(user, from, to);
        try {
            ExposureReportReader.read(client, FirewallSerdes.fromSettings(config.schemaRegistry()),
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
