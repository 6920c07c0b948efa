package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Processing;
import org.purposefirewall.config.Topics;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.registry.SchemaRegistryConfig;

class TopicCheckTest {

    private static final Topics TOPICS = Topics.defaults().withGuarded(List.of("crm.profile-updates"));
    private static final long SKEW = 300_000L;
    private static final long UNBOUNDED = Long.MAX_VALUE;
    /** A Kafka 4.x broker's defaults: one hour ahead, any distance back, CreateTime. */
    private static final Map<String, String> BROKER_DEFAULTS = Map.of(
            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime",
            TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "3600000",
            TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, String.valueOf(Long.MAX_VALUE));

    // ---- partitions and presence --------------------------------------------------------------------------------

    @Test
    void coPartitionedInputsAndPresentOutputsPassWithTheCommonCount() {
        // Given every input with 6 partitions and outputs with other counts (outputs need not be co-partitioned)
        Map<String, Integer> partitions = allWith(6);
        partitions.put(TOPICS.audience(), 12);
        partitions.put(TOPICS.deadLetter(), 1);

        // When checked
        TopicCheck.Result result = TopicCheck.check(TOPICS, partitions, defaultConfigs(), SKEW, UNBOUNDED);

        // Then it passes with the inputs' count
        assertThat(result.valid()).isTrue();
        assertThat(result.errorMessage()).isNull();
        assertThat(result.inputPartitions()).isEqualTo(6);
    }

    @Test
    void shouldRequireTheShadowDecisionsTopicOnlyWhenAShadowPolicyIsSet() {
        // Given every input and every other output, but no shadow-decisions topic
        Map<String, Integer> partitions = allWith(3);

        // When checked without and with a shadow policy
        TopicCheck.Result plain = TopicCheck.check(TOPICS, false, partitions, defaultConfigs(), SKEW, UNBOUNDED);
        TopicCheck.Result shadow = TopicCheck.check(TOPICS, true, partitions, defaultConfigs(), SKEW, UNBOUNDED);

        // Then only shadow mode misses it, by name
        assertThat(plain.valid()).isTrue();
        assertThat(shadow.valid()).isFalse();
        assertThat(shadow.errorMessage()).isEqualTo("output topics missing: privacy.shadow-decisions");

        // And once it exists with the broker's defaults, shadow mode passes too
        partitions.put(TOPICS.shadowDecisions(), 1);
        Map<String, Map<String, String>> configs = defaultConfigs();
        configs.put(TOPICS.shadowDecisions(), BROKER_DEFAULTS);
        assertThat(TopicCheck.check(TOPICS, true, partitions, configs, SKEW, UNBOUNDED).valid()).isTrue();
    }

    @Test
    void inputsWithDifferentCountsAreNamedEachWithItsCount() {
        // Given consent with 6 partitions where the other inputs have 3
        Map<String, Integer> partitions = allWith(3);
        partitions.put(TOPICS.consent(), 6);

        // When checked
        TopicCheck.Result result = TopicCheck.check(TOPICS, partitions, defaultConfigs(), SKEW, UNBOUNDED);

        // Then one message names every input and its count
        assertThat(result.valid()).isFalse();
        assertThat(result.inputPartitions()).isZero();
        assertThat(result.errorMessage()).isEqualTo("input topics must have the same number of partitions (they are "
                + "co-partitioned by user id): user.contact-points=3, privacy.consent=6, "
                + "privacy.purpose-registrations=3, crm.profile-updates=3");
    }

    @Test
    void missingInputsAndOutputsAreNamedAndEveryProblemIsInOneMessage() {
        // Given a missing input, a guarded topic with another count, and two missing outputs
        Map<String, Integer> partitions = allWith(3);
        partitions.remove(TOPICS.registrations());
        partitions.put("crm.profile-updates", 4);
        partitions.remove(TOPICS.deadLetter());
        partitions.remove(TOPICS.recalls());

        // When checked
        TopicCheck.Result result = TopicCheck.check(TOPICS, partitions, defaultConfigs(), SKEW, UNBOUNDED);

        // Then missing topics are named by name, the counts of those present are listed, all in one message
        assertThat(result.errorMessage()).isEqualTo("input topics missing: privacy.purpose-registrations; "
                + "input topics must have the same number of partitions (they are co-partitioned by user id): "
                + "user.contact-points=3, privacy.consent=3, crm.profile-updates=4; "
                + "output topics missing: privacy.dead-letter, ads.audience-recalls");
    }

