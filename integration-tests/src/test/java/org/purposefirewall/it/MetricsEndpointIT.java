package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.purposefirewall.it.EndToEndSupport.loadApplicationConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.app.FirewallService;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.HttpSettings;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * The service as {@code run} starts it ({@link FirewallService}), on a real broker, probed and scraped over HTTP:
 * readiness goes 503 then 200; after a forward, a quarantine and a dead letter, {@code /metrics} counts each under
 * its Prometheus name and tags, carries Kafka Streams' own metrics (consumer lag included), and holds no identifier,
 * digest or user id.
 */
class MetricsEndpointIT {

    private static final int PARTITIONS = 2;
    private static final String EMAIL = "metrics.it.person@mail.example";
    private static final String PHONE = "+44 7700 900417";
    private static final String FORWARDED_USER = "mit-user-forwarded";
    private static final String QUARANTINED_USER = "mit-user-quarantined";
    private static final String DEAD_LETTER_USER = "mit-user-dead";
    /** Kafka Streams' consumer lag, as the Micrometer binder exports it. */
    static final String CONSUMER_LAG = "kafka_consumer_fetch_manager_records_lag_max";
    /** The firewall's Kafka Streams sensor, as the binder exports it. */
    static final String TASK_SENSOR = "kafka_stream_purpose_firewall_records_forwarded_total{";
    /** The commit interval each stream thread keeps (CommitPacer), registered once the thread processes a record. */
    static final String COMMIT_INTERVAL = "kafka_purpose_firewall_commit_pacing_commit_interval_ms{";

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void metricsCountTheTrafficWithoutIdentifiersAndReadinessFollowsKafkaStreams(@TempDir Path stateDir)
            throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String scope = "metrics-it-" + unique;
        FirewallConfig base = loadApplicationConfig();
        Topics topics = EndToEndSupport.prefixed(base.topics(), "metrics-" + unique + ".");
        FirewallTopics.createAll(BROKER.get(), topics, PARTITIONS);
        FirewallConfig config = base.withBootstrapServers(BROKER.get().bootstrapServers())
                .withSchemaRegistry(base.schemaRegistry().withUrl("mock://" + scope))
                .withApplicationId("it-metrics-" + unique, stateDir)
                .withTopics(topics)
                .withHttp(new HttpSettings("127.0.0.1", 0));
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        long t0 = System.currentTimeMillis() - 60_000L;

