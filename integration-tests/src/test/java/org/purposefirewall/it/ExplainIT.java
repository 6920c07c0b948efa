package org.purposefirewall.it;

import static org.purposefirewall.it.EndToEndSupport.runCommand;
import static org.purposefirewall.it.EndToEndSupport.sendAndWait;
import static org.purposefirewall.it.EndToEndSupport.shippedConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.it.EndToEndSupport.awaitRunning;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
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
 * The {@code explain} command against a real broker, after the real firewall decided four contact points: one
 * forwarded (consent granted), one quarantined (its phone registered for 2FA as an MD5 digest, the contact point a
 * {@code tel:} URI), one suppressed (no consent), one dead-lettered (not Avro at all). Each explanation names the
 * rule, the form the registration was found under and what the service did, agrees (exit 0), and holds no personal
 * data; a candidate policy under which the forwarded record's grant no longer covers the ad purpose differs (exit 1).
 */
class ExplainIT {

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    private static final String TWO_FACTOR = "essential.service.security.authentication";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void explainsEachFateRedactedAndSeesACandidatePolicyDiffer(@TempDir Path dir) throws Exception {
        // Given the shipped config and policy with this test's topics and registry scope, and the firewall running
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String scope = "explain-it-" + unique;
        Path config = shippedConfig(dir, "explain-" + unique + ".", "mock://" + scope);
        FirewallConfig loaded = new ConfigLoader().load(config);
        Topics topics = loaded.topics();
        FirewallTopics.createAll(BROKER.get(), topics, 2);
        String bootstrap = BROKER.get().bootstrapServers();
        FirewallConfig service = loaded.withBootstrapServers(bootstrap)
                .withApplicationId("it-explain-" + unique, dir.resolve("state"));
        FirewallSerdes serdes = FirewallSerdes.fromSettings(service.schemaRegistry());

        String forwardedUser = "user-explain-forward-1";
        String forwardedEmail = "ada.forward@mail.example";
        String quarantinedUser = "user-explain-2fa-2";
        String e164 = "+447700900123";
        String telUri = "tel:+44-7700-900123";
        String md5 = HashForm.MD5.hex(e164);
        String suppressedUser = "user-explain-noconsent-3";
        String suppressedEmail = "grace.noconsent@mail.example";
        String deadUser = "user-explain-garbage-4";
        Instant t0 = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.MILLIS);
        RecordMetadata forwarded;
        RecordMetadata quarantined;
        RecordMetadata suppressed;
        RecordMetadata dead;
        try (FirewallApp app = new FirewallApp(service, serdes);
             KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(bootstrap, "it-explain-", Map.of())) {
            app.start();
            awaitRunning(app, Duration.ofSeconds(120));
            // side records first: a grant on exactly the ad purpose; a grant and a 2FA registration as MD5
            sendAndWait(producer, topics.consent(), forwardedUser, t0, serdes.consentState().encode(topics.consent(),
                    consent(forwardedUser, "marketing.advertising.third_party.targeted", t0)));
            sendAndWait(producer, topics.consent(), quarantinedUser, t0, serdes.consentState().encode(topics.consent(),
                    consent(quarantinedUser, "marketing.advertising", t0)));
            sendAndWait(producer, topics.registrations(), quarantinedUser, t0, serdes.registration().encode(
                    topics.registrations(), PurposeRegistration.newBuilder().setUserId(quarantinedUser)
                            .setIdentifierType(IdentifierType.PHONE).setValue(md5).setPurpose(TWO_FACTOR)
                            .setAction(RegistrationAction.REGISTERED).setSourceSystem("auth-service")
                            .setEventTime(t0).build()));
            producer.flush();
            Instant t1 = t0.plusSeconds(10);
            forwarded = sendAndWait(producer, topics.contactPoints(), forwardedUser, t1, serdes.contactPoint().encode(
                    topics.contactPoints(), contact(forwardedUser, IdentifierType.EMAIL, forwardedEmail, t1)));
            quarantined = sendAndWait(producer, topics.contactPoints(), quarantinedUser, t1, serdes.contactPoint().encode(
                    topics.contactPoints(), contact(quarantinedUser, IdentifierType.PHONE, telUri, t1)));
            suppressed = sendAndWait(producer, topics.contactPoints(), suppressedUser, t1, serdes.contactPoint().encode(
                    topics.contactPoints(), contact(suppressedUser, IdentifierType.EMAIL, suppressedEmail, t1)));
            dead = sendAndWait(producer, topics.contactPoints(), deadUser, t1,
                    "not avro at all".getBytes(StandardCharsets.UTF_8));
            producer.flush();
            // When the firewall has written one output for each, and is stopped
            try (EndToEndSupport.OutputCollector outputs = new EndToEndSupport.OutputCollector(bootstrap, 2, topics,
                    serdes, "it-explain-reader-", Map.of(), null, null)) {
                outputs.pollUntilAtLeast(4, Duration.ofSeconds(90));
                outputs.drain(Duration.ofSeconds(1));
                assertThat(outputs.total()).isEqualTo(4);
            }
            assertThat(app.failed()).isFalse();
        }
        String[] personal = {forwardedUser, forwardedEmail, quarantinedUser, e164, telUri, "7700900123", md5,
            suppressedUser, suppressedEmail, deadUser, HashForm.SHA256.hex(forwardedEmail), HashForm.SHA256.hex(e164),
            HashForm.SHA1.hex(e164), HashForm.SHA256.hex(suppressedEmail), HashForm.SHA256.hex(forwardedUser)};
        try {
            // Then the forwarded one: consent.granted decided, with the grant it was decided on
            CommandResult f = explain(config, bootstrap, forwarded, "--json", dir.resolve("forwarded.json").toString());
            print("forwarded", f);
            assertThat(f.code()).as(f.err()).isZero();
            assertThat(f.out()).containsSubsequence("Record " + at(forwarded),
                    "user:              " + HashForm.SHA256.hex(forwardedUser).substring(0, 12),
                    "Identifier 1: field value, EMAIL",
                    "match keys:    sha256:" + HashForm.SHA256.hex(forwardedEmail).substring(0, 8),
                    "consent at event time: marketing.advertising.third_party.targeted=GRANTED",
                    "registrations in force: none", "Rules for identifier 1 (value):",
                    "Now (replay):          FORWARDED, rule consent.granted, reason CONSENT_GRANTED",
                    "Then (the service):    FORWARDED, EMAIL sha256:" + HashForm.SHA256.hex(forwardedEmail)
                            .substring(0, 8) + ", policy 2026-11-25.1 (sha256 " + loaded.policy().contentHash(),
                    "AGREE");
            assertThat(deciding(f.out())).contains("consent.granted");
            assertThat(f.out().lines().filter(l -> l.contains("(not reached)")).count()).isZero();
            String forwardedJson = Files.readString(dir.resolve("forwarded.json"));
            assertThat(forwardedJson).contains("\"result\" : \"AGREE\"", "\"decidingRule\" : \"consent.granted\"");
            assertNoPersonalData(f.out() + f.err() + forwardedJson, personal);

            // the quarantined one: restricted.registered, the registration found under the MD5 form it came in
            CommandResult q = explain(config, bootstrap, quarantined);
            print("quarantined", q);
            assertThat(q.code()).as(q.err()).isZero();
            assertThat(q.out()).containsSubsequence("Identifier 1: field value, PHONE",
                    "md5:" + md5.substring(0, 8),
                    "registrations in force:", TWO_FACTOR + " by auth-service, registered " + t0
                            + ", found under md5:" + md5.substring(0, 8),
                    "Now (replay):          QUARANTINED, rule restricted.registered, reason "
                            + "REGISTERED_FOR_RESTRICTED_PURPOSE",
                    "Then (the service):    QUARANTINED, rule restricted.registered, reason "
                            + "REGISTERED_FOR_RESTRICTED_PURPOSE",
                    "AGREE");
            assertThat(deciding(q.out())).contains("restricted.registered");
            assertThat(q.out()).containsPattern("consent\\.granted\\s+MATCH .*\\(not reached\\)");
            assertNoPersonalData(q.out() + q.err(), personal);

            // the suppressed one: no consent state at all
            CommandResult s = explain(config, bootstrap, suppressed);
            print("suppressed", s);
            assertThat(s.code()).as(s.err()).isZero();
            assertThat(s.out()).containsSubsequence("consent at event time: none",
                    "Now (replay):          SUPPRESSED, rule consent.missing, reason CONSENT_MISSING",
                    "Then (the service):    SUPPRESSED, rule consent.missing, reason CONSENT_MISSING", "AGREE");
            assertThat(deciding(s.out())).contains("consent.missing");
            assertNoPersonalData(s.out() + s.err(), personal);

            // the dead-lettered one: never decided; its rejection now and then
            CommandResult d = explain(config, bootstrap, dead);
            print("dead-lettered", d);
            assertThat(d.code()).as(d.err()).isZero();
            assertThat(d.out()).containsSubsequence("Record " + at(dead),
                    "Not decided: the record never reached the policy (DEAD_LETTERED now)",
                    "Now (replay):          DEAD_LETTERED, reason NOT_WIRE_FORMAT",
                    "Then (the service):    DEAD_LETTERED, reason NOT_WIRE_FORMAT", "AGREE");
            assertNoPersonalData(d.out() + d.err(), personal);

            // And under a candidate policy whose ad purpose the forwarded user's grant does not cover: it differs
            Path candidate = dir.resolve("candidate-policy.yaml");
            Files.writeString(candidate, Files.readString(dir.resolve("policy.yaml"))
                    .replace("version: \"2026-11-25.1\"", "version: \"2026-12-01.candidate\"")
                    .replace("ad-purpose: marketing.advertising.third_party.targeted",
                            "ad-purpose: marketing.advertising.first_party.targeted"));
            CommandResult c = explain(config, bootstrap, forwarded, "--policy", candidate.toString());
            print("forwarded, candidate policy", c);
            assertThat(c.code()).as(c.err()).isEqualTo(1);
            assertThat(c.out()).containsSubsequence("Now (replay):          SUPPRESSED",
                    "policy 2026-12-01.candidate", "Then (the service):    FORWARDED", "policy 2026-11-25.1",
                    "DIFFER: forwarded-without-consent");
            assertThat(deciding(c.out())).doesNotContain("consent.granted");
            assertNoPersonalData(c.out() + c.err(), personal);

            // A coordinate without a record, and a topic the firewall does not decide: errors
            CommandResult none = explain(config, bootstrap, topics.contactPoints(), 0, 1_000);
            assertThat(none.code()).isEqualTo(2);
            assertThat(none.err()).contains("no record at " + topics.contactPoints() + "/0@1000");
            CommandResult output = explain(config, bootstrap, topics.audience(), 0, 0);
            assertThat(output.code()).isEqualTo(2);
            assertThat(output.err()).contains("is not an input topic the firewall decides");
        } finally {
            MockSchemaRegistryClient.dropScope(scope);
        }
    }

    /** The deciding rule's line. */
    private static String deciding(String out) {
        List<String> lines = out.lines().filter(l -> l.endsWith("<= DECIDES")).toList();
        assertThat(lines).hasSize(1);
        return lines.get(0);
    }

    private static String at(RecordMetadata m) {
        return m.topic() + "/" + m.partition() + "@" + m.offset();
    }

    private static void print(String what, CommandResult r) {
        System.out.println("[ExplainIT] explain (" + what + "), exit " + r.code() + ":\n" + r.out() + r.err());
    }

    private static void assertNoPersonalData(String text, String... secrets) {
        for (String secret : secrets) {
            assertThat(text).doesNotContain(secret);
        }
    }

    private static CommandResult explain(Path config, String bootstrap, RecordMetadata m, String... more) {
        return explain(config, bootstrap, m.topic(), m.partition(), m.offset(), more);
    }

    /** The explain command in-process on the record at these coordinates. */
    private static CommandResult explain(Path config, String bootstrap, String topic, int partition, long offset,
                                         String... more) {
        List<String> args = new ArrayList<>(List.of("--topic", topic, "--partition", String.valueOf(partition),
                "--offset", String.valueOf(offset)));
        args.addAll(List.of(more));
        return runCommand("explain", config, bootstrap, args.toArray(String[]::new));
    }

    private static ConsentState consent(String user, String purpose, Instant time) {
        return ConsentState.newBuilder().setUserId(user)
                .setPurposes(List.of(new PurposeConsent(purpose, ConsentStatus.GRANTED)))
                .setOptOutOfTargetedAdvertising(false).setOptOutOfSale(false).setGlobalPrivacyControl(false)
                .setSource("it-cmp").setEffectiveTime(time).build();
    }

    private static ContactPoint contact(String user, IdentifierType type, String value, Instant time) {
        return ContactPoint.newBuilder().setUserId(user).setIdentifierType(type).setValue(value)
                .setDeclaredPurposes(List.of()).setSourceSystem("crm").setEventTime(time).setAttributes(Map.of())
                .build();
    }
}