    @Test
    void noTopicsAtAllNamesEveryOne() {
        TopicCheck.Result result = TopicCheck.check(Topics.defaults(), Map.of(), Map.of(), SKEW, UNBOUNDED);

        assertThat(result.errorMessage()).isEqualTo("input topics missing: user.contact-points, privacy.consent, "
                + "privacy.purpose-registrations; output topics missing: ads.audience-identifiers, privacy.quarantine, "
                + "privacy.suppressed, privacy.dead-letter, ads.audience-recalls");
    }

    // ---- timestamps of the outputs ------------------------------------------------------------------------------

    @Test
    void anOutputThatRejectsEventTimesWithinTheSkewIsNamedWithTheKeyAndBothValues() {
        // Given the quarantine topic accepting only one minute ahead of the broker's clock
        Map<String, Map<String, String>> configs = defaultConfigs();
        configs.put(TOPICS.quarantine(), with(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "60000"));

        // When checked against a five-minute skew
        TopicCheck.Result result = TopicCheck.check(TOPICS, allWith(3), configs, SKEW, UNBOUNDED);

        // Then the message names the topic, both keys and both values
        assertThat(result.errorMessage()).isEqualTo("output topic privacy.quarantine has "
                + "message.timestamp.after.max.ms=60000, below processing.max-event-time-skew-ms=300000: the broker "
                + "would reject records the firewall writes with event times that far ahead (raise the topic's "
                + "setting to at least 300000, or use message.timestamp.type=LogAppendTime)");
    }

    @Test
    void anAfterLimitEqualToTheSkewIsEnough() {
        Map<String, Map<String, String>> configs = defaultConfigs();
        configs.put(TOPICS.audience(), with(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "300000"));

        assertThat(TopicCheck.check(TOPICS, allWith(3), configs, SKEW, UNBOUNDED).valid()).isTrue();
    }

    @Test
    void aBeforeLimitBelowTheRequiredPastIsNamed() {
        // Given the suppressed topic rejecting records older than a day
        Map<String, Map<String, String>> configs = defaultConfigs();
        configs.put(TOPICS.suppressed(), with(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "86400000"));

        // When checked against an unbounded past, and against a past of a day and of two days
        TopicCheck.Result unbounded = TopicCheck.check(TOPICS, allWith(3), configs, SKEW, UNBOUNDED);
        TopicCheck.Result oneDay = TopicCheck.check(TOPICS, allWith(3), configs, SKEW, 86_400_000L);
        TopicCheck.Result twoDays = TopicCheck.check(TOPICS, allWith(3), configs, SKEW, 172_800_000L);

        // Then a day is too little for unbounded and for two days, and enough for one
        assertThat(unbounded.errorMessage()).isEqualTo("output topic privacy.suppressed has "
                + "message.timestamp.before.max.ms=86400000, below the unbounded (9223372036854775807) the firewall "
                + "requires: its records keep their input's event time, which a replay or a late record puts that far "
                + "back (raise or remove the topic's setting, or use message.timestamp.type=LogAppendTime)");
        assertThat(oneDay.valid()).isTrue();
        assertThat(twoDays.errorMessage()).startsWith("output topic privacy.suppressed has "
                + "message.timestamp.before.max.ms=86400000, below the 172800000 the firewall requires");
    }

    @Test
    void logAppendTimeNeedsNoTimestampLimits() {
        // Given an output that stamps records on arrival, with limits that would otherwise reject almost everything
        Map<String, Map<String, String>> configs = defaultConfigs();
        configs.put(TOPICS.recalls(), Map.of(
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime",
                TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "0",
                TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "0"));

        // When checked, then it passes
        assertThat(TopicCheck.check(TOPICS, allWith(3), configs, SKEW, UNBOUNDED).valid()).isTrue();
    }

