package org.purposefirewall.campaign;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.purposefirewall.campaign.CampaignTraffic.Outcome;
import org.purposefirewall.config.Topics;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SuppressedRecord;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * Reads the firewall's outputs as any outside consumer would (read_committed, no consumer group, every partition
 * from the beginning), on a thread of its own, for the whole campaign, and ties each record to its contact point
 * by the input coordinates it names. Nothing here asks the firewall anything: the counts are the outputs' alone.
 *
 * <p>It keeps, per contact point, how many outcome records (ad, quarantine, suppressed, dead letter) name it and the
 * kind of the first; per ad record whether it carries the oracle's digest; every recall's user and digest; every ad
 * record whose digest is a security digest (a leak unless the oracle says "registered after the forward" and a
 * recall followed); and, per home partition of the output's key, the broker's append time of every outcome record
 * (the output topics use {@code LogAppendTime}), for recovery times and throughput.
 */
final class OutputCollector implements Runnable {

    private final String bootstrap;
    private final Topics topics;
    private final FirewallSerdes serdes;
    private final CampaignTraffic traffic;
    private final Coordinates coordinates;
    private final int partitions;
    private final Set<String> securityDigests;
    private final AtomicBoolean running = new AtomicBoolean(true);

    private final byte[] outputs;
    private final byte[] firstKind;
    private final java.util.BitSet digestWrong = new java.util.BitSet();
    private final Set<String> recalls = new HashSet<>();
    private final List<long[]> leakCandidates = new ArrayList<>();
    private final List<String> leakKeys = new ArrayList<>();
    private final List<String> leakPlaces = new ArrayList<>();
    private final Map<String, Long> wrongReasons = new java.util.TreeMap<>();
    private final List<String> findings = new ArrayList<>();
    private final long[][] appendTimes;
    private final int[] appendCounts;
    private long unattributed;
    private long undecodable;
    private long adRecords;
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private volatile Throwable failure;

    OutputCollector(String bootstrap, Topics topics, FirewallSerdes serdes, CampaignTraffic traffic,
                    Coordinates coordinates, int partitions) {
        this.bootstrap = bootstrap;
        this.topics = topics;
        this.serdes = serdes;
        this.traffic = traffic;
        this.coordinates = coordinates;
        this.partitions = partitions;
        this.outputs = new byte[traffic.contactPoints()];
        this.firstKind = new byte[traffic.contactPoints()];
        this.securityDigests = new HashSet<>();
        for (int u = 0; u < traffic.users(); u++) {
            securityDigests.addAll(traffic.securityDigests(u));
        }
        appendTimes = new long[partitions][];
        appendCounts = new int[partitions];
        for (int p = 0; p < partitions; p++) {
            appendTimes[p] = new long[4096];
        }
    }

