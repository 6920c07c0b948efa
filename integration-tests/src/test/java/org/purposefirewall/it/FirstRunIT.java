package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's first run, as the README gives it, against a real broker and as separate processes: create-topics
 * creates what run needs (and is idempotent, and names a wrong count), then run starts, and SIGTERM stops it with
 * exit code 0 after a clean close.
 */
class FirstRunIT {

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void createTopicsThenRunThenSigtermExitsZero(@TempDir Path dir) throws Exception {
        // Given a config of the shipped one with topics of this test's own
        String prefix = "first-run-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Path config = config(dir, prefix);
        String bootstrap = BROKER.get().bootstrapServers();

        // When create-topics runs, twice
        Result first = cli(dir, "create-topics", "--config", config.toString(), "--bootstrap-servers", bootstrap,
                "--partitions", "4");
        Result again = cli(dir, "create-topics", "--config", config.toString(), "--bootstrap-servers", bootstrap,
                "--partitions", "4");

        // Then the first creates the nine topics (shadow decisions included), co-partitioned and consent compacted;
        // the second creates nothing
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("created  " + prefix + "consent (input, compacted, 4 partitions)",
                "created  " + prefix + "quarantine (output, 4 partitions)",
                "created  " + prefix + "shadow-decisions (output, 4 partitions)", "topics ready for run");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).doesNotContain("created ").contains("exists   " + prefix + "contact-points");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<String, TopicDescription> described = admin.describeTopics(List.of(prefix + "contact-points",
                    prefix + "consent", prefix + "recalls")).allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(4));
            ConfigResource consent = new ConfigResource(ConfigResource.Type.TOPIC, prefix + "consent");
            assertThat(admin.describeConfigs(List.of(consent)).all().get(30, TimeUnit.SECONDS).get(consent)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }

        // And with another count, it names the inputs that have 4 and creates nothing
        Result wrong = cli(dir, "create-topics", "--config", config.toString(), "--bootstrap-servers", bootstrap,
                "--partitions", "3");
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("input topic " + prefix + "consent exists with 4 partitions, not 3",
                "nothing created");

        // When run starts on those topics and is sent SIGTERM once running
        Process run = start(dir, "run", "--config", config.toString(), "--bootstrap-servers", bootstrap,
                "--allow-in-memory-registry", "--state-dir", dir.resolve("state").toString());
        Path log = dir.resolve("run.err");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.readString(log).contains("to=\"RUNNING\"") && run.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(Files.readString(log)).as("run's log").contains("to=\"RUNNING\"",
                "IN-MEMORY SCHEMA REGISTRY", "effective configuration")
                .doesNotContain("GlobalThread", "java.io.tmpdir");
        run.destroy(); // SIGTERM

        // Then it closes cleanly and exits 0, not 143
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
        assertThat(run.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("stop requested", "purpose firewall stopped failed=\"false\"");
    }

    private static Path config(Path dir, String prefix) throws IOException {
        Path shipped = Path.of(System.getProperty("user.dir")).resolve("../config").toAbsolutePath().normalize();
        Files.copy(shipped.resolve("policy.yaml"), dir.resolve("policy.yaml"));
        String yaml = Files.readString(shipped.resolve("application.yaml"))
                .replace("application-id: purpose-firewall", "application-id: it-" + prefix.replace(".", ""));
        for (String topic : List.of("user.contact-points", "privacy.consent", "privacy.purpose-registrations",
                "ads.audience-identifiers", "privacy.quarantine", "privacy.suppressed", "privacy.dead-letter",
                "ads.audience-recalls", "privacy.shadow-decisions")) {
            String suffix = topic.substring(topic.indexOf('.') + 1).replace("purpose-registrations", "registrations")
                    .replace("audience-identifiers", "audience").replace("audience-recalls", "recalls");
            yaml = yaml.replace(": " + topic + "\n", ": " + prefix + suffix + "\n");
        }
        Path config = dir.resolve("application.yaml");
        Files.writeString(config, yaml);
        return config;
    }

    private record Result(int code, String out, String err) {
    }

    private static Result cli(Path dir, String... args) throws Exception {
        Process p = start(dir, args);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), Files.readString(dir.resolve(args[0] + ".out")),
                Files.readString(dir.resolve(args[0] + ".err")));
    }

    /** The CLI in a JVM of its own, on this test's class path; output to {@code <command>.out|err} in dir. */
    private static Process start(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                // the service's own logging, not this module's logback-test.xml
                "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"), "org.purposefirewall.app.PurposeFirewallMain"));
        command.addAll(List.of(args));
        Path out = dir.resolve(args[0] + ".out");
        Path err = dir.resolve(args[0] + ".err");
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        Files.createFile(err);
        return new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }
}
