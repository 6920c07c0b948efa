package org.purposefirewall.it;

import static org.purposefirewall.it.EndToEndSupport.runCommand;
import static org.purposefirewall.it.EndToEndSupport.shippedConfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.purposefirewall.it.EndToEndSupport.CommandResult;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.fixtures.ScenarioTraffic.Event;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.report.TopicReader;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * {@code replay} against a real broker, checked against counts that come from the traffic, not from the firewall:
 * <ol>
 *   <li>the real firewall decides the scenario traffic of 400 users under the shipped policy, with two plants: 60
 *       forwarded emails are also registered for {@code functional.notifications} (not restricted by the shipped
 *       policy), and, after the firewall forwarded them, 20 mobile ad ids get a security registration dated before
 *       their contact point (late: the firewall recalls them);</li>
 *   <li>a replay under the shipped policy finds exactly the 20 late ones, as exposures (with hindsight they are
 *       quarantined), and every other contact point agrees;</li>
 *   <li>a replay under a stricter candidate (also restricting {@code functional}) finds exactly those 20 plus the 60,
 *       all exposures; restricted to a time window or to one user, exactly the planted records in it;</li>
 *   <li>no replay writes anything: every topic's end offsets and the cluster's consumer groups are unchanged.</li>
 * </ol>
 */
class ReplayIT {

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    private static final int PARTITIONS = 3;
    private static final int USERS = 400;
    private static final String FUNCTIONAL = "functional.notifications";

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void replayFindsExactlyThePlantedDifferencesAndWritesNothing(@TempDir Path dir) throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        Path configFile = shippedConfig(dir, "replay-" + unique + ".", "mock://replay-it-" + unique);
        Path candidate = candidatePolicy(dir);
        String bootstrap = BROKER.get().bootstrapServers();
        FirewallConfig config = new ConfigLoader().load(configFile).withBootstrapServers(bootstrap)
                .withApplicationId("it-replay-" + unique, dir.resolve("state"));
        Topics topics = config.topics();
        FirewallTopics.createAll(BROKER.get(), topics, PARTITIONS);
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        long t0 = System.currentTimeMillis() - 3_600_000L;
        ScenarioTraffic traffic = new ScenarioTraffic(topics, serdes, t0);

        // What the traffic says, independently of the firewall: the contact points each plant changes
        Map<String, Event> functionalPlants = new HashMap<>();   // user -> its forwarded email contact point
        Map<String, Event> latePlants = new HashMap<>();         // user -> its forwarded mobile ad id contact point
        Set<String> functionalCoordinates = new HashSet<>();
        Set<String> lateCoordinates = new HashSet<>();
        Map<String, String> coordinatesByUser = new HashMap<>();
        long contactPoints = traffic.expectedCounts(USERS).values().stream().mapToLong(Long::longValue).sum();

        try (FirewallApp app = new FirewallApp(config, serdes);
             KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(bootstrap, "it-replay-", Map.of());
             EndToEndSupport.OutputCollector outputs = new EndToEndSupport.OutputCollector(bootstrap, PARTITIONS,
                     topics, serdes, "it-replay-outputs-", Map.of(), "replay IT", null)) {
            app.start();
            EndToEndSupport.awaitRunning(app, Duration.ofSeconds(120));
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            List<Runnable> afterSend = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                String user = ScenarioTraffic.userId(i);
                int kind = i % 20;
                for (Event event : traffic.user(i)) {
                    if (event.topic().equals(topics.contactPoints()) && event.expected() == Expected.FORWARD) {
                        if (kind >= 6 && kind <= 11 && i % 2 == 0) {
                            ContactPoint c = serdes.contactPoint().decode(event.value());
                            producer.send(EndToEndSupport.record(ScenarioTraffic.registration(topics, serdes, user,
                                    c.getIdentifierType(), c.getValue().toString(), FUNCTIONAL, "newsletter",
                                    event.timestamp() - 5)));
                            functionalPlants.put(user, event);
                        } else if (kind == 17) {
                            latePlants.put(user, event);
                        }
                    }
                    Future<RecordMetadata> f = producer.send(EndToEndSupport.record(event));
                    if (functionalPlants.get(user) == event || latePlants.get(user) == event) {
                        boolean functional = functionalPlants.get(user) == event;
                        afterSend.add(() -> {
                            String at = coordinates(get(f));
                            (functional ? functionalCoordinates : lateCoordinates).add(at);
                            coordinatesByUser.put(user, at);
                        });
                    }
                    sent.add(f);
                }
            }
            for (Event marker : traffic.endOfTrafficMarkers(PARTITIONS, traffic.endTime(USERS))) {
                producer.send(EndToEndSupport.record(marker));
            }
            producer.flush();
            afterSend.forEach(Runnable::run);
            assertThat(functionalPlants).hasSize(60);
            assertThat(latePlants).hasSize(20);
            outputs.pollUntilAtLeast(contactPoints, Duration.ofMinutes(3));

