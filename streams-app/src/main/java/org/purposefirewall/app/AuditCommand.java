package org.purposefirewall.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.monitor.Redaction;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.report.TopicReader;
import org.purposefirewall.serde.FirewallSerdes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code audit}: checks the ad topic for identifiers that should never have reached it, independently of the
 * firewall's own state. It reads the registrations topic from the beginning and keys every identifier registered
 * for a purpose the policy restricts under all its match keys (every hash form and platform spelling, as the
 * firewall does), then scans the ad topic over [from, to) by record timestamp and reports each audience record whose
 * (user, hash algorithm, digest) is one of those keys, with whether a recall for it followed on the recalls topic.
 *
 * <p>A forward is a finding if any REGISTERED event for a restricted purpose for that user and identifier has an
 * event time at or before the forward's: a registration withdrawn since still counts, since the forward happened
 * while it was in force (a forward after the withdrawal is reported too; the audit errs on the side of reporting).
 * A recall "followed" if it names the same user, algorithm and digest and its exposure ends at or after the
 * forward's event time.
 *
 * <p>Everything printed is redacted: a user id as the first 12 hex digits of its SHA-256, an identifier as its type
 * and the first 8 hex digits of its digest. Reads read_committed, with no consumer group: it commits nothing.
 *
 * <p>Exit codes: 0 no finding; 1 findings; 2 bad usage, configuration, or the topics could not be read.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"scan the ad topic for identifiers registered for a restricted purpose (a leak), and say",
                "whether each was recalled; prints redacted findings. Exit 0 none, 1 findings, 2 error"})
final class AuditCommand extends ConfiguredCommand {

    static final int FINDINGS = 1;

