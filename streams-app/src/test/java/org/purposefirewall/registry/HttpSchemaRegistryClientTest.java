package org.purposefirewall.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP client against an in-JVM stand-in registry (the JDK's {@code HttpServer} on 127.0.0.1, port 0) that records
 * every request and answers canned JSON. The integration tests run a real registry; these cover what a real registry
 * cannot be made to do on demand: 5xx, hangs, refused connections, odd error bodies, fail-over.
 */
@Timeout(60)
class HttpSchemaRegistryClientTest {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String SECRET = "s3cret";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<StandIn> standIns = new ArrayList<>();
    private final List<HttpSchemaRegistryClient> clients = new ArrayList<>();

    @AfterEach
    void stopStandIns() {
        clients.forEach(HttpSchemaRegistryClient::close);
        standIns.forEach(StandIn::close);
    }

    // --- fixtures --------------------------------------------------------------------------------------------

    private static Schema thing(String name) {
        return SchemaBuilder.record(name).namespace("org.purposefirewall.test").fields()
                .requiredString("id")
                .requiredLong("count")
                .endRecord();
    }

    private StandIn standIn(Function<Recorded, Reply> responder) {
        StandIn server = new StandIn(responder);
        standIns.add(server);
        return server;
    }

    private HttpSchemaRegistryClient client(String urls, String... keyValues) {
        Map<String, String> settings = new HashMap<>();
        settings.put(RegistrySettings.URL, urls);
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistrySettings.parse(settings));
        clients.add(client);
        return client;
    }

    /** A port on 127.0.0.1 that nothing listens on (bound, then released). */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String schemaAnswer(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static JsonNode body(Recorded request) {
        try {
            return JSON.readTree(request.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every message in the cause chain, for "never leaks" checks. */
    private static List<String> messages(Throwable thrown) {
        List<String> all = new ArrayList<>();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            all.add(String.valueOf(t.getMessage()));
            all.add(t.toString());
        }
        return all;
    }

    // --- 1. requests, answers and caches -----------------------------------------------------------------------

    @Test
    void registerPostsTheSchemaToTheSubjectsVersionsAndCachesTheId() {
        Schema schema = thing("Thing");
        StandIn registry = standIn(request -> Reply.json(200, "{\"id\":42}"));
        HttpSchemaRegistryClient client = client(registry.url());

        int id = client.register("orders-value", schema);

        assertThat(id).isEqualTo(42);
        assertThat(registry.requests()).hasSize(1);
        Recorded request = registry.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/subjects/orders-value/versions");
        assertThat(request.header("Content-Type")).startsWith(CONTENT_TYPE);
        JsonNode sent = body(request);
        assertThat(sent.path("schema").isTextual()).as("\"schema\" is the schema's JSON as a string").isTrue();
        assertThat(new Schema.Parser().parse(sent.path("schema").asText())).isEqualTo(schema);

        // the same subject and schema again: answered from the cache
        assertThat(client.register("orders-value", schema)).isEqualTo(42);
        assertThat(registry.requests()).hasSize(1);
        // and the id's schema is known without asking
        assertThat(client.schemaById(42)).isEqualTo(schema);
        assertThat(registry.requests()).hasSize(1);
        // a different subject is a different registration
        assertThat(client.register("other-value", schema)).isEqualTo(42);
        assertThat(registry.requests()).hasSize(2);
        assertThat(registry.requests().get(1).path()).isEqualTo("/subjects/other-value/versions");
    }

    @Test
    void schemaByIdGetsTheIdParsesTheSchemaAndCachesIt() {
        Schema schema = thing("Fetched");
        StandIn registry = standIn(request -> Reply.json(200, schemaAnswer(schema)));
        HttpSchemaRegistryClient client = client(registry.url());

        Schema fetched = client.schemaById(7);

        assertThat(fetched).isEqualTo(schema);
        assertThat(registry.requests()).hasSize(1);
        Recorded request = registry.requests().get(0);
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/schemas/ids/7");

        assertThat(client.schemaById(7)).isEqualTo(schema);
        assertThat(registry.requests()).hasSize(1);
    }

    @Test
    void latestGetsTheLatestVersionOfTheSubject() {
        Schema schema = thing("Latest");
        StandIn registry = standIn(request -> Reply.json(200, JSON.createObjectNode()
                .put("subject", "orders-value").put("version", 3).put("id", 12).put("schema", schema.toString())
                .toString()));
        HttpSchemaRegistryClient client = client(registry.url());

        SchemaRegistryClient.RegisteredSchema latest = client.latest("orders-value");

        assertThat(latest).isEqualTo(new SchemaRegistryClient.RegisteredSchema("orders-value", 3, 12, schema));
        assertThat(registry.requests()).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("GET");
            assertThat(request.path()).isEqualTo("/subjects/orders-value/versions/latest");
        });
        // the latest version's id is then known without asking
        assertThat(client.schemaById(12)).isEqualTo(schema);
        assertThat(registry.requests()).hasSize(1);
    }

    @Test
    void idOfPostsALookupToTheSubjectAndCachesTheId() {
        Schema schema = thing("Looked");
        StandIn registry = standIn(request -> Reply.json(200,
                "{\"subject\":\"orders-value\",\"version\":1,\"id\":5,\"schema\":" + JSON.valueToTree(schema.toString())
                        + "}"));
        HttpSchemaRegistryClient client = client(registry.url());

        assertThat(client.idOf("orders-value", schema)).isEqualTo(5);

        assertThat(registry.requests()).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo("/subjects/orders-value");
            assertThat(request.header("Content-Type")).startsWith(CONTENT_TYPE);
            assertThat(new Schema.Parser().parse(body(request).path("schema").asText())).isEqualTo(schema);
        });
        assertThat(client.idOf("orders-value", schema)).isEqualTo(5);
        assertThat(client.schemaById(5)).isEqualTo(schema);
        assertThat(registry.requests()).hasSize(1);
    }

    @Test
    void isCompatibleWithLatestPostsToTheCompatibilityEndpointAndReadsIsCompatible() {
        Schema schema = thing("Checked");
        AtomicBoolean answer = new AtomicBoolean(true);
        StandIn registry = standIn(request -> Reply.json(200, "{\"is_compatible\":" + answer.get() + "}"));
        HttpSchemaRegistryClient client = client(registry.url());

        assertThat(client.isCompatibleWithLatest("orders-value", schema)).isTrue();
        answer.set(false);
        assertThat(client.isCompatibleWithLatest("orders-value", schema)).isFalse();

        assertThat(registry.requests()).hasSize(2).allSatisfy(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo("/compatibility/subjects/orders-value/versions/latest");
            assertThat(request.header("Content-Type")).startsWith(CONTENT_TYPE);
            assertThat(new Schema.Parser().parse(body(request).path("schema").asText())).isEqualTo(schema);
        });
    }

    @Test
    void subjectsAreUrlEncodedInThePath() {
        Schema schema = thing("Encoded");
        StandIn registry = standIn(request -> {
            if (request.path().endsWith("/versions/latest")) {
                return Reply.json(200, JSON.createObjectNode().put("version", 1).put("id", 3)
                        .put("schema", schema.toString()).toString());
            }
            return Reply.json(200, "{\"id\":3,\"is_compatible\":true}");
        });
        HttpSchemaRegistryClient client = client(registry.url());
        String subject = "a topic/with spaces-value";

        client.register(subject, schema);
        client.latest(subject);
        client.isCompatibleWithLatest(subject, schema);
        client.idOf(subject + "+plus", schema);

        assertThat(registry.requests()).extracting(Recorded::path).containsExactly(
                "/subjects/a%20topic%2Fwith%20spaces-value/versions",
                "/subjects/a%20topic%2Fwith%20spaces-value/versions/latest",
                "/compatibility/subjects/a%20topic%2Fwith%20spaces-value/versions/latest",
                "/subjects/a%20topic%2Fwith%20spaces-value%2Bplus");
    }

    // --- 2. error mapping -------------------------------------------------------------------------------------

    @Test
    void subjectNotFoundMapsTo40401() {
        StandIn registry = standIn(request -> Reply.json(404,
                "{\"error_code\":40401,\"message\":\"Subject 'orders-value' not found.\"}"));
        HttpSchemaRegistryClient client = client(registry.url());

        SubjectNotFoundException e = catchThrowableOfType(SubjectNotFoundException.class,
                () -> client.latest("orders-value"));

        assertThat(e).isNotNull();
        assertThat(e.errorCode()).isEqualTo(40401);
        assertThat(e.getMessage()).contains("orders-value");
    }

    @Test
    void compatibilityCheckOfAnUnknownSubjectIsCompatible() {
        StandIn registry = standIn(request -> Reply.json(404,
                "{\"error_code\":40401,\"message\":\"Subject 'fresh-value' not found.\"}"));
        HttpSchemaRegistryClient client = client(registry.url());

        assertThat(client.isCompatibleWithLatest("fresh-value", thing("Fresh"))).isTrue();
        assertThat(registry.requests()).hasSize(1);
    }

    @Test
    void schemaNotFoundMapsTo40403() {
        StandIn registry = standIn(request -> Reply.json(404,
                "{\"error_code\":40403,\"message\":\"Schema 99 not found\"}"));
        HttpSchemaRegistryClient client = client(registry.url());

        assertThatThrownBy(() -> client.schemaById(99))
                .isInstanceOf(SchemaNotFoundException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403));
        // a miss is not cached: asking again asks again
        assertThatThrownBy(() -> client.schemaById(99)).isInstanceOf(SchemaNotFoundException.class);
        assertThat(registry.requests()).hasSize(2);
    }

    @Test
    void confluentIncompatibleMapsTo409WithTheRegistrysMessage() {
        String message = "Schema being registered is incompatible with an earlier schema for subject "
                + "\"orders-value\", details: [READER_FIELD_MISSING_DEFAULT_VALUE]";
        StandIn registry = standIn(request -> Reply.json(409,
                JSON.createObjectNode().put("error_code", 409).put("message", message).toString()));
        HttpSchemaRegistryClient client = client(registry.url());

        IncompatibleSchemaException e = catchThrowableOfType(IncompatibleSchemaException.class,
                () -> client.register("orders-value", thing("Thing")));

        assertThat(e).isNotNull();
        assertThat(e.errorCode()).isEqualTo(409);
        assertThat(e.getMessage()).contains(message);
    }

    @Test
    void aSubjectCreatedByAnotherInstanceAtTheSameMomentIsTheSchemasIdNotARefusal() {
        // Apicurio refuses the second of two concurrent first registrations, although the schema is then there
        StandIn registry = standIn(request -> request.path().endsWith("/versions")
                ? Reply.json(409, "{\"error_code\":0,\"message\":\"An artifact with ID 'orders-value' in group "
                        + "'null' already exists.\"}")
                : Reply.json(200, "{\"id\":7,\"version\":1,\"subject\":\"orders-value\"}"));
        HttpSchemaRegistryClient client = client(registry.url());

        assertThat(client.register("orders-value", thing("Thing"))).isEqualTo(7);

        assertThat(registry.requests()).extracting(Recorded::path)
                .containsExactly("/subjects/orders-value/versions", "/subjects/orders-value");
    }

    @Test
    void apicurioIncompatibleWithErrorCodeZeroMapsTo409WithTheRegistrysMessage() {
        String message = "Incompatible artifact: orders-value [io.apicurio.registry.rules.compatibility]";
        StandIn registry = standIn(request -> Reply.json(409,
                JSON.createObjectNode().put("error_code", 0).put("message", message).toString()));
        HttpSchemaRegistryClient client = client(registry.url());

        IncompatibleSchemaException e = catchThrowableOfType(IncompatibleSchemaException.class,
                () -> client.register("orders-value", thing("Thing")));

        assertThat(e).isNotNull();
        assertThat(e.errorCode()).isEqualTo(409);
        assertThat(e.getMessage()).contains(message);
    }

    @Test
    void invalidSchemaMapsTo42201() {
        StandIn registry = standIn(request -> Reply.json(422,
                "{\"error_code\":42201,\"message\":\"Invalid schema\"}"));
        HttpSchemaRegistryClient client = client(registry.url());

        assertThatThrownBy(() -> client.register("orders-value", thing("Thing")))
                .isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining("Invalid schema")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(42201));
    }

    @Test
    void notFoundWithoutAJsonBodyHintsAtTheConfluentCompatibleBaseUrl() {
        StandIn htmlPage = standIn(request -> new Reply(404, "text/html",
                "<html><body><h1>404 Not Found</h1></body></html>", 0));
        StandIn empty = standIn(request -> new Reply(404, "text/plain", "", 0));

        for (StandIn registry : List.of(htmlPage, empty)) {
            HttpSchemaRegistryClient client = client(registry.url());
            SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
                    () -> client.schemaById(1));

            assertThat(e).isNotNull();
            assertThat(e).isExactlyInstanceOf(SchemaRegistryException.class);
            assertThat(e.errorCode()).isEqualTo(404);
            assertThat(e.getMessage()).contains("schema.registry.url").contains("Confluent-compatible base URL");
        }
    }

    @Test
    void unauthorizedIsAFinalErrorWithCode401NotAnOutage() {
        StandIn first = standIn(request -> Reply.json(401,
                "{\"error_code\":401,\"message\":\"Unauthorized\"}"));
        StandIn second = standIn(request -> Reply.json(200, schemaAnswer(thing("Never"))));
        HttpSchemaRegistryClient client = client(first.url() + "," + second.url());

        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> client.schemaById(1));

        assertThat(e).isNotNull().isNotInstanceOf(RegistryUnavailableException.class);
        assertThat(e.errorCode()).isEqualTo(401);
        // a 4xx is an answer: no fail-over
        assertThat(first.requests()).hasSize(1);
        assertThat(second.requests()).isEmpty();
    }

    @Test
    void unauthorizedWithoutABodyStillCarries401() {
        StandIn registry = standIn(request -> new Reply(401, "text/plain", "", 0));
        HttpSchemaRegistryClient client = client(registry.url());

        assertThatThrownBy(() -> client.schemaById(1))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(401));
    }

    @Test
    void serverErrorsOnEveryUrlAreAnOutage() {
        StandIn first = standIn(request -> Reply.json(500, "{\"error_code\":50001,\"message\":\"store error\"}"));
        StandIn second = standIn(request -> new Reply(503, "text/html", "<html>Service Unavailable</html>", 0));
        HttpSchemaRegistryClient client = client(first.url() + "," + second.url());

        RegistryUnavailableException e = catchThrowableOfType(RegistryUnavailableException.class,
                () -> client.schemaById(1));

        assertThat(e).isNotNull();
        assertThat(e.errorCode()).isEqualTo(-1);
        assertThat(first.requests()).hasSize(1);
        assertThat(second.requests()).hasSize(1);
        assertThat(e.getMessage()).contains("HTTP 503").contains(first.url()).contains(second.url());
    }

    @Test
    void refusedConnectionsOnEveryUrlAreAnOutage() {
        String urls = "http://127.0.0.1:" + closedPort() + ",http://127.0.0.1:" + closedPort();
        HttpSchemaRegistryClient client = client(urls, RegistrySettings.CONNECT_TIMEOUT_MS, "2000");

        assertThatThrownBy(() -> client.register("orders-value", thing("Thing")))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasCauseInstanceOf(IOException.class);
        assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(RegistryUnavailableException.class);
    }

    @Test
    void aRegistrySlowerThanTheReadTimeoutIsAnOutageAfterTryingEveryUrl() {
        StandIn first = standIn(request -> new Reply(200, CONTENT_TYPE, schemaAnswer(thing("Slow")), 5_000));
        StandIn second = standIn(request -> new Reply(200, CONTENT_TYPE, schemaAnswer(thing("Slow")), 5_000));
        HttpSchemaRegistryClient client = client(first.url() + "," + second.url(),
                RegistrySettings.READ_TIMEOUT_MS, "300");

        long start = System.nanoTime();
        RegistryUnavailableException e = catchThrowableOfType(RegistryUnavailableException.class,
                () -> client.schemaById(1));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(e).isNotNull();
        assertThat(first.requests()).hasSize(1);
        assertThat(second.requests()).hasSize(1);
        // both time-outs were waited for, and neither the 5 s answer
        assertThat(elapsedMs).isGreaterThanOrEqualTo(550).isLessThan(4_500);
    }

    @Test
    void tooManyRequestsIsAnOutageThatFailsOver() {
        StandIn first = standIn(request -> Reply.json(429, "{\"error_code\":429,\"message\":\"slow down\"}"));
        StandIn second = standIn(request -> Reply.json(200, schemaAnswer(thing("Second"))));
        HttpSchemaRegistryClient client = client(first.url() + "," + second.url());

        assertThat(client.schemaById(1)).isEqualTo(thing("Second"));
        assertThat(first.requests()).hasSize(1);
        assertThat(second.requests()).hasSize(1);
    }

    // --- 3. fail-over -------------------------------------------------------------------------------------------

    @Test
    void aClosedFirstUrlFailsOverToTheSecond() {
        Schema schema = thing("Live");
        StandIn live = standIn(request -> request.method().equals("GET")
                ? Reply.json(200, schemaAnswer(schema)) : Reply.json(200, "{\"id\":9}"));
        HttpSchemaRegistryClient client = client("http://127.0.0.1:" + closedPort() + "," + live.url());

        assertThat(client.schemaById(1)).isEqualTo(schema);
        assertThat(client.register("orders-value", thing("Other"))).isEqualTo(9);
        assertThat(live.requests()).extracting(Recorded::method).containsExactly("GET", "POST");
    }

    @Test
    void aFirstUrlAnswering503FailsOverAndTheNextCallStartsFromTheUrlThatAnswered() {
        AtomicBoolean firstDown = new AtomicBoolean(true);
        StandIn first = standIn(request -> firstDown.get()
                ? Reply.json(503, "{\"error_code\":50301,\"message\":\"unavailable\"}")
                : Reply.json(200, schemaAnswer(thing("FromFirst"))));
        AtomicBoolean secondDown = new AtomicBoolean(false);
        StandIn second = standIn(request -> secondDown.get()
                ? Reply.json(503, "{\"error_code\":50301,\"message\":\"unavailable\"}")
                : Reply.json(200, schemaAnswer(thing("FromSecond"))));
        HttpSchemaRegistryClient client = client(first.url() + "," + second.url());

        assertThat(client.schemaById(1)).isEqualTo(thing("FromSecond"));
        assertThat(first.requests()).hasSize(1);
        assertThat(second.requests()).hasSize(1);

        // the next call goes to URL 2 first, even though URL 1 would now answer
        firstDown.set(false);
        assertThat(client.schemaById(2)).isEqualTo(thing("FromSecond"));
        assertThat(first.requests()).hasSize(1);
        assertThat(second.requests()).hasSize(2);

        // and when URL 2 goes down, the client wraps round to URL 1
        secondDown.set(true);
        assertThat(client.schemaById(3)).isEqualTo(thing("FromFirst"));
        assertThat(second.requests()).hasSize(3);
        assertThat(first.requests()).hasSize(2);
        secondDown.set(false);
        assertThat(client.schemaById(4)).isEqualTo(thing("FromFirst"));
        assertThat(first.requests()).hasSize(3);
        assertThat(second.requests()).hasSize(3);
    }

    // --- 4. basic auth -----------------------------------------------------------------------------------------

    @Test
    void userInfoCredentialsAreSentAsBasicAuthOnEveryRequest() {
        Schema schema = thing("Authed");
        StandIn registry = standIn(request -> request.path().startsWith("/schemas/")
                ? Reply.json(200, schemaAnswer(schema)) : Reply.json(200, "{\"id\":1,\"is_compatible\":true}"));
        HttpSchemaRegistryClient client = client(registry.url(),
                RegistrySettings.CREDENTIALS_SOURCE, "USER_INFO",
                RegistrySettings.USER_INFO, "fred:" + SECRET);

        client.register("orders-value", schema);
        client.schemaById(2);
        client.isCompatibleWithLatest("orders-value", schema);
        client.idOf("other-value", schema);

        String expected = "Basic " + Base64.getEncoder()
                .encodeToString(("fred:" + SECRET).getBytes(StandardCharsets.UTF_8));
        assertThat(registry.requests()).hasSize(4)
                .allSatisfy(request -> assertThat(request.header("Authorization")).isEqualTo(expected));
        assertThat(client.settings().toString()).doesNotContain(SECRET);
    }

    @Test
    void credentialsInTheUrlAreSentAsBasicAuth() {
        Schema schema = thing("Authed");
        StandIn registry = standIn(request -> Reply.json(200, schemaAnswer(schema)));
        String url = "http://fred:" + SECRET + "@127.0.0.1:" + registry.port();
        HttpSchemaRegistryClient client = client(url, RegistrySettings.CREDENTIALS_SOURCE, "URL");

        assertThat(client.schemaById(1)).isEqualTo(schema);
        assertThat(client.schemaById(2)).isEqualTo(schema);

        String expected = "Basic " + Base64.getEncoder()
                .encodeToString(("fred:" + SECRET).getBytes(StandardCharsets.UTF_8));
        assertThat(registry.requests()).hasSize(2)
                .allSatisfy(request -> assertThat(request.header("Authorization")).isEqualTo(expected));
        assertThat(client.settings().toString()).doesNotContain(SECRET).doesNotContain("fred:");
    }

    @Test
    void withoutCredentialsNoAuthorizationHeaderIsSent() {
        StandIn registry = standIn(request -> Reply.json(200, schemaAnswer(thing("Open"))));
        HttpSchemaRegistryClient client = client(registry.url());

        client.schemaById(1);

        assertThat(registry.requests()).singleElement()
                .satisfies(request -> assertThat(request.header("Authorization")).isNull());
    }

    @Test
    void noExceptionMessageOrSettingsTextContainsThePassword() {
        StandIn unauthorized = standIn(request -> Reply.json(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}"));
        StandIn notFound = standIn(request -> new Reply(404, "text/html", "<html>nope</html>", 0));
        StandIn down = standIn(request -> Reply.json(503, "{\"error_code\":50301,\"message\":\"down\"}"));
        StandIn slow = standIn(request -> new Reply(200, CONTENT_TYPE, schemaAnswer(thing("Slow")), 5_000));
        String closed = "127.0.0.1:" + closedPort();
        List<Throwable> thrown = new ArrayList<>();
        List<String> settingsTexts = new ArrayList<>();

        for (StandIn registry : List.of(unauthorized, notFound, down)) {
            for (String[] auth : List.of(
                    new String[] {"http://fred:" + SECRET + "@127.0.0.1:" + registry.port(), "URL", null},
                    new String[] {registry.url(), "USER_INFO", "fred:" + SECRET})) {
                HttpSchemaRegistryClient client = auth[2] == null
                        ? client(auth[0], RegistrySettings.CREDENTIALS_SOURCE, auth[1])
                        : client(auth[0], RegistrySettings.CREDENTIALS_SOURCE, auth[1],
                                RegistrySettings.USER_INFO, auth[2]);
                settingsTexts.add(client.settings().toString());
                thrown.add(catchThrowableOfType(SchemaRegistryException.class, () -> client.schemaById(1)));
                thrown.add(catchThrowableOfType(SchemaRegistryException.class,
                        () -> client.register("orders-value", thing("Thing"))));
            }
        }
        HttpSchemaRegistryClient refused = client("http://fred:" + SECRET + "@" + closed
                + ",http://fred:" + SECRET + "@127.0.0.1:" + slow.port(),
                RegistrySettings.CREDENTIALS_SOURCE, "URL", RegistrySettings.READ_TIMEOUT_MS, "300");
        settingsTexts.add(refused.settings().toString());
        thrown.add(catchThrowableOfType(RegistryUnavailableException.class, () -> refused.schemaById(1)));

        assertThat(thrown).hasSize(13).doesNotContainNull();
        assertThat(thrown).filteredOn(t -> t instanceof RegistryUnavailableException).hasSize(5);
        assertThat(thrown).flatExtracting(HttpSchemaRegistryClientTest::messages)
                .allSatisfy(message -> assertThat(message).doesNotContain(SECRET));
        assertThat(settingsTexts).hasSize(7).allSatisfy(text -> assertThat(text).doesNotContain(SECRET));
    }

    // --- 5. cache bound -----------------------------------------------------------------------------------------

    @Test
    void theIdCacheIsBoundedAndEvictsTheLeastRecentlyUsed() {
        Pattern idPath = Pattern.compile("/schemas/ids/(\\d+)");
        StandIn registry = standIn(request -> {
            Matcher m = idPath.matcher(request.path());
            return m.matches() ? Reply.json(200, schemaAnswer(thing("Id" + m.group(1))))
                    : Reply.json(404, "{\"error_code\":40403,\"message\":\"no\"}");
        });
        HttpSchemaRegistryClient client = client(registry.url(), RegistrySettings.CACHE_CAPACITY, "2");

        assertThat(client.schemaById(1)).isEqualTo(thing("Id1"));
        assertThat(client.schemaById(2)).isEqualTo(thing("Id2"));
        assertThat(client.schemaById(3)).isEqualTo(thing("Id3"));
        assertThat(registry.requests()).hasSize(3);

        // 1 was evicted to keep the bound of 2
        assertThat(client.schemaById(1)).isEqualTo(thing("Id1"));
        assertThat(registry.requests()).hasSize(4);
        assertThat(registry.requests().get(3).path()).isEqualTo("/schemas/ids/1");

        // the cache now holds 3 and 1: both are answered without asking (3 used last)...
        assertThat(client.schemaById(1)).isEqualTo(thing("Id1"));
        assertThat(client.schemaById(3)).isEqualTo(thing("Id3"));
        assertThat(registry.requests()).hasSize(4);
        // ...2, which fell out, is asked for again, and pushes out 1, the least recently used (not 3, the oldest)
        assertThat(client.schemaById(2)).isEqualTo(thing("Id2"));
        assertThat(registry.requests()).hasSize(5);
        assertThat(registry.requests().get(4).path()).isEqualTo("/schemas/ids/2");
        assertThat(client.schemaById(3)).isEqualTo(thing("Id3"));
        assertThat(registry.requests()).hasSize(5);
        assertThat(client.schemaById(1)).isEqualTo(thing("Id1"));
        assertThat(registry.requests()).hasSize(6);
        assertThat(registry.requests().get(5).path()).isEqualTo("/schemas/ids/1");
    }

    @Test
    void theRegistrationCacheIsBoundedToo() {
        AtomicInteger next = new AtomicInteger(100);
        StandIn registry = standIn(request -> Reply.json(200, "{\"id\":" + next.getAndIncrement() + "}"));
        HttpSchemaRegistryClient client = client(registry.url(), RegistrySettings.CACHE_CAPACITY, "2");
        Schema schema = thing("Thing");

        int a = client.register("a-value", schema);
        client.register("b-value", schema);
        client.register("c-value", schema);
        assertThat(registry.requests()).hasSize(3);

        client.register("c-value", schema);
        client.register("b-value", schema);
        assertThat(registry.requests()).hasSize(3);
        assertThat(client.register("a-value", schema)).isNotEqualTo(a);
        assertThat(registry.requests()).hasSize(4);
    }

    // --- the stand-in registry ---------------------------------------------------------------------------------

    /** One request as the stand-in received it; headers are looked up case-insensitively. */
    record Recorded(String method, String path, String query, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** A canned answer, sent after {@code delayMs}. */
    record Reply(int status, String contentType, String body, long delayMs) {
        static Reply json(int status, String body) {
            return new Reply(status, CONTENT_TYPE, body, 0);
        }
    }

    /** A registry stand-in on 127.0.0.1 and an ephemeral port; records every request. */
    static final class StandIn implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService pool;
        private final Function<Recorded, Reply> responder;
        private final List<Recorded> requests = new CopyOnWriteArrayList<>();

        StandIn(Function<Recorded, Reply> responder) {
            this.responder = responder;
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            pool = Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, "registry-stand-in");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(pool);
            server.createContext("/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        String url() {
            return "http://127.0.0.1:" + port();
        }

        List<Recorded> requests() {
            return List.copyOf(requests);
        }

        private void handle(HttpExchange exchange) throws IOException {
            try {
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
                Recorded request = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestURI().getRawQuery(), headers, body);
                requests.add(request);
                Reply reply = responder.apply(request);
                if (reply.delayMs() > 0) {
                    try {
                        Thread.sleep(reply.delayMs());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", reply.contentType());
                exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // The client gave up (time-out) or the test is over: nothing to answer.
            } finally {
                exchange.close();
            }
        }

        @Override
        public void close() {
            server.stop(0);
            pool.shutdownNow();
        }
    }
}
