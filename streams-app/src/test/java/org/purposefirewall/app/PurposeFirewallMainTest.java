package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("run", "validate", "describe", "exposure-report");
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("a command is required", "Usage:");
        assertThat(run("exposure-report", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--user", "--from", "--to", "--config");
    }

    @Test
    void shouldRejectATimeThatIsNotAnIsoInstantBeforeReadingAnything() {
        assertThat(run("exposure-report", "--config", REPO_CONFIG.toString(), "--from", "yesterday")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("ISO-8601 instant");
    }

    @Test
    void aMissingConfigFileIsAConfigurationError() {
        int code = run("validate", "--config", "does/not/exist.yaml");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("does/not/exist.yaml", "no such file");
    }
}