    @Option(names = "--from", paramLabel = "TIME", converter = ExposureReportCommand.InstantConverter.class,
            description = "ISO-8601 instant: scan ad records with a timestamp at or after it")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = ExposureReportCommand.InstantConverter.class,
            description = "ISO-8601 instant, exclusive")
    Instant to;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the findings as JSON lines (redacted)")
    Path json;

    private static final Duration DEADLINE = Duration.ofMinutes(10);

    @Override
    int run(FirewallConfig config) {
        if (from != null && to != null && !from.isBefore(to)) {
            err().println("--from must be before --to");
            return PurposeFirewallMain.USAGE_ERROR;
        }
        Audit audit = new Audit(config.policy(), IdentifierNormalizer.of(config.identity()));
        long scanned;
        try (TopicReader reader = new TopicReader(TopicReader.clientProperties(config), "purpose-firewall-audit",
                DEADLINE)) {
            FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
            String registrations = config.topics().registrations();
            String audience = config.topics().audience();
            String recalls = config.topics().recalls();
            reader.read(reader.ranges(registrations, null),
                    r -> audit.registered(serdes.registration().decode(r.value())));
            long[] count = {0};
            reader.read(reader.ranges(audience, from), r -> {
                if ((from != null && r.timestamp() < from.toEpochMilli())
                        || (to != null && r.timestamp() >= to.toEpochMilli())) {
                    return;
                }
                count[0]++;
                audit.forwarded(coordinates(r), Instant.ofEpochMilli(r.timestamp()),
                        serdes.audience().decode(r.value()));
            });
            scanned = count[0];
            reader.read(reader.ranges(recalls, null),
                    r -> audit.recalled(coordinates(r), serdes.recall().decode(r.value())));
        } catch (RuntimeException e) {
            err().println("audit failed: " + e.getMessage());
            return PurposeFirewallMain.USAGE_ERROR;
        }
        List<Finding> findings = audit.findings();
        print(config.topics().audience(), scanned, findings);
        if (json != null) {
            try {
                writeJson(json, findings);
            } catch (IOException e) {
                err().println("audit: cannot write " + json + ": " + e.getMessage());
                return PurposeFirewallMain.USAGE_ERROR;
            }
        }
        return findings.isEmpty() ? PurposeFirewallMain.OK : FINDINGS;
    }

    private void print(String audienceTopic, long scanned, List<Finding> findings) {
        long recalled = findings.stream().filter(f -> f.recall() != null).count();
        out().printf("Audit of %s%s: %d ad records scanned, %d findings (%d recalled, %d unrecalled)%n",
                audienceTopic, from == null && to == null ? "" : " in [" + (from == null ? "-inf" : from) + ", "
                        + (to == null ? "+inf" : to) + ")", scanned, findings.size(), recalled,
                findings.size() - recalled);
        for (Finding f : findings) {
            out().printf("LEAK user %s %s %s %s... at %s event time %s: registered for %s by %s; "
                            + "recalled: %s%n",
                    f.user(), f.type(), f.form(), f.digestPrefix(), f.at(), f.eventTime(), f.purpose(),
                    f.sourceSystem(),
                    f.recall() == null ? "no" : "yes (" + f.recall() + ")");
        }
        out().flush();
    }

    private static void writeJson(Path file, List<Finding> findings) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Finding f : findings) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("user", f.user());
                line.put("identifierType", f.type());
                line.put("digestPrefix", f.digestPrefix());
                line.put("hashAlgorithm", f.form().name());
                line.put("topic", f.at().topic());
                line.put("partition", f.at().partition());
                line.put("offset", f.at().offset());
                line.put("eventTime", f.eventTime().toString());
                line.put("purpose", f.purpose());
                line.put("sourceSystem", f.sourceSystem());
                line.put("recalled", f.recall() != null);
                if (f.recall() != null) {
                    line.put("recallTopic", f.recall().topic());
                    line.put("recallPartition", f.recall().partition());
                    line.put("recallOffset", f.recall().offset());
                }
                w.write(mapper.writeValueAsString(line));
                w.write('\n');
            }
        }
    }

    private static Coordinates coordinates(ConsumerRecord<?, ?> r) {
        return new Coordinates(r.topic(), r.partition(), r.offset());
    }

    // ------------------------------------------------------------------------------------------------------------
    // The matching, without a broker
    // ------------------------------------------------------------------------------------------------------------

    /** Where a record was read. */
    record Coordinates(String topic, int partition, long offset) {
        @Override
        public String toString() {
            return topic + "/" + partition + "@" + offset;
        }
    }

    /**
     * One audience record that carried an identifier registered for a restricted purpose, already redacted.
     *
     * @param user the first 12 hex digits of the SHA-256 of the user id
     * @param digestPrefix the first 8 hex digits of the forwarded digest
     * @param recall where the recall that followed was read, or null
     */
    record Finding(String user, String type, HashForm form, String digestPrefix, Coordinates at, Instant eventTime,
                   String purpose, String sourceSystem, Coordinates recall) {
    }

    private record Key(String userId, HashForm form, String hex) {
    }

    private record Registration(String purpose, String sourceSystem, Instant eventTime) {
    }

    private record Forward(Key key, String type, Coordinates at, Instant eventTime, Registration registration) {
    }

    private record Recall(Coordinates at, Instant exposureEnd) {
    }

    /**
     * The audit's state: registrations by match key, the forwards that match one, and recalls by key. Feed it
     * registrations before forwards; recalls in any order.
     */
    static final class Audit {
        private final Policy policy;
        private final IdentifierNormalizer.Configured normalizer;
        private final Map<Key, List<Registration>> registered = new HashMap<>();
        private final List<Forward> forwards = new ArrayList<>();
        private final Map<Key, List<Recall>> recalls = new HashMap<>();

        Audit(Policy policy, IdentifierNormalizer.Configured normalizer) {
            this.policy = policy;
            this.normalizer = normalizer;
        }

        /** A registration event: a REGISTERED one for a restricted purpose is keyed under all its match keys. */
        void registered(PurposeRegistration registration) {
            if (registration == null || registration.getAction() != RegistrationAction.REGISTERED
                    || registration.getIdentifierType() == IdentifierType.UNKNOWN) {
                return;
            }
            Purpose purpose;
            try {
                purpose = Purpose.parse(registration.getPurpose());
            } catch (IllegalArgumentException e) {
                return;
            }
            if (policy.restrictedPurposeCovering(purpose) == null) {
                return;
            }
            Normalization result = normalizer.normalize(IdentifierKind.valueOf(registration.getIdentifierType().name()),
                    registration.getValue());
            if (!(result instanceof Normalization.Ok ok)) {
                return;
            }
            Registration r = new Registration(purpose.value(), registration.getSourceSystem(),
                    registration.getEventTime());
            for (MatchKeys.Key key : ok.keys().all()) {
                registered.computeIfAbsent(new Key(registration.getUserId(), key.form(), key.hex()),
                        k -> new ArrayList<>()).add(r);
            }
        }

        /** An audience record read at {@code at}; kept if it matches a registration in force at its event time. */
        void forwarded(Coordinates at, Instant timestamp, AudienceIdentifier audience) {
            if (audience == null) {
                return;
            }
            HashForm form = HashForm.valueOf(audience.getHashAlgorithm().name());
            Key key = new Key(audience.getUserId(), form, audience.getIdentifierHash().toLowerCase(Locale.ROOT));
            Instant time = audience.getEventTime() != null ? audience.getEventTime() : timestamp;
            Registration first = null;
            for (Registration r : registered.getOrDefault(key, List.of())) {
                if (!r.eventTime().isAfter(time) && (first == null || r.eventTime().isBefore(first.eventTime()))) {
                    first = r;
                }
            }
            if (first != null) {
                forwards.add(new Forward(key, audience.getIdentifierType().name(), at, time, first));
            }
        }

        /** A recall read at {@code at}. */
        void recalled(Coordinates at, AudienceRecall recall) {
            if (recall == null) {
                return;
            }
            Key key = new Key(recall.getUserId(), HashForm.valueOf(recall.getHashAlgorithm().name()),
                    recall.getIdentifierHash().toLowerCase(Locale.ROOT));
            recalls.computeIfAbsent(key, k -> new ArrayList<>()).add(new Recall(at, recall.getExposureEnd()));
        }

        /** The findings, redacted, in the order their forwards were read; each with the first recall that followed. */
        List<Finding> findings() {
            List<Finding> out = new ArrayList<>(forwards.size());
            for (Forward f : forwards) {
                Recall followed = recalls.getOrDefault(f.key(), List.of()).stream()
                        .filter(r -> r.exposureEnd() == null || !r.exposureEnd().isBefore(f.eventTime()))
                        .min(Comparator.comparing((Recall r) -> r.at().partition())
                                .thenComparing(r -> r.at().offset()))
                        .orElse(null);
                out.add(new Finding(redactUser(f.key().userId()), f.type(), f.key().form(),
                        f.key().hex().substring(0, 8), f.at(), f.eventTime(), f.registration().purpose(),
                        f.registration().sourceSystem(), followed == null ? null : followed.at()));
            }
            return out;
        }
    }

    /** A user id as the first 12 hex digits of its SHA-256, as the monitor and replay show it. */
    static String redactUser(String userId) {
        return Redaction.user(userId);
    }

}
