package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.app.TopicCheck;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.registry.SchemaRegistryConfig;

/**
 * The startup topic check against a real KRaft broker: what the broker itself reports (partition counts, missing
 * topics, effective timestamp limits, its 4.x defaults) gives exactly the messages operators will read, and
 * {@link FirewallApp#start()} stops before Kafka Streams on any of them.
 */
class TopicCheckIT {

    private static final long SKEW = 300_000L;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void coPartitionedTopicsWithTheBrokersDefaultsPassAndGiveTheCommonCount(@TempDir Path stateDir) {
        // Given every topic with 3 partitions (a guarded one too), the broker's default timestamp limits
        Topics topics = topics("ok").withGuarded(List.of("topic-check-ok-" + unique() + ".crm.profile-updates"));
        FirewallTopics.createAll(BROKER.get(), topics, 3);
        BROKER.get().createTopic(topics.guarded().get(0), 3);

        // When checked as the firewall checks at startup
        int partitions = TopicCheck.verify(config(topics, stateDir), SKEW, Long.MAX_VALUE, TIMEOUT);

        // Then it passes with the inputs' count
        assertThat(partitions).isEqualTo(3);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void differingPartitionCountsAndMissingTopicsAreNamedInOneMessage(@TempDir Path stateDir) {
        // Given consent with 6 partitions where the other inputs have 3, a guarded topic and the recalls topic never
        // created
        Topics base = topics("counts");
        Topics topics = base.withGuarded(List.of(base.contactPoints() + ".guarded"));
        Map<String, Integer> created = new LinkedHashMap<>();
        for (String topic : List.of(topics.contactPoints(), topics.registrations(), topics.audience(),
                topics.quarantine(), topics.suppressed(), topics.deadLetter())) {
            created.put(topic, 3);
        }
        BROKER.get().createTopics(created, Map.of());
        BROKER.get().createTopic(topics.consent(), 6, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT));

        // When checked
        // Then one message names the missing topics and every present input with its count
        assertThatThrownBy(() -> TopicCheck.verify(config(topics, stateDir), SKEW, Long.MAX_VALUE, TIMEOUT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("input topics missing: " + topics.guarded().get(0) + "; "
                        + "input topics must have the same number of partitions (they are co-partitioned by user id): "
                        + topics.contactPoints() + "=3, " + topics.consent() + "=6, " + topics.registrations() + "=3; "
                        + "output topics missing: " + topics.recalls());
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void outputsWhoseTimestampLimitsWouldRejectTheFirewallsRecordsAreNamed(@TempDir Path stateDir) {
        // Given the quarantine topic accepting one minute ahead, the suppressed topic one day back, and the recalls
        // topic with LogAppendTime (and limits that would otherwise reject everything)
        Topics topics = topics("timestamps");
        Map<String, Integer> plain = new LinkedHashMap<>();
        for (String topic : List.of(topics.contactPoints(), topics.consent(), topics.registrations(),
                topics.audience(), topics.deadLetter())) {
            plain.put(topic, 2);
        }
        BROKER.get().createTopics(plain, Map.of());
        BROKER.get().createTopic(topics.quarantine(), 2, Map.of(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "60000"));
        BROKER.get().createTopic(topics.suppressed(), 2,
                Map.of(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "86400000"));
        BROKER.get().createTopic(topics.recalls(), 2, Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime",
                TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "0",
                TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "0"));

        // When checked with a five-minute skew and an unbounded past
        TopicCheck.Result result;
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", BROKER.get().bootstrapServers()))) {
            result = TopicCheck.check(admin, BROKER.get().bootstrapServers(), topics, SKEW, Long.MAX_VALUE, TIMEOUT);
        }

        // Then both are named with the topic, the keys and the values; the LogAppendTime topic is not
        assertThat(result.valid()).isFalse();
        assertThat(result.errorMessage()).isEqualTo("output topic " + topics.quarantine() + " has "
                + "message.timestamp.after.max.ms=60000, below processing.max-event-time-skew-ms=300000: the broker "
                + "would reject records the firewall writes with event times that far ahead (raise the topic's "
                + "setting to at least 300000, or use message.timestamp.type=LogAppendTime); "
                + "output topic " + topics.suppressed() + " has message.timestamp.before.max.ms=86400000, below the "
                + "unbounded (9223372036854775807) the firewall requires: its records keep their input's event time, "
                + "which a replay or a late record puts that far back (raise or remove the topic's setting, or use "
                + "message.timestamp.type=LogAppendTime)");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theFirewallDoesNotStartOnTopicsThatFailTheCheck(@TempDir Path stateDir) {
        // Given the inputs with 2 and 4 partitions, and every output present
        Topics topics = topics("app");
        Map<String, Integer> created = new LinkedHashMap<>();
        created.put(topics.contactPoints(), 2);
        created.put(topics.consent(), 4);
        created.put(topics.registrations(), 2);
        for (String topic : List.of(topics.audience(), topics.quarantine(), topics.suppressed(), topics.deadLetter(),
                topics.recalls())) {
            created.put(topic, 1);
        }
        BROKER.get().createTopics(created, Map.of());

        // When the firewall starts
        try (FirewallApp app = FirewallApp.fromConfig(config(topics, stateDir))) {
            IllegalStateException e = catchThrowableOfType(IllegalStateException.class, app::start);

            // Then it stops with the check's message, and no Kafka Streams client was ever started
            assertThat(e).as("FirewallApp.start() on mis-partitioned inputs").isNotNull();
            assertThat(e.getMessage()).isEqualTo("input topics must have the same number of partitions (they are "
                    + "co-partitioned by user id): " + topics.contactPoints() + "=2, " + topics.consent() + "=4, "
                    + topics.registrations() + "=2");
            assertThat(app.streams()).isNull();
            assertThat(app.inputPartitions()).isZero();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aClusterThatDoesNotAnswerStopsStartupAtOnceNamingItsAddress(@TempDir Path stateDir)
            throws IOException {
        // Given bootstrap servers where nothing listens
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String nowhere = "127.0.0.1:" + port;
        FirewallConfig config = config(topics("nowhere"), stateDir).withBootstrapServers(nowhere);

        // When checked (with a 2 s budget)
        long start = System.nanoTime();
        IllegalStateException e = catchThrowableOfType(IllegalStateException.class,
                () -> TopicCheck.verify(config, SKEW, Long.MAX_VALUE, Duration.ofSeconds(2)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // Then it fails at once (nothing accepts a connection: no admin client retries), naming the cluster
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).startsWith("no Kafka broker accepts connections at bootstrap servers " + nowhere
                + " (" + nowhere + ": ").endsWith("): is it running, and is bootstrap-servers right?");
        assertThat(took).isLessThan(Duration.ofSeconds(5));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static Topics topics(String test) {
        return EndToEndSupport.prefixed(Topics.defaults(), "topic-check-" + test + "-" + unique() + ".");
    }

    private static FirewallConfig config(Topics topics, Path stateDir) {
        FirewallConfig file = EndToEndSupport.loadApplicationConfig();
        FirewallConfig c = file.withBootstrapServers(BROKER.get().bootstrapServers())
                .withSchemaRegistry(SchemaRegistryConfig.parse(Map.of("schema.registry.url", "mock://topic-check-it-" + unique())))
                .withApplicationId("it-topic-check-" + unique(), stateDir);
        return c.withTopics(topics);
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