        try (FirewallService service = new FirewallService(config, serdes, List.of());
             KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(BROKER.get().bootstrapServers(),
                     "it-metrics-", Map.of())) {
            // Given the service starting (the endpoint comes up first, before the topic check)
            CompletableFuture<Void> started = CompletableFuture.runAsync(service::start);
            int port = awaitPort(service, started);

            // Then readiness is 503 until Kafka Streams is RUNNING, and 200 after; liveness is 200 throughout
            HttpResponse<String> notYet = get(port, "/health/ready");
            assertThat(notYet.statusCode()).as("ready before RUNNING: %s", notYet.body()).isEqualTo(503);
            assertThat(notYet.body()).startsWith("{\"status\":\"DOWN\",\"state\":\"");
            assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
            started.get(90, TimeUnit.SECONDS);
            HttpResponse<String> ready = poll(port, "/health/ready", r -> r.statusCode() == 200, Duration.ofSeconds(90));
            // (this test runs on the in-memory registry, which the body flags)
            assertThat(ready.body()).isEqualTo("{\"status\":\"UP\",\"state\":\"RUNNING\",\"warning\":\"in-memory "
                    + "schema registry: no outside producer can use its schemas\"}\n");

            // When a forward, a quarantine and a dead letter go through
            send(producer, topics.consent(), FORWARDED_USER, t0, serdes.consentState().encode(topics.consent(),
                    ConsentState.newBuilder().setUserId(FORWARDED_USER)
                            .setPurposes(List.of(new PurposeConsent("marketing.advertising", ConsentStatus.GRANTED)))
                            .setOptOutOfTargetedAdvertising(false).setOptOutOfSale(false)
                            .setGlobalPrivacyControl(false).setSource("it-cmp")
                            .setEffectiveTime(Instant.ofEpochMilli(t0)).build()));
            send(producer, topics.registrations(), QUARANTINED_USER, t0, serdes.registration().encode(
                    topics.registrations(), PurposeRegistration.newBuilder().setUserId(QUARANTINED_USER)
                            .setIdentifierType(IdentifierType.PHONE).setValue(PHONE)
                            .setPurpose("essential.service.security.authentication")
                            .setAction(RegistrationAction.REGISTERED).setSourceSystem("two-factor-auth")
                            .setEventTime(Instant.ofEpochMilli(t0)).build()));
            producer.flush();
            send(producer, topics.contactPoints(), FORWARDED_USER, t0 + 10, serdes.contactPoint().encode(
                    topics.contactPoints(), contact(FORWARDED_USER, IdentifierType.EMAIL, EMAIL, t0 + 10)));
            send(producer, topics.contactPoints(), QUARANTINED_USER, t0 + 10, serdes.contactPoint().encode(
                    topics.contactPoints(), contact(QUARANTINED_USER, IdentifierType.PHONE, PHONE, t0 + 10)));
            send(producer, topics.contactPoints(), DEAD_LETTER_USER, t0 + 10, new byte[] {42, 42, 42});
            producer.flush();

            // Then /metrics counts each under its name and tags
            String topic = "topic=\"" + topics.contactPoints() + "\"";
            String forwarded = "purpose_firewall_decisions_total{outcome=\"forwarded\",reason=\"CONSENT_GRANTED\","
                    + "rule=\"consent.granted\"," + topic + "} 1.0";
            String quarantined = "purpose_firewall_decisions_total{outcome=\"quarantined\","
                    + "reason=\"REGISTERED_FOR_RESTRICTED_PURPOSE\",rule=\"restricted.registered\"," + topic + "} 1.0";
            String deadLettered = "purpose_firewall_decisions_total{outcome=\"dead_lettered\","
                    + "reason=\"NOT_WIRE_FORMAT\",rule=\"rejection\"," + topic + "} 1.0";
            String metrics = poll(port, "/metrics", r -> r.body().contains(forwarded) && r.body().contains(quarantined)
                    && r.body().contains(deadLettered) && r.body().contains(CONSUMER_LAG)
                    // Task-level meters appear once the binder's next refresh (every 10 s) sees the new tasks
                    && r.body().contains(TASK_SENSOR) && r.body().contains(COMMIT_INTERVAL), Duration.ofSeconds(60))
                    .body();
            assertThat(metrics).contains(
                    "purpose_firewall_quarantines_total{reason=\"REGISTERED_FOR_RESTRICTED_PURPOSE\","
                            + "source_system=\"two-factor-auth\"," + topic + "} 1.0",
                    "purpose_firewall_dead_letters_total{reason=\"NOT_WIRE_FORMAT\"," + topic + "} 1.0",
                    "purpose_firewall_records_waiting{wait=\"side_records\"}",
                    "purpose_firewall_registry_available 1.0",
                    "purpose_firewall_ready 1.0",
                    "purpose_firewall_late_side_records_total 0.0");
            assertThat(metrics).as("Kafka Streams' own metrics, through the binder")
                    .contains(CONSUMER_LAG + "{", "kafka_stream_thread_",
                            TASK_SENSOR, COMMIT_INTERVAL);
            metrics.lines().filter(l -> l.startsWith("purpose_firewall_") || l.startsWith(CONSUMER_LAG + "{")
                    || l.startsWith(TASK_SENSOR) || l.startsWith(COMMIT_INTERVAL))
                    .forEach(l -> System.out.println("[MetricsEndpointIT] " + l));

            // And every metric the shipped alert rules use is a series on /metrics (a missing one never fires)
            String rules = java.nio.file.Files.readString(java.nio.file.Path.of("..", "monitoring", "prometheus",
                    "alerts.yml"));
            java.util.Set<String> used = new java.util.TreeSet<>();
            java.util.regex.Matcher names = java.util.regex.Pattern
                    .compile("\\b(purpose_firewall_[a-z_]+|kafka_[a-z_]+)\\b").matcher(rules);
            while (names.find()) {
                used.add(names.group(1));
            }
            assertThat(used).as("the rules must be seen using metrics, or this check passes vacuously")
                    .contains("purpose_firewall_honeytoken_hits_total", CONSUMER_LAG);
            java.util.Set<String> exposed = metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.split("[{ ]", 2)[0]).collect(java.util.stream.Collectors.toSet());
            assertThat(exposed).as("series on /metrics").containsAll(used);

            // And nothing in it identifies a person: no identifier, digest (any form) or user id
            assertThat(metrics).doesNotContain(EMAIL, "447700900417", "7700 900417", FORWARDED_USER, QUARANTINED_USER,
                    DEAD_LETTER_USER);
            for (HashForm form : HashForm.values()) {
                assertThat(metrics).doesNotContain(form.hex(EMAIL), form.hex("+447700900417"));
            }
            assertThat(service.failed()).isFalse();
        } finally {
            MockSchemaRegistryClient.dropScope(scope);
        }
    }

    private static ContactPoint contact(String user, IdentifierType type, String value, long time) {
        return ContactPoint.newBuilder().setUserId(user).setIdentifierType(type).setValue(value)
                .setDeclaredPurposes(List.of()).setSourceSystem("ads-sync").setEventTime(Instant.ofEpochMilli(time))
                .setAttributes(Map.of()).build();
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, long time,
                             byte[] value) {
        producer.send(new ProducerRecord<>(topic, null, time, key, value));
    }

    /** The endpoint's port, as soon as it listens; fails if the service fails to start first. */
    private static int awaitPort(FirewallService service, CompletableFuture<Void> started) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return service.httpPort();
            } catch (IllegalStateException notYet) {
                if (started.isDone()) {
                    started.get();
                }
                if (System.nanoTime() - end > 0) {
                    fail("the HTTP endpoint did not start within 30 s");
                }
                Thread.sleep(5);
            }
        }
    }

    private HttpResponse<String> poll(int port, String path, Predicate<HttpResponse<String>> done, Duration deadline)
            throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        HttpResponse<String> last = get(port, path);
        while (!done.test(last)) {
            if (System.nanoTime() - end > 0) {
                fail("%s not as expected within %s; last answer %d:%n%s", path, deadline, last.statusCode(),
                        last.body());
            }
            Thread.sleep(200);
            last = get(port, path);
        }
        return last;
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
