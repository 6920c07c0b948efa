package org.purposefirewall.demo;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.purposefirewall.config.Topics;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.schema.SuppressedRecord;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * What reached the four outputs, and the checks behind the report: counts per output, whether every produced contact
 * point ended in exactly one output, and how many audience records carry the match key of a security identifier.
 *
 * <p>Contact points and outputs meet on the decision id: the firewall derives it from the input's coordinates and
 * the policy version ({@code UUID.nameUUIDFromBytes("topic/partition/offset/version")}, see the {@code decisionId}
 * docs of the output schemas), the audience, quarantine and suppressed records carry it, and dead letters carry the
 * coordinates it is derived from. The producer's acknowledgements give the coordinates of every contact point.
 *
 * <p>Threads: the producer's threads record contact points and security identifiers (thread-safe); one consumer
 * thread calls {@link #output} and {@link #check}; the counts may be read from any thread. Holds match keys (hashes)
 * only, and never prints or logs any of them.
 */
final class OutputTally {

    /** The four outputs, in report order. */
    enum Output {
        FORWARDED("forwarded"),
        QUARANTINED("quarantined"),
        SUPPRESSED("suppressed"),
        DEAD_LETTERED("dead-lettered");

        final String label;

        Output(String label) {
            this.label = label;
        }
    }

    /**
     * The exactly-one check.
     *
     * @param missing produced contact points with no output
     * @param repeated produced contact points with more than one output
     * @param unexpected outputs for no produced contact point, or that could not be read
     * @param securityOnAdTopic audience records whose match key is one of a security identifier
     */
    record Check(long missing, long repeated, long unexpected, long securityOnAdTopic) {
        boolean exactlyOnce() {
            return missing == 0 && repeated == 0 && unexpected == 0;
        }
    }

    /** Set in a ledger entry once the contact point was acknowledged; the low bits count its outputs. */
    private static final int PRODUCED = 1 << 20;

    private final Topics topics;
    private final String policyVersion;
    private final FirewallSerdes serdes;
    private final Map<Output, AtomicLong> counts = new EnumMap<>(Output.class);
    private final Map<Output, Map<String, Long>> reasons = new EnumMap<>(Output.class);
    private final ConcurrentHashMap<UUID, Integer> ledger = new ConcurrentHashMap<>();
    private final Set<String> securityKeys = ConcurrentHashMap.newKeySet();
    /** Match keys seen on the ad topic and how often; consumer thread only. */
    private final Map<String, Integer> audienceKeys = new HashMap<>();
    private final AtomicLong securityOnAdTopic = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private final AtomicLong otherDeadLetters = new AtomicLong();

    OutputTally(Topics topics, String policyVersion, FirewallSerdes serdes) {
        this.topics = topics;
        this.policyVersion = policyVersion;
        this.serdes = serdes;
        for (Output output : Output.values()) {
            counts.put(output, new AtomicLong());
            reasons.put(output, new ConcurrentSkipListMap<>());
        }
    }

    /** The topic of an output. */
    String topic(Output output) {
        return switch (output) {
            case FORWARDED -> topics.audience();
            case QUARANTINED -> topics.quarantine();
            case SUPPRESSED -> topics.suppressed();
            case DEAD_LETTERED -> topics.deadLetter();
        };
    }

    /** Remembers the match key of an identifier the scenario registered or declared for security. */
    void securityIdentifier(String matchKey) {
        securityKeys.add(matchKey);
    }

    /** A contact point the broker acknowledged at these coordinates. */
    void produced(int partition, long offset) {
        ledger.merge(decisionId(topics.contactPoints(), partition, offset), PRODUCED, (a, b) -> a | PRODUCED);
    }

    /** One record read from an output topic. */
    void output(String topic, byte[] value) {
        Output output = outputOf(topic);
        if (output == null) {
            return;
        }
        counts.get(output).incrementAndGet();
        if (value == null) {
            unreadable.incrementAndGet();
            return;
        }
        try {
            UUID id = switch (output) {
                case FORWARDED -> {
                    AudienceIdentifier audience = serdes.audience().decode(value);
                    String key = audience.getIdentifierHash();
                    audienceKeys.merge(key, 1, Integer::sum);
                    if (securityKeys.contains(key)) {
                        securityOnAdTopic.incrementAndGet();
                    }
                    yield UUID.fromString(audience.getDecisionId());
                }
                case QUARANTINED -> {
                    QuarantineRecord quarantined = serdes.quarantine().decode(value);
                    reason(output, quarantined.getReason());
                    yield UUID.fromString(quarantined.getDecisionId());
                }
                case SUPPRESSED -> {
                    SuppressedRecord suppressed = serdes.suppressed().decode(value);
                    reason(output, suppressed.getReason());
                    yield UUID.fromString(suppressed.getDecisionId());
                }
                case DEAD_LETTERED -> {
                    DeadLetterRecord dead = serdes.deadLetter().decode(value);
                    reason(output, dead.getReason());
                    SourceCoordinates source = dead.getSource();
                    if (!topics.contactPoints().equals(source.getTopic())) {
                        // A consent or registration record the firewall could not read: not a contact point.
                        otherDeadLetters.incrementAndGet();
                        yield null;
                    }
                    yield decisionId(source.getTopic(), source.getPartition(), source.getOffset());
                }
            };
            if (id != null) {
                ledger.merge(id, 1, (a, b) -> a + 1);
            }
        } catch (RuntimeException e) {
            // An output the demo cannot read counts against the exactly-one check; never echo its content.
            unreadable.incrementAndGet();
        }
    }

    /** Reason codes (never identifiers) of one output and how often each occurred, sorted by code. */
    Map<String, Long> reasons(Output output) {
        return Map.copyOf(reasons.get(output));
    }

    private void reason(Output output, String code) {
        reasons.get(output).merge(code, 1L, Long::sum);
    }

    long count(Output output) {
        return counts.get(output).get();
    }

    /** All output records read so far. */
    long total() {
        long sum = 0;
        for (AtomicLong count : counts.values()) {
            sum += count.get();
        }
        return sum;
    }

    /** Output records that stand for a contact point (dead letters of consent and registrations excluded). */
    long decidedContactPoints() {
        return total() - otherDeadLetters.get();
    }

    /** Audience records seen so far whose match key is a security identifier's. */
    long securityOnAdTopic() {
        return securityOnAdTopic.get();
    }

    /**
     * Checks the whole ledger. Security identifiers are counted again over every audience record, so a match key
     * remembered after its audience record arrived still counts.
     */
    Check check() {
        long missing = 0;
        long repeated = 0;
        long unexpected = unreadable.get();
        for (int entry : ledger.values()) {
            int outputs = entry & (PRODUCED - 1);
            if ((entry & PRODUCED) == 0) {
                unexpected += outputs;
            } else if (outputs == 0) {
                missing++;
            } else if (outputs > 1) {
                repeated++;
            }
        }
        long security = 0;
        for (Map.Entry<String, Integer> e : audienceKeys.entrySet()) {
            if (securityKeys.contains(e.getKey())) {
                security += e.getValue();
            }
        }
        return new Check(missing, repeated, unexpected, security);
    }

    private Output outputOf(String topic) {
        for (Output output : Output.values()) {
            if (topic(output).equals(topic)) {
                return output;
            }
        }
        return null;
    }

    /** The firewall's decision id for the input at these coordinates (see the firewall's Outputs.decisionId). */
    private UUID decisionId(String topic, int partition, long offset) {
        String basis = topic + '/' + partition + '/' + offset + '/' + policyVersion;
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8));
    }
}
