package org.purposefirewall.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * The demo end to end, in this JVM: a real in-process broker, the firewall and the scenario traffic. Given
 * {@code --users 400}, the scenario's per-20-users mix gives 220 forwarded, 140 quarantined, 100 suppressed and 20
 * dead-lettered contact points (checked against {@link ScenarioTraffic#expectedCounts(int)} too).
 */
class DemoIT {

    /** Phone numbers of the scenario: area code, the 555 exchange, four digits, in any of its spellings. */
    private static final Pattern PHONE_DIGITS = Pattern.compile("555[-. ]?\\d{4}");
    /** SHA-256 match keys, upper or lower case. */
    private static final Pattern SHA256_HEX = Pattern.compile("(?i)\\b[0-9a-f]{64}\\b");
    /** Mobile ad ids. */
    private static final Pattern UUID = Pattern.compile("(?i)\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
            + "[0-9a-f]{12}\\b");

    @Test
    void shouldReportTheExpectedOutputCountsWithoutPrintingAnyIdentifier() throws InterruptedException {
        Set<Thread> before = Thread.getAllStackTraces().keySet();

        Run run = run("--users", "400", "--rate", "0");

        assertThat(run.exitCode()).as(run.output()).isZero();
        Map<ScenarioTraffic.Expected, Long> expected = scenarioExpectations(400);
        assertThat(expected).containsExactly(entry(ScenarioTraffic.Expected.FORWARD, 220L),
                entry(ScenarioTraffic.Expected.QUARANTINE, 140L), entry(ScenarioTraffic.Expected.SUPPRESS, 100L),
                entry(ScenarioTraffic.Expected.DEAD_LETTER, 20L));
        String report = run.report();
        assertThat(report).as(run.output())
                .containsPattern(countLine("forwarded", "ads.audience-identifiers", 220))
                .containsPattern(countLine("quarantined", "privacy.quarantine", 140))
                .containsPattern(countLine("suppressed", "privacy.suppressed", 100))
                .containsPattern(countLine("dead-lettered", "privacy.dead-letter", 20))
                .contains("users produced: 400 of 400 (480 contact points")
                .contains("every contact point in exactly one output: yes")
                .contains("security identifiers on the ad topic: 0")
                .contains("result: PASS");
        assertThat(report).containsPattern("elapsed: \\d+\\.\\d s").containsPattern("throughput: \\d+ contact points");
        // The live lines came before the report, one a second at least once.
        assertThat(run.output()).contains("security identifiers on ad topic: 0");
        assertNoIdentifiers(run.output());
        assertNoThreadLeftBehind(before);
    }

    @Test
    void shouldStopAfterTheDurationAndStillMatchTheUsersProduced() {
        Run run = run("--users", "100000", "--rate", "100", "--duration", "2", "--partitions", "2");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.report()).as(run.output())
                .contains("Report (stopped after --duration)")
                .containsPattern("users produced: \\d+ of 100000")
                .contains("every contact point in exactly one output: yes")
                .contains("security identifiers on the ad topic: 0")
                .contains("result: PASS");
        Matcher users = Pattern.compile("users produced: (\\d+) of").matcher(run.report());
        assertThat(users.find()).isTrue();
        assertThat(Integer.parseInt(users.group(1))).isBetween(50, 1_000);
        assertNoIdentifiers(run.output());
    }

    @Test
    void shouldRejectAnUnknownOptionWithTheUsage() {
        Run run = run("--user", "5");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).startsWith("demo: unknown option '--user'").contains("usage: demo.sh");
    }

    @Test
    void shouldRejectABadValueWithTheUsage() {
        Run run = run("--rate", "fast");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).startsWith("demo: option --rate needs a whole number").contains("usage: demo.sh");
    }

    @Test
    void shouldFailInOneLineAndAtOnceWhenTheSchemaRegistryDoesNotAnswer() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        long start = System.nanoTime();

        Run run = run("--registry-url", url);

        assertThat(run.exitCode()).isEqualTo(2);
        List<String> lines = run.output().lines().toList();
        assertThat(lines).as(run.output()).hasSize(1);
        assertThat(lines.get(0)).startsWith("demo: schema registry: ").contains(url);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    /** What the scenario itself says users [0, n) must give. */
    private static Map<ScenarioTraffic.Expected, Long> scenarioExpectations(int users) {
        FirewallSerdes serdes = FirewallSerdes.fromSettings(SchemaRegistryConfig.inMemory("demo-it"));
        try {
            return new ScenarioTraffic(Topics.defaults(), serdes, 0).expectedCounts(users);
        } finally {
            MockSchemaRegistryClient.dropScope("demo-it");
        }
    }

    private static Pattern countLine(String output, String topic, int count) {
        return Pattern.compile("(?m)^\\s+" + Pattern.quote(output) + "\\s+" + Pattern.quote(topic) + "\\s+" + count
                + "\\s+" + count + "\\s+ok$");
    }

    private static void assertNoIdentifiers(String output) {
        assertThat(output).doesNotContain("@").doesNotContain("user-");
        assertThat(output).doesNotContainPattern(PHONE_DIGITS).doesNotContainPattern(SHA256_HEX)
                .doesNotContainPattern(UUID);
    }

    /** The broker and the firewall run on non-daemon threads: all of them must be gone once the demo returns. */
    private static void assertNoThreadLeftBehind(Set<Thread> before) throws InterruptedException {
        Set<String> left = Set.of();
        for (int i = 0; i < 100; i++) {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && !t.isDaemon() && !before.contains(t))
                    .map(Thread::getName)
                    .collect(Collectors.toSet());
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(left).as("non-daemon threads still running 10 s after the demo returned").isEmpty();
    }

    private static Run run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            exitCode = DemoMain.run(args, out);
        }
        return new Run(exitCode, bytes.toString(StandardCharsets.UTF_8));
    }

    private record Run(int exitCode, String output) {
        String report() {
            int at = output.indexOf("Report (");
            return at < 0 ? "" : output.substring(at);
        }
    }
}