            // The late security registrations, dated before their contact points, after those were forwarded
            for (Map.Entry<String, Event> e : latePlants.entrySet()) {
                ContactPoint c = serdes.contactPoint().decode(e.getValue().value());
                producer.send(EndToEndSupport.record(ScenarioTraffic.registration(topics, serdes, e.getKey(),
                        IdentifierType.MOBILE_AD_ID, c.getValue().toString(), ScenarioTraffic.SECURITY_2FA,
                        "two-factor-auth", e.getValue().timestamp() - 1)));
            }
            producer.flush();
            awaitRecalls(config, topics.recalls(), latePlants.size());
            assertThat(outputs.countsAsLongs()).as("the service's outcomes, before any replay")
                    .isEqualTo(traffic.expectedCounts(USERS));
        }
        Map<TopicPartition, Long> endsBefore = endOffsets(config, topics);
        Set<String> groupsBefore = groups(bootstrap);

        // When the traffic is replayed under the shipped policy
        Path current = dir.resolve("current.jsonl");
        CommandResult asRun = runCommand("replay", configFile, bootstrap, "--report", current.toString());

        // Then exactly the late-registered forwards differ, as exposures; every other contact point agrees
        System.out.println("replay under the shipped policy:\n" + asRun.out() + asRun.err());
        assertThat(asRun.code()).as(asRun.err()).isEqualTo(1);
        assertThat(differences(current)).isEqualTo(expected(lateCoordinates, Set.of()));
        assertThat(asRun.out()).contains(String.format("same outcome: %,d", contactPoints - lateCoordinates.size()),
                String.format("differences: %,d", lateCoordinates.size()));

        // When it is replayed under the stricter candidate
        Path stricter = dir.resolve("candidate.jsonl");
        CommandResult candidateRun = runCommand("replay", configFile, bootstrap, "--policy", candidate.toString(),
                "--report", stricter.toString());

        // Then the functional registrations' forwards differ too, and nothing else
        System.out.println("replay under the candidate:\n" + candidateRun.out() + "first report line:\n"
                + Files.readAllLines(stricter).get(0));
        assertThat(candidateRun.code()).as(candidateRun.err()).isEqualTo(1);
        assertThat(differences(stricter)).isEqualTo(expected(lateCoordinates, functionalCoordinates));
        assertThat(Files.readAllLines(stricter)).allSatisfy(line -> {
            JsonNode n = new ObjectMapper().readTree(line);
            assertThat(n.get("then").get("fate").asText()).isEqualTo("FORWARDED");
            assertThat(n.get("now").get("fate").asText()).isEqualTo("QUARANTINED");
            assertThat(n.get("now").get("rule").asText()).isEqualTo("restricted.registered");
            assertThat(n.get("now").get("policyVersion").asText()).isEqualTo("candidate-1");
            assertThat(n.get("then").get("policyVersion").asText()).isEqualTo(config.policy().version());
        });
        assertNoPersonalData(Files.readString(stricter) + candidateRun.out() + candidateRun.err(), serdes,
                functionalPlants, latePlants);

        // And restricted to one user, or to the first half of the traffic's event time, exactly the plants in it
        String oneUser = functionalPlants.keySet().iterator().next();
        Path single = dir.resolve("single.jsonl");
        CommandResult userRun = runCommand("replay", configFile, bootstrap, "--policy", candidate.toString(), "--user", oneUser,
                "--report", single.toString(), "--quiet");
        assertThat(userRun.code()).as(userRun.err()).isEqualTo(1);
        assertThat(differences(single)).containsOnlyKeys(coordinatesByUser.get(oneUser));
        long half = t0 + USERS / 2 * 10L;
        Path window = dir.resolve("window.jsonl");
        CommandResult windowRun = runCommand("replay", configFile, bootstrap, "--policy", candidate.toString(), "--from",
                Instant.ofEpochMilli(t0).toString(), "--to", Instant.ofEpochMilli(half).toString(),
                "--report", window.toString(), "--quiet");
        assertThat(windowRun.code()).as(windowRun.err()).isEqualTo(1);
        Set<String> inWindow = new HashSet<>();
        functionalPlants.forEach((u, e) -> {
            if (e.timestamp() < half) {
                inWindow.add(coordinatesByUser.get(u));
            }
        });
        latePlants.forEach((u, e) -> {
            if (e.timestamp() < half) {
                inWindow.add(coordinatesByUser.get(u));
            }
        });
        assertThat(differences(window).keySet()).isEqualTo(inWindow).isNotEmpty();

        // And nothing was written anywhere: not a record, not a consumer group
        assertThat(endOffsets(config, topics)).as("every topic's end offsets").isEqualTo(endsBefore);
        assertThat(groups(bootstrap)).as("the cluster's consumer groups").isEqualTo(groupsBefore);
    }

    /** Coordinates -> change, as the replay's report lists them. */
    private static Map<String, String> differences(Path report) throws Exception {
        Map<String, String> byCoordinates = new TreeMap<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : Files.readAllLines(report)) {
            JsonNode n = mapper.readTree(line);
            String at = n.get("topic").asText() + "/" + n.get("partition").asInt() + "@" + n.get("offset").asLong();
            assertThat(byCoordinates.put(at, n.get("change").asText())).as("one line per record: " + at).isNull();
        }
        return byCoordinates;
    }

    private static Map<String, String> expected(Set<String> late, Set<String> functional) {
        Map<String, String> expected = new TreeMap<>();
        late.forEach(c -> expected.put(c, "exposure"));
        functional.forEach(c -> expected.put(c, "exposure"));
        return expected;
    }

    private static void assertNoPersonalData(String text, FirewallSerdes serdes, Map<String, Event> a,
                                             Map<String, Event> b) {
        for (Map<String, Event> plants : List.of(a, b)) {
            plants.forEach((user, event) -> {
                ContactPoint c = serdes.contactPoint().decode(event.value());
                assertThat(text).doesNotContain("\"" + user + "\"").doesNotContain(c.getValue().toString())
                        .doesNotContain(EndToEndSupport.matchKey(c));
            });
        }
    }

    private static void awaitRecalls(FirewallConfig config, String recalls, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        long seen = 0;
        while (System.nanoTime() < deadline) {
            long[] count = {0};
            try (TopicReader reader = new TopicReader(TopicReader.clientProperties(config), "it-replay-recalls",
                    Duration.ofMinutes(1))) {
                reader.read(reader.ranges(recalls, null), r -> count[0]++);
            }
            seen = count[0];
            if (seen >= expected) {
                assertThat(seen).as("one recall per late registration").isEqualTo(expected);
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("only " + seen + " of " + expected + " recalls within 2 minutes");
    }

    private static Map<TopicPartition, Long> endOffsets(FirewallConfig config, Topics topics) {
        Map<TopicPartition, Long> ends = new TreeMap<>((x, y) -> x.toString().compareTo(y.toString()));
        try (TopicReader reader = new TopicReader(TopicReader.clientProperties(config), "it-replay-ends",
                Duration.ofMinutes(1))) {
            for (String topic : List.of(topics.contactPoints(), topics.consent(), topics.registrations(),
                    topics.audience(), topics.quarantine(), topics.suppressed(), topics.deadLetter(),
                    topics.recalls())) {
                reader.ranges(topic, null).forEach((p, r) -> ends.put(p, r.end()));
            }
        }
        return ends;
    }

    private static Set<String> groups(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listGroups().all().get(30, TimeUnit.SECONDS).stream().map(GroupListing::groupId)
                    .collect(Collectors.toSet());
        }
    }

    private static RecordMetadata get(Future<RecordMetadata> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String coordinates(RecordMetadata m) {
        return m.topic() + "/" + m.partition() + "@" + m.offset();
    }

    /** The shipped policy, with {@code functional} restricted too and its own version. */
    private static Path candidatePolicy(Path dir) throws Exception {
        String policy = Files.readString(dir.resolve("policy.yaml"));
        String restricted = "restricted-purposes:\n  - essential.service.security\n";
        assertThat(policy).contains(restricted);
        policy = policy.replace(restricted, restricted + "  - functional\n")
                .replaceFirst("(?m)^version: .*$", "version: \"candidate-1\"");
        Path file = dir.resolve("candidate-policy.yaml");
        Files.writeString(file, policy);
        return file;
    }
}
