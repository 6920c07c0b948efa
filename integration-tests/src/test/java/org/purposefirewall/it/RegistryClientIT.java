package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.purposefirewall.kafkalocal.LocalSchemaRegistry;
import org.purposefirewall.registry.HttpSchemaRegistryClient;
import org.purposefirewall.registry.IncompatibleSchemaException;
import org.purposefirewall.registry.RegistrySettings;
import org.purposefirewall.registry.SchemaNotFoundException;
import org.purposefirewall.registry.SchemaRegistryClient.RegisteredSchema;
import org.purposefirewall.registry.SchemaRegistryException;
import org.purposefirewall.registry.SubjectNotFoundException;

/**
 * {@link HttpSchemaRegistryClient} against a real registry (Apicurio Registry 2.4.2 through its Confluent-compatible
 * API, started by {@link LocalSchemaRegistry}): registration and ids, versions, compatibility, the error codes the
 * firewall depends on, a wrong base URL and fail-over. Each test uses its own subjects.
 *
 * <p>Reads that must reach the registry use a fresh client: the client caches what it registered, so reading back
 * through the same instance would prove nothing about the registry.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RegistryClientIT {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static LocalSchemaRegistry registry;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final List<HttpSchemaRegistryClient> clients = new ArrayList<>();

    @BeforeAll
    static void startRegistry() {
        long start = System.nanoTime();
        registry = LocalSchemaRegistry.start(LocalSchemaRegistry.locateJar());
        System.out.printf("[RegistryClientIT] registry %s up in %d ms%n", registry.confluentUrl(),
                (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(HttpSchemaRegistryClient::close);
    }

    private HttpSchemaRegistryClient client(String url) {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(
                RegistrySettings.parse(Map.of("schema.registry.url", url)));
        clients.add(client);
        return client;
    }

    private HttpSchemaRegistryClient client() {
        return client(registry.confluentUrl());
    }

    private static String subject(String what) {
        return "it-client-" + what + "-" + UUID.randomUUID().toString().substring(0, 8) + "-value";
    }

    /** v1: two required fields. */
    private static Schema v1(String name) {
        return SchemaBuilder.record(name).namespace("org.purposefirewall.it").fields()
                .requiredString("id")
                .requiredLong("count")
                .endRecord();
    }

    /** v2: v1 plus an optional field with a default (backward and forward compatible). */
    private static Schema v2(String name) {
        return SchemaBuilder.record(name).namespace("org.purposefirewall.it").fields()
                .requiredString("id")
                .requiredLong("count")
                .optionalString("note")
                .endRecord();
    }

    /** v2 plus a new required field without a default: not BACKWARD compatible (old data cannot be read). */
    private static Schema incompatible(String name) {
        return SchemaBuilder.record(name).namespace("org.purposefirewall.it").fields()
                .requiredString("id")
                .requiredLong("count")
                .optionalString("note")
                .requiredString("mandatory")
                .endRecord();
    }

    @Test
    void registersAndReadsBackById() {
        String subject = subject("readback");
        Schema schema = v1("ReadBack");
        int id = client().register(subject, schema);

        assertThat(id).isPositive();
        Schema read = client().schemaById(id);
        assertThat(read).isEqualTo(schema);
        assertThat(read.getFullName()).isEqualTo("org.purposefirewall.it.ReadBack");
        RegisteredSchema latest = client().latest(subject);
        assertThat(latest.subject()).isEqualTo(subject);
        assertThat(latest.version()).isEqualTo(1);
        assertThat(latest.id()).isEqualTo(id);
        assertThat(latest.schema()).isEqualTo(schema);
        assertThat(client().idOf(subject, schema)).as("look-up without registering").isEqualTo(id);
    }

    @Test
    void theSameSchemaUnderTheSameSubjectKeepsItsId() throws Exception {
        String subject = subject("same");
        Schema schema = v1("Same");
        int first = client().register(subject, schema);
        // Fresh clients: the registry itself must answer with the same id, not a client cache.
        int second = client().register(subject, schema);
        // The same schema parsed from differently formatted JSON text.
        String pretty = new ObjectMapper().readTree(schema.toString()).toPrettyString();
        int third = client().register(subject, new Schema.Parser().parse(pretty));

        assertThat(second).isEqualTo(first);
        assertThat(third).isEqualTo(first);
        assertThat(client().latest(subject).version()).as("no new version for the same schema").isEqualTo(1);
    }

    @Test
    void aCompatibleSecondVersionGetsANewIdAndBecomesLatest() {
        String subject = subject("evolve");
        int id1 = client().register(subject, v1("Evolving"));
        int id2 = client().register(subject, v2("Evolving"));

        assertThat(id2).isNotEqualTo(id1);
        RegisteredSchema latest = client().latest(subject);
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.id()).isEqualTo(id2);
        assertThat(latest.schema()).isEqualTo(v2("Evolving"));
        assertThat(client().schemaById(id1)).isEqualTo(v1("Evolving"));
        assertThat(client().schemaById(id2)).isEqualTo(v2("Evolving"));
    }

    @Test
    void underBackwardCompatibilityAnIncompatibleSchemaIsRejectedWith409() throws Exception {
        String subject = subject("backward");
        client().register(subject, v1("Guarded"));
        int id2 = client().register(subject, v2("Guarded"));
        setCompatibility(subject, "BACKWARD");

        HttpSchemaRegistryClient client = client();
        assertThat(client.isCompatibleWithLatest(subject, incompatible("Guarded"))).isFalse();
        assertThat(client.isCompatibleWithLatest(subject, v2("Guarded"))).isTrue();

        IncompatibleSchemaException rejected = catchThrowableOfType(IncompatibleSchemaException.class,
                () -> client.register(subject, incompatible("Guarded")));
        assertThat(rejected).as("registering a new required field without default under BACKWARD").isNotNull();
        assertThat(rejected.errorCode()).isEqualTo(409);
        assertThat(rejected.getMessage()).contains(subject).contains("HTTP 409");

        RegisteredSchema latest = client().latest(subject);
        assertThat(latest.version()).as("the rejected schema did not become a version").isEqualTo(2);
        assertThat(latest.id()).isEqualTo(id2);
    }

    @Test
    void anUnknownSchemaIdIsSchemaNotFound40403() {
        int unknown = 999_999;
        SchemaNotFoundException e = catchThrowableOfType(SchemaNotFoundException.class,
                () -> client().schemaById(unknown));
        assertThat(e).isNotNull();
        assertThat(e.errorCode()).isEqualTo(40403);
        assertThat(e.getMessage()).contains(String.valueOf(unknown));
    }

    /**
     * Confluent answers 40401 (subject not found) here; Apicurio 2.4.2's ccompat API answers 404 with 40402 (version
     * not found). Either is a {@link SubjectNotFoundException}, and the exception carries the code the registry gave.
     */
    @Test
    void theLatestVersionOfAnUnknownSubjectIsSubjectNotFound() throws Exception {
        String subject = subject("never-registered");
        HttpResponse<String> raw = HTTP.send(HttpRequest.newBuilder(
                        URI.create(registry.confluentUrl() + "/subjects/" + subject + "/versions/latest")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(raw.statusCode()).isEqualTo(404);
        int wireCode = new ObjectMapper().readTree(raw.body()).path("error_code").asInt();
        System.out.printf("[RegistryClientIT] latest of an unknown subject: HTTP %d, error_code %d%n",
                raw.statusCode(), wireCode);
        assertThat(wireCode).isIn(40401, 40402);

        SubjectNotFoundException e = catchThrowableOfType(SubjectNotFoundException.class,
                () -> client().latest(subject));
        assertThat(e).isNotNull();
        assertThat(e.errorCode()).isEqualTo(wireCode);
        assertThat(e.getMessage()).contains(subject).contains("error code " + wireCode);
        // The compatibility check treats a subject without versions as compatible (nothing to break).
        assertThat(client().isCompatibleWithLatest(subject, v1("Unregistered"))).isTrue();
    }

    @Test
    void aUrlWithoutTheConfluentPathFailsWithAHintAtTheBaseUrl() {
        // The registry's root, not its Confluent-compatible API under /apis/ccompat/v7.
        HttpSchemaRegistryClient wrong = client(registry.baseUrl());
        String subject = subject("wrong-base");

        SchemaRegistryException onLatest = catchThrowableOfType(SchemaRegistryException.class,
                () -> wrong.latest(subject));
        assertThat(onLatest).isNotNull();
        assertThat(onLatest.getMessage()).contains("schema.registry.url").contains("Confluent-compatible base URL");

        SchemaRegistryException onRegister = catchThrowableOfType(SchemaRegistryException.class,
                () -> wrong.register(subject, v1("WrongBase")));
        assertThat(onRegister).isNotNull();
        assertThat(onRegister.getMessage()).contains("schema.registry.url").contains("Confluent-compatible base URL");
    }

    @Test
    void failsOverFromAClosedPortToTheRegistry() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        String urls = "http://127.0.0.1:" + closedPort + "," + registry.confluentUrl();
        String subject = subject("failover");
        Schema schema = v1("FailOver");

        int id = client(urls).register(subject, schema);
        assertThat(id).isEqualTo(client().idOf(subject, schema));
        HttpSchemaRegistryClient reader = client(urls);
        assertThat(reader.schemaById(id)).isEqualTo(schema);
        assertThat(reader.latest(subject).id()).isEqualTo(id);
    }

    private static void setCompatibility(String subject, String level) throws Exception {
        HttpRequest put = HttpRequest.newBuilder(URI.create(registry.confluentUrl() + "/config/" + subject))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", CONTENT_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}",
                        StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> answer = HTTP.send(put, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("PUT /config/%s: %s", subject, answer.body()).isEqualTo(200);
        HttpResponse<String> check = HTTP.send(HttpRequest.newBuilder(
                        URI.create(registry.confluentUrl() + "/config/" + subject)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(check.body()).as("GET /config/%s", subject).contains(level);
    }
}
