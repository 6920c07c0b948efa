package org.purposefirewall.it;

import static org.purposefirewall.it.EndToEndSupport.runCommand;
import static org.purposefirewall.it.EndToEndSupport.sendAndWait;
import static org.purposefirewall.it.EndToEndSupport.shippedConfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.purposefirewall.it.EndToEndSupport.CommandResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.RecallReason;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * The {@code audit} command against a real broker: a 2FA phone registered, then a leak planted straight on the ad
 * topic (the phone's SHA-256 in E.164) beside an unrelated forward. The audit finds exactly the leak, redacted, exits
 * 1, and once a recall for it is on the recalls topic reports it recalled.
 */
class AuditIT {

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    private static final String TWO_FACTOR = "essential.service.security.authentication";

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void findsAPlantedLeakRedactedAndSeesItsRecall(@TempDir Path dir) throws Exception {
        // Given the shipped config with topics and a registry scope of this test's own
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String prefix = "audit-" + unique + ".";
        Path config = shippedConfig(dir, prefix, "mock://audit-it-" + unique);
        FirewallConfig loaded = new ConfigLoader().load(config);
        Topics topics = loaded.topics();
        FirewallTopics.createAll(BROKER.get(), topics, 2);
        FirewallSerdes serdes = FirewallSerdes.fromSettings(loaded.schemaRegistry());
        String bootstrap = BROKER.get().bootstrapServers();

        String user = "user-audit-7731";
        String phone = "+44 7700 900123";
        String e164 = "+447700900123";
        String leakedDigest = HashForm.SHA256.hex(e164);
        String otherUser = "user-audit-0042";
        String otherDigest = HashForm.SHA256.hex("other.person@mail.example");
        Instant t0 = Instant.now().minusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        RecordMetadata leak;
        try (KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(bootstrap, "it-audit-", Map.of())) {
            // a 2FA registration for the user's phone
            sendAndWait(producer, topics.registrations(), user, t0, serdes.registration().encode(
                    topics.registrations(),
                    PurposeRegistration.newBuilder().setUserId(user).setIdentifierType(IdentifierType.PHONE)
                            .setValue(phone).setPurpose(TWO_FACTOR).setAction(RegistrationAction.REGISTERED)
                            .setSourceSystem("auth-service").setEventTime(t0).build()));
            // the leak, planted straight on the ad topic, and an unrelated forward
            leak = sendAndWait(producer, topics.audience(), user, t0.plusSeconds(60), serdes.audience().encode(
                    topics.audience(), audience(user, IdentifierType.PHONE, leakedDigest, t0.plusSeconds(60))));
            sendAndWait(producer, topics.audience(), otherUser, t0.plusSeconds(61), serdes.audience().encode(
                    topics.audience(), audience(otherUser, IdentifierType.EMAIL, otherDigest, t0.plusSeconds(61))));
            producer.flush();
        }
        String coordinates = leak.topic() + "/" + leak.partition() + "@" + leak.offset();
        String redactedUser = HashForm.SHA256.hex(user).substring(0, 12);
        Path json = dir.resolve("findings.jsonl");

        // When the audit runs over the last hour
        CommandResult first = runCommand("audit", config, bootstrap, "--from",
                t0.minusSeconds(3000).toString(),
                "--json", json.toString());

        // Then it exits 1 with exactly the leak, redacted
        assertThat(first.code()).as(first.err()).isEqualTo(1);
        System.out.println("audit output (before the recall):\n" + first.out());
        assertThat(first.out()).contains("2 ad records scanned, 1 findings (0 recalled, 1 unrecalled)");
        List<String> leaks = first.out().lines().filter(l -> l.startsWith("LEAK")).toList();
        assertThat(leaks).singleElement().satisfies(l -> assertThat(l).contains("user " + redactedUser,
                "PHONE SHA256 " + leakedDigest.substring(0, 8) + "...", "at " + coordinates,
                "event time " + t0.plusSeconds(60), "registered for " + TWO_FACTOR + " by auth-service",
                "recalled: no"));
        assertNoPersonalData(first.out() + first.err() + Files.readString(json), user, otherUser, phone, e164,
                leakedDigest, otherDigest);
        assertThat(Files.readAllLines(json)).singleElement().satisfies(l -> assertThat(l).contains(
                "\"user\":\"" + redactedUser + "\"", "\"identifierType\":\"PHONE\"",
                "\"digestPrefix\":\"" + leakedDigest.substring(0, 8) + "\"", "\"offset\":" + leak.offset(),
                "\"purpose\":\"" + TWO_FACTOR + "\"", "\"sourceSystem\":\"auth-service\"", "\"recalled\":false"));

        // When a recall for that user, form and digest is produced, and the audit runs again
        RecordMetadata recall;
        try (KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(bootstrap, "it-audit-", Map.of())) {
            recall = sendAndWait(producer, topics.recalls(), user, t0.plusSeconds(120), serdes.recall().encode(
                    topics.recalls(), AudienceRecall.newBuilder().setRecallId(UUID.randomUUID().toString())
                            .setUserId(user).setIdentifierType(IdentifierType.PHONE).setIdentifierHash(leakedDigest)
                            .setHashAlgorithm(HashAlgorithm.SHA256)
                            .setReason(RecallReason.REGISTERED_FOR_RESTRICTED_PURPOSE).setDetail("audit IT")
                            .setAdTopic(topics.audience()).setExposureStart(t0.plusSeconds(60))
                            .setExposureEnd(t0.plusSeconds(60)).setForwardedCount(1).setCauseTime(t0)
                            .setPolicyVersion(loaded.policy().version())
                            .setSource(new SourceCoordinates(topics.registrations(), 0, 0L, t0))
                            .setDecisionTime(t0.plusSeconds(120)).build()));
        }
        CommandResult second = runCommand("audit", config, bootstrap, "--json", json.toString());

        // Then the finding is reported recalled, with the recall's coordinates (still exit 1: the leak happened)
        assertThat(second.code()).as(second.err()).isEqualTo(1);
        System.out.println("audit output (after the recall):\n" + second.out());
        System.out.println("findings.jsonl (after the recall):\n" + Files.readString(json));
        assertThat(second.out()).contains(
                "Audit of " + topics.audience() + ": 2 ad records scanned, 1 findings (1 recalled, 0 unrecalled)",
                "recalled: yes (" + recall.topic() + "/" + recall.partition() + "@" + recall.offset() + ")");
        assertNoPersonalData(second.out() + second.err() + Files.readString(json), user, otherUser, phone, e164,
                leakedDigest, otherDigest);
        assertThat(Files.readString(json)).contains("\"recalled\":true", "\"recallOffset\":" + recall.offset());

        // And a window after every forward has nothing to report: exit 0
        CommandResult later = runCommand("audit", config, bootstrap, "--from",
                t0.plusSeconds(300).toString());
        assertThat(later.code()).as(later.err()).isZero();
        assertThat(later.out()).contains("0 ad records scanned, 0 findings");
    }

    private static void assertNoPersonalData(String text, String... secrets) {
        for (String secret : secrets) {
            assertThat(text).doesNotContain(secret);
        }
    }

    private static AudienceIdentifier audience(String user, IdentifierType type, String digest, Instant time) {
        return AudienceIdentifier.newBuilder().setUserId(user).setIdentifierType(type).setIdentifierHash(digest)
                .setHashAlgorithm(HashAlgorithm.SHA256).setPurpose("marketing.advertising.third_party.targeted")
                .setPolicyVersion("2026-11-25.1").setDecisionId(UUID.randomUUID().toString()).setEventTime(time)
                .build();
    }
}
