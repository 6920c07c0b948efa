package org.purposefirewall.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.replay.ExplainReport;
import org.purposefirewall.replay.Output;
import org.purposefirewall.replay.Progress;
import org.purposefirewall.replay.Replay;
import org.purposefirewall.replay.Scope;
import org.purposefirewall.report.TopicReader;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.serde.FirewallSerdes;
import org.purposefirewall.topology.DecisionTrace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code explain}: why one data record went where it went. Replays that one record with hindsight (a
 * {@link Replay} whose scope is its coordinates and its user) with the configured policy or a candidate one, keeps
 * the trace of its decision, and prints it for an assessor, redacted ({@link ExplainReport}), beside what the service
 * did. Reads the cluster only, as {@code replay} does. Exit codes: 0 the outcome now is the service's; 1 it differs;
 * 2 bad usage or configuration, no such record, not a topic the firewall decides, or the cluster could not be read.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"explain one data record's decision: what was read for each identifier (match keys, consent,",
                "registrations in force), every rule in order with the deciding one, the outcome now (the current or",
                "a candidate policy, with hindsight) and what the service did. Redacted. Writes nothing to Kafka.",
                "Exit 0 same outcome, 1 different outcome, 2 error"})
final class ExplainCommand extends ConfiguredCommand {

    static final int DIFFERS = 1;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC",
            description = "the record's topic: the contact points or a guarded topic")
    String topic;

    @Option(names = "--partition", required = true, paramLabel = "P")
    int partition;

    @Option(names = "--offset", required = true, paramLabel = "O")
    long offset;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "candidate policy file to decide with (default: the configured policy-file)")
    Path policy;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the explanation as one JSON object")
    Path json;

    @Override
    Path policyOverride() {
        return policy;
    }

    @Override
    int run(FirewallConfig config) {
        Topics topics = config.topics();
        List<String> decided = new ArrayList<>();
        decided.add(topics.contactPoints());
        decided.addAll(topics.guarded());
        if (!decided.contains(topic)) {
            err().println("explain: " + topic + " is not an input topic the firewall decides ("
                    + String.join(", ", decided) + ")");
            return PurposeFirewallMain.USAGE_ERROR;
        }
        if (partition < 0 || offset < 0) {
            err().println("explain: --partition and --offset must be at least 0");
            return PurposeFirewallMain.USAGE_ERROR;
        }
        Output.Source at = new Output.Source(topic, partition, offset);
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        ExplainReport report;
        try {
            ConsumerRecord<byte[], byte[]> record = read(config);
            if (record == null) {
                err().println("explain: no record at " + at + " (not written, deleted by retention, or aborted)");
                return PurposeFirewallMain.USAGE_ERROR;
            }
            String user = user(record, topic.equals(topics.contactPoints()), serdes);
            report = explain(config, at, user);
        } catch (RuntimeException | IOException e) {
            err().println("explain failed: " + e.getMessage());
            return PurposeFirewallMain.USAGE_ERROR;
        }
        out().print(report.text());
        out().flush();
        if (json != null) {
            try {
                Files.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(report.json()) + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                err().println("explain: cannot write " + json + ": " + e.getMessage());
                return PurposeFirewallMain.USAGE_ERROR;
            }
        }
        return report.agrees() ? PurposeFirewallMain.OK : DIFFERS;
    }

    /** The record at the coordinates, read_committed and without a group, or null if there is none. */
    private ConsumerRecord<byte[], byte[]> read(FirewallConfig config) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>(1);
        try (TopicReader reader = new TopicReader(TopicReader.clientProperties(config), "purpose-firewall-explain",
                Duration.ofMinutes(2))) {
            reader.read(reader.range(topic, partition, offset, offset + 1), r -> {
                if (r.offset() == offset) {
                    found.add(r);
                }
            });
        }
        return found.isEmpty() ? null : found.get(0);
    }

    /** The record's user as the firewall takes it: its key, else (a contact point) its payload's user id. */
    private static String user(ConsumerRecord<byte[], byte[]> r, boolean contactPoint, FirewallSerdes serdes) {
        if (r.key() != null) {
            return new String(r.key(), StandardCharsets.UTF_8);
        }
        if (!contactPoint) {
            return null;
        }
        try {
            ContactPoint c = serdes.contactPoint().decode(r.value());
            return c == null || c.getUserId() == null ? null : c.getUserId().toString();
        } catch (RuntimeException e) {
            return null; // undecodable: dead-lettered, whoever its user is
        }
    }

    /** Replays the one record and keeps its trace; the one trace on its topic is its own (only it is in scope). */
    private ExplainReport explain(FirewallConfig config, Output.Source at, String user) throws IOException {
        List<DecisionTrace> traces = new ArrayList<>(1);
        List<Replay.Comparison> comparisons = new ArrayList<>(1);
        Scope scope = new Scope(null, null, List.of(new Scope.OffsetRange(topic, partition, offset, offset + 1)),
                user == null ? Set.of() : Set.of(user));
        Path workDir = ReplayCommand.scratchDir(config, null, "explain-");
        Replay.Request plain = ReplayCommand.request(config, scope, workDir);
        // Inside the replay's driver the record has the driver's coordinates (partition 0, its own offset), not the
        // real ones; only this one data record is in scope, so the one trace on its topic is its own.
        Replay.Request request = new Replay.Request(plain.config(), plain.serdes(), plain.streams(), plain.client(),
                plain.scope(), plain.workDir(), trace -> {
                    if (trace.topic().equals(topic)) {
                        traces.add(trace);
                    }
                });
        ReplayCommand.withoutDecisionLog(() -> Replay.run(request, comparisons::add, Progress.NONE));
        if (traces.size() > 1) {
            throw new IllegalStateException("the replay decided " + traces.size() + " records on " + topic
                    + " for one record in scope");
        }
        List<Replay.Comparison> mine = comparisons.stream().filter(c -> c.source().equals(at)).toList();
        if (mine.size() != 1) {
            throw new IllegalStateException("the replay compared " + mine.size() + " records at " + at);
        }
        return ExplainReport.of(new ExplainReport.Subject(at, user, traces.isEmpty() ? null : traces.get(0),
                mine.get(0), config.policy().version(), config.policy().contentHash()));
    }
}