    @Override
    public void run() {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "campaign-output-reader",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<String> outputTopics = List.of(topics.audience(), topics.quarantine(), topics.suppressed(),
                topics.deadLetter(), topics.recalls());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (String topic : outputTopics) {
                for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofMinutes(2))) {
                    assigned.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                synchronized (this) {
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        accept(record);
                    }
                    for (TopicPartition tp : assigned) {
                        positions.put(tp, consumer.position(tp, Duration.ofMinutes(2)));
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
    }

    void stop() {
        running.set(false);
    }

    Throwable failure() {
        return failure;
    }

    /** True once this reader's position is at or past every given end offset. */
    synchronized boolean caughtUp(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            Long position = positions.get(end.getKey());
            if (position == null || position < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        accept(record.topic(), record.partition(), record.offset(), record.key(), record.value(),
                record.timestamp());
    }

    /** One output record as read at {@code topic}/{@code partition}@{@code offset}; {@code timestamp}: appended. */
    synchronized void accept(String topic, int partition, long offset, byte[] key, byte[] value, long timestamp) {
        try {
            if (topic.equals(topics.recalls())) {
                AudienceRecall recall = serdes.recall().decode(value);
                recalls.add(recall.getUserId() + "|" + recall.getIdentifierHash());
                return;
            }
            SourceCoordinates source;
            Outcome kind;
            String reason;
            AudienceIdentifier ad = null;
            if (topic.equals(topics.audience())) {
                ad = serdes.audience().decode(value);
                source = ad.getSource();
                kind = Outcome.FORWARD;
                reason = "";
                adRecords++;
            } else if (topic.equals(topics.quarantine())) {
                QuarantineRecord q = serdes.quarantine().decode(value);
                source = q.getSource();
                kind = Outcome.QUARANTINE;
                reason = q.getReason();
            } else if (topic.equals(topics.suppressed())) {
                SuppressedRecord r = serdes.suppressed().decode(value);
                source = r.getSource();
                kind = Outcome.SUPPRESS;
                reason = r.getReason();
            } else {
                DeadLetterRecord d = serdes.deadLetter().decode(value);
                source = d.getSource();
                kind = Outcome.DEAD_LETTER;
                reason = d.getReason();
            }
            int k = source == null || !topics.contactPoints().equals(source.getTopic()) ? -1
                    : coordinates.at(source.getPartition(), source.getOffset());
            if (ad != null && securityDigests.contains(ad.getIdentifierHash())) {
                leakCandidates.add(new long[] {k});
                leakKeys.add(ad.getUserId() + "|" + ad.getIdentifierHash());
                leakPlaces.add(topic + "/" + partition + "@" + offset + " (contact point " + k + ")");
            }
            String here = topic + "/" + partition + "@" + offset;
            if (k < 0) {
                unattributed++;
                note("unattributed: " + kind + " " + reason + " at " + here + " naming source " + source);
                return;
            }
            String input = "contact point " + k + " (" + topics.contactPoints() + "/" + source.getPartition() + "@"
                    + source.getOffset() + ")";
            if (outputs[k] < Byte.MAX_VALUE) {
                outputs[k]++;
            }
            if (firstKind[k] == 0) {
                firstKind[k] = (byte) (kind.ordinal() + 1);
                if (kind != traffic.expected(k)) {
                    wrongReasons.merge(traffic.expected(k) + "->" + kind + (reason.isEmpty() ? "" : " " + reason), 1L,
                            Long::sum);
                    note("wrong: " + input + " expected " + traffic.expected(k) + ", got " + kind + " " + reason
                            + " at " + here);
                }
            } else {
                note("duplicate: " + input + " again as " + kind + " " + reason + " at " + here);
            }
            if (ad != null && !(ad.getHashAlgorithm() == HashAlgorithm.SHA256
                    && ad.getIdentifierHash().equals(traffic.expectedDigest(k))
                    && ad.getUserId().equals(traffic.userId(CampaignTraffic.userOf(k))))) {
                digestWrong.set(k);
                note("wrong digest: " + input + " forwarded at " + here + " with another digest or user");
            }
            if (key != null) {
                int home = Utils.toPositive(Utils.murmur2(key)) % partitions;
                if (appendCounts[home] == appendTimes[home].length) {
                    appendTimes[home] = Arrays.copyOf(appendTimes[home], 2 * appendTimes[home].length);
                }
                appendTimes[home][appendCounts[home]++] = timestamp;
            }
        } catch (RuntimeException e) {
            undecodable++;
        }
    }

    /** Keeps the first 20 findings with their coordinates, for the report (a reproduction starts from them). */
    private void note(String finding) {
        if (findings.size() < 20) {
            findings.add(finding);
        }
    }

    /** True once every home partition has written at least one outcome record: the firewall runs everywhere. */
    synchronized boolean warm() {
        for (int count : appendCounts) {
            if (count == 0) {
                return false;
            }
        }
        return true;
    }

    /** How many contact points have at least one outcome record so far. */
    synchronized int decided() {
        int n = 0;
        for (byte b : outputs) {
            if (b > 0) {
                n++;
            }
        }
        return n;
    }

    /** How many expected recalls are on the recalls topic so far. */
    synchronized int recallsPresent() {
        int n = 0;
        for (int k = 0; k < outputs.length; k++) {
            if (traffic.expectsRecall(k) && recalls.contains(
                    traffic.userId(CampaignTraffic.userOf(k)) + "|" + traffic.expectedDigest(k))) {
                n++;
            }
        }
        return n;
    }

    /**
     * How many expected recalls are still missing for contact points decided as the oracle expects: the recalls the
     * campaign waits for. A contact point decided otherwise (suppressed where the oracle forwards, say) is a wrong
     * outcome, and no recall of it will ever come.
     */
    synchronized int recallsOutstanding() {
        int n = 0;
        for (int k = 0; k < outputs.length; k++) {
            if (outputs[k] > 0 && decidedAsExpected(k) && recallMissing(k)) {
                n++;
            }
        }
        return n;
    }

    private boolean decidedAsExpected(int k) {
        return Outcome.values()[firstKind[k] - 1] == traffic.expected(k) && !digestWrong.get(k);
    }

    private boolean recallMissing(int k) {
        return traffic.expectsRecall(k) && !recalls.contains(
                traffic.userId(CampaignTraffic.userOf(k)) + "|" + traffic.expectedDigest(k));
    }

    /** The verdict over everything read so far. */
    synchronized Verdict verdict() {
        long lost = 0;
        long duplicated = 0;
        long wrong = 0;
        long missingRecalls = 0;
        Map<String, Long> wrongKinds = new java.util.TreeMap<>(wrongReasons);
        List<Integer> lostSamples = new ArrayList<>();
        List<String> findingsLost = new ArrayList<>();
        List<Integer> duplicateSamples = new ArrayList<>();
        List<Integer> wrongSamples = new ArrayList<>();
        for (int k = 0; k < outputs.length; k++) {
            Outcome expected = traffic.expected(k);
            if (outputs[k] == 0) {
                lost++;
                if (lostSamples.size() < 10) {
                    lostSamples.add(k);
                    findingsLost.add("lost: contact point " + k + " (" + topics.contactPoints() + "/"
                            + coordinates.of(k) + ", expected " + expected + "): no output");
                }
                continue;
            }
            if (outputs[k] > 1) {
                duplicated++;
                if (duplicateSamples.size() < 10) {
                    duplicateSamples.add(k);
                }
            }
            Outcome actual = Outcome.values()[firstKind[k] - 1];
            if (!decidedAsExpected(k)) {
                wrong++;
                if (actual == expected) {
                    wrongKinds.merge(expected + " with another digest or user", 1L, Long::sum);
                }
                if (wrongSamples.size() < 10) {
                    wrongSamples.add(k);
                }
            } else if (recallMissing(k)) {
                missingRecalls++;
            }
        }
        long leaked = 0;
        List<String> leakSamples = new ArrayList<>();
        for (int i = 0; i < leakCandidates.size(); i++) {
            int k = (int) leakCandidates.get(i)[0];
            boolean excused = k >= 0 && traffic.registeredLate(k) && recalls.contains(leakKeys.get(i));
            if (!excused) {
                leaked++;
                if (leakSamples.size() < 10) {
                    leakSamples.add("leak: security digest on " + leakPlaces.get(i) + ", no excusing recall");
                }
            }
        }
        long[][] times = new long[partitions][];
        for (int p = 0; p < partitions; p++) {
            times[p] = Arrays.copyOf(appendTimes[p], appendCounts[p]);
            Arrays.sort(times[p]);
        }
        return new Verdict(outputs.length, lost, duplicated, leaked, wrong, missingRecalls, unattributed,
                undecodable, adRecords, recalls.size(), wrongKinds, lostSamples, duplicateSamples, wrongSamples,
                times, concat(concat(findingsLost, findings), leakSamples));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Counts over the outputs; {@code appendTimes[p]} sorted broker append times of home partition p's outputs. */
    record Verdict(int contactPoints, long lost, long duplicated, long leaked, long wrong, long missingRecalls,
                   long unattributed, long undecodable, long adRecords, long recalls, Map<String, Long> wrongKinds,
                   List<Integer> lostSamples, List<Integer> duplicateSamples, List<Integer> wrongSamples,
                   long[][] appendTimes, List<String> findings) {

        /** Every output tied to its contact point, once, with the oracle's outcome, no leak, no recall missing. */
        boolean clean() {
            return lost == 0 && duplicated == 0 && leaked == 0 && wrong == 0 && missingRecalls == 0
                    && unattributed == 0 && undecodable == 0;
        }
    }
}
