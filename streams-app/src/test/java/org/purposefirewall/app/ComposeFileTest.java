package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/compose.yaml read without a Docker engine, against the files it uses: the health checks the start order
 * waits on exist, the firewall's health check and port are the ones config/application.yaml and the Dockerfile give,
 * its command line is accepted by the firewall, the one-shot topics service creates every topic of the shipped
 * configuration (inputs co-partitioned, consent compacted), Kafka has a listener for the host, and Prometheus gets
 * the rule file and scrapes the firewall.
 */
class ComposeFileTest {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path COMPOSE = REPO.resolve("docker/compose.yaml");

    static JsonNode compose;
    static JsonNode services;
    static JsonNode config;

    @BeforeAll
    static void load() throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        compose = yaml.readTree(COMPOSE.toFile());
        services = compose.path("services");
        config = yaml.readTree(REPO.resolve("config/application.yaml").toFile());
    }

    @Test
    void everyServiceWaitedOnForHealthHasAHealthCheck() {
        assertThat(names(services)).contains("kafka", "topics", "schema-registry", "firewall", "prometheus");
        for (String service : List.of("kafka", "schema-registry", "firewall", "prometheus")) {
            assertThat(services.path(service).path("healthcheck").path("test").isArray()).as(service).isTrue();
        }
        services.fields().forEachRemaining(service -> service.getValue().path("depends_on").fields()
                .forEachRemaining(dependency -> {
                    String condition = dependency.getValue().path("condition").asText();
                    assertThat(names(services)).as(service.getKey() + " depends on").contains(dependency.getKey());
                    assertThat(condition).isIn("service_healthy", "service_started", "service_completed_successfully");
                    if (condition.equals("service_healthy")) {
                        assertThat(services.path(dependency.getKey()).path("healthcheck").path("test").isArray())
                                .as(service.getKey() + " waits for " + dependency.getKey() + " to be healthy").isTrue();
                    }
                }));
        JsonNode firewall = services.path("firewall").path("depends_on");
        assertThat(firewall.path("kafka").path("condition").asText()).isEqualTo("service_healthy");
        assertThat(firewall.path("schema-registry").path("condition").asText()).isEqualTo("service_healthy");
        assertThat(firewall.path("topics").path("condition").asText()).isEqualTo("service_completed_successfully");
    }

    @Test
    void theFirewallIsCheckedOnItsReadinessRouteAtTheConfiguredPortWhichTheImageExposes() throws IOException {
        int port = config.path("http").path("port").asInt();
        assertThat(port).isPositive();
        JsonNode firewall = services.path("firewall");
        assertThat(firewall.path("healthcheck").path("test").toString())
                .contains("curl").contains("http://localhost:" + port + "/health/ready");
        assertThat(firewall.path("ports").toString()).contains(":" + port + ":" + port);
        assertThat(firewall.path("build").path("dockerfile").asText()).isEqualTo("docker/Dockerfile");
        String dockerfile = Files.readString(REPO.resolve("docker/Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^EXPOSE " + port + "$")
                .containsPattern("apt-get install [^\\n]*\\bcurl\\b")
                .contains("http://localhost:" + port + "/health/ready")
                .containsPattern("(?m)^USER (?!root|0\\b)\\S+");
    }

    @Test
    void theFirewallAcceptsItsComposeCommandLine(@TempDir Path state) {
        List<String> args = new ArrayList<>();
        services.path("firewall").path("command").forEach(a -> args.add(a.asText()));
        assertThat(args).startsWith("run").contains("--config", "--bootstrap-servers", "kafka:9092",
                "--schema-registry-url");
        // The same options under validate (which reads them all and starts nothing), with the image's paths mapped
        // to the repository: the Dockerfile copies config/ to /etc/purpose-firewall/.
        args.set(0, "validate");
        for (int i = 0; i < args.size(); i++) {
            args.set(i, args.get(i).replace("/etc/purpose-firewall/", REPO.resolve("config") + "/")
                    .replace("/var/lib/purpose-firewall", state.toString()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = PurposeFirewallMain.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("configuration OK");
    }

    @Test
    void theTopicsServiceCreatesEveryTopicOfTheShippedConfigurationCoPartitioned() {
        StringBuilder commands = new StringBuilder();
        services.path("topics").path("command").forEach(c -> commands.append(c.asText()).append('\n'));
        String script = commands.toString();
        Set<String> topics = new TreeSet<>();
        config.path("topics").fields().forEachRemaining(t -> {
            if (t.getValue().isTextual()) {
                topics.add(t.getValue().asText());
            }
        });
        assertThat(topics).hasSize(9);
        for (String topic : topics) {
            assertThat(script).as("topics service creates " + topic)
                    .containsPattern("(?<![\\w.-])" + Pattern.quote(topic) + "(?![\\w.-])");
        }
        Matcher partitions = Pattern.compile("--partitions (\\d+)").matcher(script);
        Set<String> counts = new TreeSet<>();
        while (partitions.find()) {
            counts.add(partitions.group(1));
        }
        assertThat(counts).as("one partition count for all (inputs are co-partitioned)").hasSize(1);
        assertThat(script).containsPattern("--topic " + Pattern.quote(config.path("topics").path("consent").asText())
                + " [^\\n]*\\\\\\n[^\\n]*--config cleanup.policy=compact");
        assertThat(script).contains("--if-not-exists");
    }

    @Test
    void kafkaHasAListenerForTheHostBesideTheInternalOne() {
        JsonNode env = services.path("kafka").path("environment");
        assertThat(env.path("KAFKA_LISTENERS").asText()).contains("PLAINTEXT://:9092").contains("EXTERNAL://:9094");
        assertThat(env.path("KAFKA_ADVERTISED_LISTENERS").asText()).contains("PLAINTEXT://kafka:9092")
                .contains("EXTERNAL://localhost:9094");
        assertThat(env.path("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").asText()).contains("EXTERNAL:PLAINTEXT");
        assertThat(services.path("kafka").path("ports").toString()).contains("9094:9094");
        assertThat(services.path("firewall").path("command").toString()).contains("kafka:9092");
    }

    @Test
    void prometheusGetsTheAlertRulesAndScrapesTheFirewall() throws IOException {
        JsonNode prometheus = services.path("prometheus");
        String mount = null;
        for (JsonNode volume : prometheus.path("volumes")) {
            if (volume.asText().endsWith(":/etc/prometheus:ro")) {
                mount = volume.asText().substring(0, volume.asText().indexOf(':'));
            }
        }
        assertThat(mount).as("a read-only mount on /etc/prometheus").isNotNull();
        Path dir = COMPOSE.getParent().resolve(mount).normalize();
        assertThat(dir).isEqualTo(REPO.resolve("monitoring/prometheus"));
        assertThat(prometheus.path("command").toString()).contains("--config.file=/etc/prometheus/prometheus.yml");
        JsonNode prometheusYml = new YAMLMapper().readTree(dir.resolve("prometheus.yml").toFile());
        List<String> ruleFiles = new ArrayList<>();
        prometheusYml.path("rule_files").forEach(f -> ruleFiles.add(f.asText()));
        assertThat(ruleFiles).containsExactly("alerts.yml");
        assertThat(dir.resolve("alerts.yml")).isRegularFile();
        JsonNode job = prometheusYml.path("scrape_configs").get(0);
        assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(job.path("static_configs").get(0).path("targets").get(0).asText())
                .isEqualTo("firewall:" + config.path("http").path("port").asInt());
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
