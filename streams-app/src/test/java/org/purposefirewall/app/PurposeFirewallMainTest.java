package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PurposeFirewallMainTest {

    private static final Path REPO_CONFIG = Path.of("..", "config", "application.yaml");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return PurposeFirewallMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void validateAcceptsTheShippedConfigAndSummarizesIt() {
        int code = run("validate", "--config", REPO_CONFIG.toString());

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("configuration OK", "version 2026-11-25.1", "marketing.advertising.third_party.targeted",
                        "exactly_once_v2");
    }

    @Test
    void validatePrintsTheSha256OfThePolicyFileThatOutputsCarryAsPolicyHash() throws Exception {
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(REPO_CONFIG.resolveSibling("policy.yaml"))));

        int code = run("validate", "--config", REPO_CONFIG.toString());

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("policy hash: sha256 " + expected)
                .contains("policy-file", "version 2026-11-25.1, sha256 " + expected);
    }

    @Test
    void shouldPrintTheShadowPolicyWithItsVersionAndHashWhenValidating(@TempDir Path dir) throws Exception {
        // Given the shipped configuration with the shipped example candidate as its shadow policy
        Files.copy(REPO_CONFIG.resolveSibling("policy.yaml"), dir.resolve("policy.yaml"));
        Files.copy(REPO_CONFIG.resolveSibling("shadow-policy.example.yaml"), dir.resolve("candidate.yaml"));
        Path config = dir.resolve("application.yaml");
        Files.writeString(config, Files.readString(REPO_CONFIG)
                .replace("policy-file: policy.yaml", "policy-file: policy.yaml\nshadow-policy-file: candidate.yaml"));
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(dir.resolve("candidate.yaml"))));

        // When validated
        int code = run("validate", "--config", config.toString());

        // Then the summary and the effective settings name it, its version and its own hash
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("shadow:      " + dir.resolve("candidate.yaml").toAbsolutePath().normalize()
                        + " (version 2026-12-01.1-candidate, sha256 " + expected + ")")
                .contains("shadow-policy-file", "topics.shadow-decisions", "privacy.shadow-decisions");
    }

    @Test
    void shouldSayThereIsNoShadowPolicyWhenValidatingWithout() {
        int code = run("validate", "--config", REPO_CONFIG.toString());

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("shadow:      none (shadow-policy-file not set)");
    }

    @Test
    void aBadKeyFailsAtStartupNamingTheFileAndTheKey(@TempDir Path dir) throws IOException {
        Files.copy(REPO_CONFIG.resolveSibling("policy.yaml"), dir.resolve("policy.yaml"));
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, Files.readString(REPO_CONFIG)
                .replace("  max-task-idle-ms: 0", "  max-task-idle: 0"));

        int code = run("run", "--config", config.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("configuration error", "bad.yaml", "processing.max-task-idle");
    }

    @Test
    void aBadPolicyFailsAtStartupNamingThePolicyFileAndTheKey(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("policy.yaml"), """
                version: "1"
                ad-purpose: marketing.advertising
                restricted-purposes:
                  - "essential service security"
                """);
        Path config = dir.resolve("application.yaml");
        Files.copy(REPO_CONFIG, config);

        int code = run("validate", "--config", config.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("policy.yaml", "restricted-purposes[0]");
    }

    @Test
    void describePrintsTheNamedTopology() {
        int code = run("describe", "--config", REPO_CONFIG.toString());

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("purpose-decider", "consent-store", "registration-store", "dead-letter-sink");
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrors() {
        assertThat(run("frobnicate", "--config", REPO_CONFIG.toString())).isEqualTo(2);
        assertThat(run("run", "--no-such-flag", "x")).isEqualTo(2);
        assertThat(run("run", "--config")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command frobnicate",
                "unknown option --no-such-flag", "needs a value");
    }

    @Test
    void shouldListEveryCommandInItsHelpAndTreatNoCommandAsAUsageError() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("run", "validate", "create-topics", "describe", "exposure-report", "audit", "replay",
                        "explain");
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("a command is required", "Usage:");
        assertThat(run("exposure-report", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--user", "--from", "--to", "--config");
        assertThat(run("audit", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--json");
    }

    @Test
    void explainRefusesATopicTheFirewallDoesNotDecideBeforeReadingAnything() {
        assertThat(run("explain", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--topic", "--partition", "--offset", "--policy",
                "--json");

        int code = run("explain", "--config", REPO_CONFIG.toString(), "--topic", "ads.audience-identifiers",
                "--partition", "0", "--offset", "0");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("ads.audience-identifiers is not an input topic "
                + "the firewall decides", "user.contact-points");
        assertThat(run("explain", "--config", REPO_CONFIG.toString(), "--topic", "user.contact-points")).isEqualTo(2);
    }

    @Test
    void replayRejectsABadRangeOrCandidatePolicyBeforeReadingAnything(@TempDir Path dir) throws Exception {
        assertThat(run("replay", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--policy", "--from", "--to", "--offsets",
                "--user", "--report", "--work-dir");

        assertThat(run("replay", "--config", REPO_CONFIG.toString(), "--offsets", "user.contact-points:x:1-2"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not TOPIC:PARTITION:FROM-TO");
        assertThat(run("replay", "--config", REPO_CONFIG.toString(), "--from", "2026-11-02T00:00:00Z", "--to",
                "2026-11-01T00:00:00Z")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--from must be before --to");

        Path candidate = dir.resolve("candidate.yaml");
        Files.writeString(candidate, "version: \"x\"\nad-purpose: marketing\nrestricted-purposes: []\n");
        assertThat(run("replay", "--config", REPO_CONFIG.toString(), "--policy", candidate.toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(candidate.toString(), "restricted-purposes");
    }

    @Test
    void shouldRejectATimeThatIsNotAnIsoInstantBeforeReadingAnything() {
        assertThat(run("exposure-report", "--config", REPO_CONFIG.toString(), "--from", "yesterday")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("ISO-8601 instant");
        assertThat(run("audit", "--config", REPO_CONFIG.toString(), "--to", "tomorrow")).isEqualTo(2);
    }

    @Test
    void aMissingConfigFileIsAConfigurationError() {
        int code = run("validate", "--config", "does/not/exist.yaml");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("does/not/exist.yaml", "no such file");
    }

    @Test
    void validatePrintsEveryEffectiveSettingWithOverridesApplied() {
        // When validated with command-line overrides
        int code = run("validate", "--config", REPO_CONFIG.toString(), "--bootstrap-servers", "broker-a:9092",
                "--schema-registry-url", "http://registry.example:8081/apis/ccompat/v7", "--state-dir", "/srv/pf");

        // Then the region, idle, commit, settle, guarantee, topics, registry and HTTP settings are shown as in effect
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("effective settings:")
                .containsPattern("bootstrap-servers: +broker-a:9092")
                .containsPattern("schema-registry.schema.registry.url: +http://registry.example:8081/apis/ccompat/v7")
                .containsPattern("identity.default-region: +none")
                .containsPattern("processing.max-task-idle-ms: +0")
                .containsPattern("processing.commit-interval-ms: +50")
                .containsPattern("processing.settle-ms: +200")
                .containsPattern("processing.guarantee: +exactly_once_v2")
                .containsPattern("processing.state-dir: +/srv/pf")
                .containsPattern("topics.consent: +privacy.consent")
                .containsPattern("http.port: +8080");
    }

    @Test
    void validateHidesSecretsOfTheRegistryAndThePassThrough(@TempDir Path dir) throws IOException {
        // Given a registry URL with user info and pass-through settings that hold secrets
        Files.copy(REPO_CONFIG.resolveSibling("policy.yaml"), dir.resolve("policy.yaml"));
        Path config = dir.resolve("application.yaml");
        Files.writeString(config, Files.readString(REPO_CONFIG)
                .replace("schema.registry.url: mock://purpose-firewall",
                        "schema.registry.url: http://alice:s3cret@registry.example:8081\n"
                                + "  basic.auth.credentials.source: URL")
                .replace("streams: {}", """
                        streams:
                          security.protocol: SASL_SSL
                          sasl.mechanism: PLAIN
                          sasl.jaas.config: org.apache.kafka.common.security.plain.PlainLoginModule required \
                        username="bob" password="hunter2";
                          ssl.truststore.password: trustpass
                        """));

        // When validated
        int code = run("validate", "--config", config.toString());

        // Then no secret is printed, and the settings that are not secret are
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).doesNotContain("s3cret", "alice", "hunter2", "trustpass")
                .containsPattern("streams.sasl.jaas.config: +\\[hidden\\]")
                .containsPattern("streams.ssl.truststore.password: +\\[hidden\\]")
                .containsPattern("streams.security.protocol: +SASL_SSL")
                .contains("registry.example:8081");
    }

    @Test
    void runRefusesTheInMemoryRegistryWithoutTheFlagBeforeConnectingAnywhere() {
        // Given the shipped config, whose registry is mock://
        // When run without --allow-in-memory-registry
        int code = run("run", "--config", REPO_CONFIG.toString());

        // Then it stops at once, saying why and what to give instead
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("startup failed:", "mock://purpose-firewall", "in-memory registry", "--schema-registry-url",
                        "--allow-in-memory-registry")
                .hasLineCount(1);
    }

    @Test
    void runAndCreateTopicsStopWithinSecondsInOneLineWhenNoBrokerListens() throws IOException {
        // Given bootstrap servers where nothing listens
        String nowhere;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            nowhere = "127.0.0.1:" + socket.getLocalPort();
        }

        for (String command : new String[] {"run", "create-topics"}) {
            err.reset();
            long start = System.nanoTime();
            // When run (in-memory registry allowed, so that the broker is what is missing) or create-topics
            int code = command.equals("run")
                    ? run("run", "--config", REPO_CONFIG.toString(), "--bootstrap-servers", nowhere,
                            "--allow-in-memory-registry")
                    : run("create-topics", "--config", REPO_CONFIG.toString(), "--bootstrap-servers", nowhere);
            java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - start);

            // Then one line names the bootstrap servers, exit 2, well within the topic check's 30 s
            assertThat(code).as(command).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).as(command)
                    .contains("no Kafka broker accepts connections at bootstrap servers " + nowhere)
                    .hasLineCount(1);
            assertThat(took).as(command).isLessThan(java.time.Duration.ofSeconds(10));
        }
    }

    @Test
    void createTopicsRejectsANonPositivePartitionCount() {
        assertThat(run("create-topics", "--config", REPO_CONFIG.toString(), "--partitions", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--partitions must be at least 1");
    }
}
