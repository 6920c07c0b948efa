package org.purposefirewall.kafkalocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the real Apicurio Registry built by {@code test-registry} and checks what the firewall's tests rely on:
 * the Confluent-compatible register and lookup calls, stable ids, a restart on the same port, and schemas that
 * survive the restart in persistent mode but not in memory.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LocalSchemaRegistryIT {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSchemaRegistryIT.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Pattern ID = Pattern.compile("\\{\\s*\"id\"\\s*:\\s*(\\d+)\\s*}");

    private static final String USER_SCHEMA = "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"org.example\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"age\",\"type\":\"int\"}]}";
    private static final String ORDER_SCHEMA = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"org.example\","
            + "\"fields\":[{\"name\":\"total\",\"type\":\"long\"}]}";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void registersAndResolvesSchemasAndRestartsInMemoryOnTheSamePort() throws Exception {
        Path jar = LocalSchemaRegistry.locateJar();
        Path tempDir;
        Path logFile;
        long startNanos = System.nanoTime();
        try (LocalSchemaRegistry registry = LocalSchemaRegistry.start(jar)) {
            LOG.info("Registry (in memory) ready in {} ms on {}", elapsedMs(startNanos), registry.confluentUrl());
            int port = registry.port();
            assertThat(registry.confluentUrl()).isEqualTo("http://127.0.0.1:" + port + "/apis/ccompat/v7");
            assertThat(registry.apicurioV2Url()).isEqualTo("http://127.0.0.1:" + port + "/apis/registry/v2");
            assertThat(registry.storage()).isEqualTo(LocalSchemaRegistry.Storage.IN_MEMORY);
            logFile = registry.logFile();
            tempDir = logFile.getParent();
            assertThat(logFile).exists();

            int id = register(registry, "t-value", USER_SCHEMA);
            assertThat(schemaById(registry, id)).contains("\"name\\\":\\\"User\\\"");
            assertThat(register(registry, "t-value", USER_SCHEMA)).as("same schema, same id").isEqualTo(id);
            int other = register(registry, "o-value", ORDER_SCHEMA);
            assertThat(other).isNotEqualTo(id);
            HttpResponse<String> info = get(registry.apicurioV2Url() + "/system/info", "application/json");
            assertThat(info.statusCode()).isEqualTo(200);
            assertThat(info.body()).contains("\"version\":\"2.4.2.Final\"");

            long restartNanos = System.nanoTime();
            registry.restart();
            LOG.info("Registry (in memory) restarted in {} ms", elapsedMs(restartNanos));
            assertThat(registry.port()).isEqualTo(port);
            assertThat(registry.isRunning()).isTrue();
            // In memory, the restart forgets every schema: documented, and what outage tests must expect.
            assertThat(get(registry.confluentUrl() + "/schemas/ids/" + other).statusCode()).isEqualTo(404);
            assertThat(get(registry.confluentUrl() + "/subjects").body()).isEqualTo("[]");
            int again = register(registry, "t-value", USER_SCHEMA);
            assertThat(schemaById(registry, again)).contains("\"name\\\":\\\"User\\\"");

            registry.stop();
            assertThat(registry.isRunning()).isFalse();
            assertThatThrownBy(() -> get(registry.confluentUrl() + "/subjects")).isInstanceOf(IOException.class);
            registry.stop();
        }
        assertThat(tempDir).doesNotExist();
    }

    @Test
    void persistentStorageKeepsSchemasAndIdsAcrossRestarts() throws Exception {
        Path jar = LocalSchemaRegistry.locateJar();
        LocalSchemaRegistry.Options options = LocalSchemaRegistry.Options.defaults()
                .withStorage(LocalSchemaRegistry.Storage.PERSISTENT);
        long startNanos = System.nanoTime();
        LocalSchemaRegistry registry = LocalSchemaRegistry.start(jar, options);
        Path tempDir = registry.logFile().getParent();
        try {
            LOG.info("Registry (persistent) ready in {} ms on {}", elapsedMs(startNanos), registry.confluentUrl());
            int port = registry.port();
            int id = register(registry, "p-value", USER_SCHEMA);
            int other = register(registry, "q-value", ORDER_SCHEMA);

            long restartNanos = System.nanoTime();
            registry.restart();
            LOG.info("Registry (persistent) restarted in {} ms", elapsedMs(restartNanos));
            assertThat(registry.port()).isEqualTo(port);
            assertThat(schemaById(registry, id)).contains("\"name\\\":\\\"User\\\"");
            assertThat(schemaById(registry, other)).contains("\"name\\\":\\\"Order\\\"");
            assertThat(register(registry, "p-value", USER_SCHEMA)).as("same id after restart").isEqualTo(id);
            int third = register(registry, "r-value",
                    "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"x\",\"type\":\"double\"}]}");
            assertThat(third).as("new ids do not reuse old ones").isNotIn(id, other);
        } finally {
            registry.close();
            registry.close();
        }
        assertThat(tempDir).doesNotExist();
        assertThatThrownBy(registry::restart).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void locateJarExplainsHowToBuildAMissingJar() {
        String previous = System.getProperty(LocalSchemaRegistry.JAR_PROPERTY);
        System.setProperty(LocalSchemaRegistry.JAR_PROPERTY, "/nonexistent/quarkus-run.jar");
        try {
            assertThatThrownBy(LocalSchemaRegistry::locateJar)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("mvn -pl test-registry package");
        } finally {
            if (previous == null) {
                System.clearProperty(LocalSchemaRegistry.JAR_PROPERTY);
            } else {
                System.setProperty(LocalSchemaRegistry.JAR_PROPERTY, previous);
            }
        }
    }

    @Test
    void aRegistryThatCannotStartFailsWithItsLog() throws Exception {
        Path notAJar = Files.createTempFile("not-a-registry-", ".jar");
        try {
            assertThatThrownBy(() -> LocalSchemaRegistry.start(notAJar,
                    LocalSchemaRegistry.Options.defaults().withReadyTimeout(Duration.ofSeconds(20))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with code")
                    .hasMessageContaining("last lines of");
        } finally {
            Files.deleteIfExists(notAJar);
        }
    }

    @Test
    void aTakenPortFailsFastInsteadOfProbingSomeoneElse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(LocalSchemaRegistry.HOST))) {
            long startNanos = System.nanoTime();
            assertThatThrownBy(() -> LocalSchemaRegistry.start(LocalSchemaRegistry.locateJar(), taken.getLocalPort()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Port " + taken.getLocalPort())
                    .hasMessageContaining("in use");
            assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofSeconds(5));
        }
    }

    /** Registers {@code schema} under {@code subject} through the Confluent API and returns its id. */
    private int register(LocalSchemaRegistry registry, String subject, String schema) throws Exception {
        String body = "{\"schema\":\"" + schema.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry.confluentUrl() + "/subjects/" + subject
                        + "/versions"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("register %s: %s", subject, response.body()).isEqualTo(200);
        Matcher matcher = ID.matcher(response.body());
        assertThat(matcher.matches()).as("id in %s", response.body()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    private String schemaById(LocalSchemaRegistry registry, int id) throws Exception {
        HttpResponse<String> response = get(registry.confluentUrl() + "/schemas/ids/" + id);
        assertThat(response.statusCode()).as("schema %s: %s", id, response.body()).isEqualTo(200);
        return response.body();
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return get(url, CONTENT_TYPE);
    }

    private HttpResponse<String> get(String url, String accept) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", accept)
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static long elapsedMs(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