    @Test
    void anOutputThatReportsNoLimitFailsClosedAndTheLegacyDifferenceSettingIsRead() {
        // Given an output reporting no timestamp limits at all, and one reporting only the pre-3.6 setting
        Map<String, Map<String, String>> configs = defaultConfigs();
        configs.put(TOPICS.audience(), Map.of());
        configs.put(TOPICS.deadLetter(), Map.of(TopicCheck.LEGACY_DIFFERENCE_MAX_MS, "1000"));

        // When checked
        String message = TopicCheck.check(TOPICS, allWith(3), configs, SKEW, UNBOUNDED).errorMessage();

        // Then the first cannot be shown safe, and the second is judged by its legacy limit in both directions
        assertThat(message)
                .contains("output topic ads.audience-identifiers reports no message.timestamp.after.max.ms: cannot "
                        + "tell whether the broker accepts the firewall's record timestamps")
                .contains("output topic ads.audience-identifiers reports no message.timestamp.before.max.ms")
                .contains("output topic privacy.dead-letter has message.timestamp.after.max.ms=1000, below")
                .contains("output topic privacy.dead-letter has message.timestamp.before.max.ms=1000, below");
    }

    @Test
    void aLimitThatIsNotANumberIsNamed() {
        Map<String, Map<String, String>> configs = defaultConfigs();
        configs.put(TOPICS.audience(), with(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "soon"));

        assertThat(TopicCheck.check(TOPICS, allWith(3), configs, SKEW, UNBOUNDED).errorMessage())
                .isEqualTo("output topic ads.audience-identifiers has message.timestamp.after.max.ms=soon, which is "
                        + "not a number of ms");
    }

    @Test
    void aResultIsValidExactlyWhenItHasNoMessage() {
        assertThatThrownBy(() -> new TopicCheck.Result(true, "x", 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopicCheck.Result(false, null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- the admin client's settings ----------------------------------------------------------------------------

    @Test
    void theAdminClientConnectsWithTheFirewallsBootstrapAndSecuritySettingsOnly() {
        // Given security settings, an admin override and a consumer-only setting under streams:
        FirewallConfig config = new FirewallConfig("fw-test", "broker-1:9093,broker-2:9093",
                SchemaRegistryConfig.inMemory("topic-check"), TOPICS,
                Processing.defaults().withStateDir(Path.of("/tmp/fw-test")), null,
                Map.of("security.protocol", "SASL_SSL",
                        "sasl.mechanism", "SCRAM-SHA-512",
                        "ssl.truststore.location", "/etc/kafka/trust.p12",
                        "admin.request.timeout.ms", "7000",
                        "consumer.max.poll.records", "100"),
                Path.of("policy.yaml"), new Policy("v", Purpose.parse("marketing.advertising"),
                        List.of(Purpose.parse("essential.service.security"))));

        // When the admin client's settings are derived
        Map<String, Object> props = TopicCheck.adminProperties(config);

        // Then they are Kafka Streams' own admin settings: bootstrap, security, the admin override, a client id
        assertThat(props)
                .containsEntry("bootstrap.servers", "broker-1:9093,broker-2:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/trust.p12")
                .containsEntry("request.timeout.ms", "7000")
                .containsEntry("client.id", "fw-test-topic-check")
                .doesNotContainKeys("max.poll.records", "consumer.max.poll.records", "processing.guarantee",
                        "application.id");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** Every input and output of {@link #TOPICS} with {@code count} partitions. */
    private static Map<String, Integer> allWith(int count) {
        Map<String, Integer> partitions = new HashMap<>();
        TOPICS.inputs().forEach(t -> partitions.put(t, count));
        for (String output : List.of(TOPICS.audience(), TOPICS.quarantine(), TOPICS.suppressed(), TOPICS.deadLetter(),
                TOPICS.recalls())) {
            partitions.put(output, count);
        }
        return partitions;
    }

    private static Map<String, Map<String, String>> defaultConfigs() {
        Map<String, Map<String, String>> configs = new HashMap<>();
        for (String output : List.of(TOPICS.audience(), TOPICS.quarantine(), TOPICS.suppressed(), TOPICS.deadLetter(),
                TOPICS.recalls())) {
            configs.put(output, BROKER_DEFAULTS);
        }
        return configs;
    }

    /** The broker defaults with {@code key} set to {@code value}. */
    private static Map<String, String> with(String key, String value) {
        Map<String, String> configs = new HashMap<>(BROKER_DEFAULTS);
        configs.put(key, value);
        return configs;
    }
}
