package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.purposefirewall.config.Topics;

class CreateTopicsCommandTest {

    private static final long SKEW = 300_000L;

    @Test
    void shouldCreateInputsPlainButConsentCompactedAndOutputsWithTheTimestampLimitsTheCheckAccepts() {
        // Given the default topics and one guarded topic
        Topics topics = Topics.defaults().withGuarded(List.of("crm.profile-updates"));

        // When planned
        List<CreateTopicsCommand.Wanted> wanted = CreateTopicsCommand.wanted(topics, SKEW);

        // Then every topic once, inputs first; consent alone compacted; outputs accept what TopicCheck requires
        assertThat(wanted).extracting(CreateTopicsCommand.Wanted::name).containsExactly("user.contact-points",
                "privacy.consent", "privacy.purpose-registrations", "crm.profile-updates",
                "ads.audience-identifiers", "privacy.quarantine", "privacy.suppressed", "privacy.dead-letter",
                "ads.audience-recalls", "privacy.shadow-decisions");
        assertThat(wanted.stream().filter(CreateTopicsCommand.Wanted::compacted).map(CreateTopicsCommand.Wanted::name))
                .containsExactly("privacy.consent");
        Map<String, Integer> partitions = wanted.stream()
                .collect(Collectors.toMap(CreateTopicsCommand.Wanted::name, w -> 6));
        Map<String, Map<String, String>> outputConfigs = wanted.stream().filter(w -> !w.input())
                .collect(Collectors.toMap(CreateTopicsCommand.Wanted::name, CreateTopicsCommand.Wanted::configs));
        assertThat(TopicCheck.check(topics, partitions, outputConfigs, SKEW, Long.MAX_VALUE).valid()).isTrue();
        assertThat(TopicCheck.check(topics, true, partitions, outputConfigs, SKEW, Long.MAX_VALUE).valid()).isTrue();
        assertThat(outputConfigs.get("privacy.quarantine"))
                .containsEntry(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "3600000")
                .containsEntry(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, String.valueOf(Long.MAX_VALUE));
    }

    @Test
    void shouldNameAnExistingInputWithAnotherPartitionCountButKeepOutputsOfAnyCount() {
        List<CreateTopicsCommand.Wanted> wanted = CreateTopicsCommand.wanted(Topics.defaults(), SKEW);

        List<String> problems = CreateTopicsCommand.problems(wanted,
                Map.of("privacy.consent", 3, "user.contact-points", 6, "privacy.quarantine", 1), 6);

        assertThat(problems).singleElement().asString()
                .startsWith("input topic privacy.consent exists with 3 partitions, not 6 (--partitions)")
                .contains("--partitions 3");
    }
}
