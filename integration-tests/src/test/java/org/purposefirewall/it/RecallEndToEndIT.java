package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.it.EndToEndSupport.awaitRunning;
import static org.purposefirewall.it.EndToEndSupport.loadApplicationConfig;
import static org.purposefirewall.it.EndToEndSupport.millisSince;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.report.ExposureReport;
import org.purposefirewall.report.ExposureReportReader;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.RecallReason;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * Retroactive recall on a real broker under exactly-once: 50,000 users whose identifiers reach the ad side, then
 * consent flips (revoked; revoked and re-granted; GPC) and late security registrations. At the end every identifier
 * that was forwarded and is now security-registered or consent-revoked has exactly one recall record, with the right
 * reason; nothing else is recalled; and the exposure report agrees.
 */
class RecallEndToEndIT {

    private static final int PARTITIONS = 4;
    private static final int USERS = Integer.getInteger("recall.it.users", 50_000);
    private static final String TWO_FACTOR = "essential.service.security.authentication";

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    /** What happens to user i after its identifiers were forwarded, by i modulo 5. */
    private enum Fate { REVOKED, PHONE_REGISTERED, REVOKED_THEN_REGRANTED, GPC, UNCHANGED }

    private static Fate fate(int i) {
        return Fate.values()[i % 5];
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyForwardedIdentifierThatIsNowRevokedOrRegisteredIsRecalledExactlyOnce(@TempDir Path stateDir)
            throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String scope = "recall-it-" + unique;
        Topics topics = EndToEndSupport.prefixed(loadApplicationConfig().topics(), "recall-" + unique + ".");
        FirewallTopics.createAll(BROKER.get(), topics, PARTITIONS);
        FirewallConfig base = loadApplicationConfig();
        SchemaRegistryConfig registry = base.schemaRegistry().withUrl("mock://" + scope);
        FirewallConfig c = base.withBootstrapServers(BROKER.get().bootstrapServers()).withSchemaRegistry(registry)
                .withApplicationId("it-recall-" + unique, stateDir);
        Map<String, String> streams = new HashMap<>(c.streams());
        // Diagnostics: Kafka Streams records "enforced-processing" (processing out of timestamp order) at DEBUG.
        streams.putIfAbsent("metrics.recording.level", "DEBUG");
        FirewallConfig config = EndToEndSupport.rebuilt(c, topics, c.processing(), streams);
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        long t0 = System.currentTimeMillis() - 3_600_000L;

        // Expected recalls: (user, digest) -> reason
        Map<String, RecallReason> expected = new HashMap<>();
        long forwardsExpected = 0;
        try (FirewallApp app = new FirewallApp(config, serdes);
             KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(BROKER.get().bootstrapServers(),
                     "it-recall-", Map.of())) {
            long t = System.nanoTime();
            app.start();
            awaitRunning(app, Duration.ofSeconds(120));

            for (int i = 0; i < USERS; i++) {
                String user = "user-" + i;
                long u = t0 + i;  // each user's own timeline, 1 ms apart, all within the hour
                String email = "person." + i + "@mail.example";
                String phone = String.format("+44 7700 9%05d", i);
                send(producer, topics.consent(), user, u, serdes.consentState().encode(topics.consent(),
                        consent(user, u, true, false)));
                send(producer, topics.contactPoints(), user, u + 10, serdes.contactPoint().encode(
                        topics.contactPoints(), contact(user, IdentifierType.EMAIL, email, u + 10)));
                send(producer, topics.contactPoints(), user, u + 11, serdes.contactPoint().encode(
                        topics.contactPoints(), contact(user, IdentifierType.PHONE, phone, u + 11)));
                forwardsExpected += 2;
                String emailKey = user + " " + HashForm.SHA256.hex(email);
                String phoneKey = user + " " + HashForm.SHA256.hex(
                        "+4477009" + String.format("%05d", i));
                switch (fate(i)) {
                    case REVOKED -> {
                        send(producer, topics.consent(), user, u + 100, serdes.consentState().encode(
                                topics.consent(), consent(user, u + 100, false, false)));
                        expected.put(emailKey, RecallReason.CONSENT_REVOKED);
                        expected.put(phoneKey, RecallReason.CONSENT_REVOKED);
                    }
                    case PHONE_REGISTERED -> {
                        send(producer, topics.registrations(), user, u + 100, serdes.registration().encode(
                                topics.registrations(), registration(user, phone, u + 100)));
                        expected.put(phoneKey, RecallReason.REGISTERED_FOR_RESTRICTED_PURPOSE);
                    }
                    case REVOKED_THEN_REGRANTED -> {
                        send(producer, topics.consent(), user, u + 100, serdes.consentState().encode(
                                topics.consent(), consent(user, u + 100, false, false)));
                        send(producer, topics.consent(), user, u + 200, serdes.consentState().encode(
                                topics.consent(), consent(user, u + 200, true, false)));
                        // Forwarded again after the re-grant: a new exposure, not recalled
                        send(producer, topics.contactPoints(), user, u + 250, serdes.contactPoint().encode(
                                topics.contactPoints(), contact(user, IdentifierType.EMAIL, email, u + 250)));
                        forwardsExpected++;
                        expected.put(emailKey, RecallReason.CONSENT_REVOKED);
                        expected.put(phoneKey, RecallReason.CONSENT_REVOKED);
                    }
                    case GPC -> {
                        send(producer, topics.consent(), user, u + 100, serdes.consentState().encode(
                                topics.consent(), consent(user, u + 100, true, true)));
                        expected.put(emailKey, RecallReason.CONSENT_REVOKED);
                        expected.put(phoneKey, RecallReason.CONSENT_REVOKED);
                    }
                    case UNCHANGED -> {
                    }
                }
            }
            // Side inputs move past the last data record, so nothing waits for the idle timer at the end
            for (int p = 0; p < USERS; p += USERS / 200) {
                String user = "user-" + p;
                send(producer, topics.registrations(), user, t0 + USERS + 10_000, serdes.registration().encode(
                        topics.registrations(), registration(user, "+44 20 7946 0000", t0 + USERS + 10_000,
                                "marketing.email", "end-marker")));
            }
            producer.flush();

            // The contract is about what was forwarded: a record decided before its consent arrived (the
            // first seconds, while Kafka Streams waits at most max.task.idle.ms for empty partitions) is suppressed,
            // never forwarded, and so never recalled.
            Map<String, Long> firstForward = new HashMap<>();
            long forwardedRecords;
            try (EndToEndSupport.OutputCollector outputs = new EndToEndSupport.OutputCollector(
                    BROKER.get().bootstrapServers(), PARTITIONS, topics, serdes, "it-recall-reader-", Map.of(), null, null)) {
                outputs.pollUntilAtLeast(forwardsExpected, Duration.ofMinutes(4));
                outputs.drain(Duration.ofSeconds(2));
                System.out.printf("[RecallEndToEndIT] outputs after %d ms: %s %s%n", millisSince(t), outputs.counts(),
                        outputs.deadLetterReasons());
                for (EndToEndSupport.Output out : outputs.of(org.purposefirewall.fixtures.ScenarioTraffic.Expected.FORWARD)) {
                    org.purposefirewall.schema.AudienceIdentifier a =
                            (org.purposefirewall.schema.AudienceIdentifier) out.value();
                    firstForward.merge(a.getUserId() + " " + a.getIdentifierHash(), a.getEventTime().toEpochMilli(),
                            Math::min);
                }
                forwardedRecords = outputs.of(org.purposefirewall.fixtures.ScenarioTraffic.Expected.FORWARD).size();
                assertThat(forwardedRecords).as("nearly every contact point forwarded")
                        .isGreaterThan((long) (forwardsExpected * 0.98));
                assertThat(outputs.counts().get(org.purposefirewall.fixtures.ScenarioTraffic.Expected.DEAD_LETTER))
                        .isZero();
            }
            // Recalled if forwarded before its cause: for a re-granted user, a first forward after the re-grant is
            // a new exposure that nothing revoked.
            expected.keySet().removeIf(key -> {
                Long first = firstForward.get(key);
                int i = Integer.parseInt(key.substring("user-".length(), key.indexOf(' ')));
                return first == null || (fate(i) == Fate.REVOKED_THEN_REGRANTED && first >= t0 + i + 100);
            });
            List<AudienceRecall> recalls = readUntil(serdes, topics.recalls(), expected.size(),
                    Duration.ofSeconds(Integer.getInteger("recall.it.wait", 240)));
            if (recalls.size() < expected.size()) {
                try (EndToEndSupport.OutputCollector outputs = new EndToEndSupport.OutputCollector(
                        BROKER.get().bootstrapServers(), PARTITIONS, topics, serdes, "it-recall-reader-", Map.of(), null,
                        null)) {
                    outputs.drain(Duration.ofSeconds(3));
                    System.out.printf("[RecallEndToEndIT] DIAG outputs %s %s failed=%s enforced=%s recalls=%s%n",
                            outputs.counts(), outputs.deadLetterReasons(), app.failed(),
                            EndToEndSupport.enforcedProcessing(app),
                            recalls.stream().map(r -> r.getUserId() + ":" + r.getReason()).toList());
                    outputs.of(org.purposefirewall.fixtures.ScenarioTraffic.Expected.DEAD_LETTER).stream().limit(3)
                            .forEach(o -> System.out.println("[RecallEndToEndIT] DIAG dead " + o.value()));
                }
            }
            long recallMillis = millisSince(t);
            assertThat(recalls).as("recalls in time").hasSizeGreaterThanOrEqualTo(expected.size());
            List<AudienceRecall> extra = readUntil(serdes, topics.recalls(), Integer.MAX_VALUE, Duration.ofSeconds(3));
            System.out.printf("[RecallEndToEndIT] %d users, %d recalls after %d ms%n", USERS, recalls.size(),
                    recallMillis);

            // Exactly one recall per expected (user, identifier), with its reason; nothing else
            Map<String, RecallReason> actual = new HashMap<>();
            List<String> duplicates = new ArrayList<>();
            for (AudienceRecall recall : extra) {
                String key = recall.getUserId() + " " + recall.getIdentifierHash();
                if (actual.put(key, recall.getReason()) != null) {
                    duplicates.add(key);
                }
            }
            assertThat(duplicates).as("identifiers recalled more than once").isEmpty();
            assertThat(actual).isEqualTo(expected);

            // The exposure report reads the same story from the topics
            ExposureReport report = new ExposureReport(null, null, null);
            ExposureReportReader.read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.get().bootstrapServers()),
                    serdes, topics.audience(), topics.recalls(), report, Duration.ofMinutes(2));
            List<ExposureReport.Row> rows = report.rows();
            assertThat(rows).hasSize(firstForward.size());
            assertThat(rows.stream().mapToLong(ExposureReport.Row::forwarded).sum()).isEqualTo(forwardedRecords);
            assertThat(rows.stream().filter(r -> !r.recalls().isEmpty()).count()).isEqualTo(expected.size());
            assertThat(app.failed()).isFalse();
        } finally {
            MockSchemaRegistryClient.dropScope(scope);
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aRecordHeldForLateConsentSurvivesARestartAndIsDecidedOnce(@TempDir Path stateDir) throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String scope = "hold-it-" + unique;
        Topics topics = EndToEndSupport.prefixed(loadApplicationConfig().topics(), "hold-" + unique + ".");
        FirewallTopics.createAll(BROKER.get(), topics, PARTITIONS);
        FirewallConfig base = loadApplicationConfig();
        SchemaRegistryConfig registry = base.schemaRegistry().withUrl("mock://" + scope);
        FirewallConfig c = base.withBootstrapServers(BROKER.get().bootstrapServers()).withSchemaRegistry(registry)
                .withApplicationId("it-hold-" + unique, stateDir.resolve("first"));
        org.purposefirewall.config.Processing p = c.processing();
        org.purposefirewall.config.Processing holding = p.toBuilder().maxTaskIdle(java.time.Duration.ZERO)
                .consentHold(java.time.Duration.ofMillis(120_000L)).build();
        FirewallConfig config = EndToEndSupport.rebuilt(c, topics, holding, c.streams());
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        long t0 = System.currentTimeMillis() - 60_000L;
        try (KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(BROKER.get().bootstrapServers(),
                "it-hold-", Map.of())) {
            // First instance: the data record arrives, its user has no consent yet: held
            try (FirewallApp app = new FirewallApp(config, serdes)) {
                app.start();
                awaitRunning(app, Duration.ofSeconds(120));
                send(producer, topics.contactPoints(), "held-user", t0 + 10, serdes.contactPoint().encode(
                        topics.contactPoints(), contact("held-user", IdentifierType.EMAIL, "held@mail.example",
                                t0 + 10)));
                producer.flush();
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (metric(app, org.purposefirewall.monitoring.MetricNames.HELD) < 1.0) {
                    assertThat(System.nanoTime() - end).as("record held within 60 s").isNegative();
                    Thread.sleep(100);
                }
            }
            // Second instance, with an empty state directory: the held record is restored from the changelog, and
            // the late consent releases it
            FirewallConfig restarted = config.withApplicationId(config.applicationId(), stateDir.resolve("second"));
            try (FirewallApp app = new FirewallApp(restarted, serdes)) {
                app.start();
                awaitRunning(app, Duration.ofSeconds(120));
                send(producer, topics.consent(), "held-user", t0, serdes.consentState().encode(topics.consent(),
                        consent("held-user", t0, true, false)));
                producer.flush();
                try (EndToEndSupport.OutputCollector outputs = new EndToEndSupport.OutputCollector(
                        BROKER.get().bootstrapServers(), PARTITIONS, topics, serdes, "it-hold-reader-", Map.of(), null,
                        null)) {
                    outputs.pollUntilAtLeast(1, Duration.ofSeconds(90));
                    outputs.drain(Duration.ofSeconds(3));
                    assertThat(outputs.counts()).as("decided once, forwarded").isEqualTo(Map.of(
                            org.purposefirewall.fixtures.ScenarioTraffic.Expected.FORWARD, 1,
                            org.purposefirewall.fixtures.ScenarioTraffic.Expected.QUARANTINE, 0,
                            org.purposefirewall.fixtures.ScenarioTraffic.Expected.SUPPRESS, 0,
                            org.purposefirewall.fixtures.ScenarioTraffic.Expected.DEAD_LETTER, 0));
                }
                assertThat(app.failed()).isFalse();
            }
        } finally {
            MockSchemaRegistryClient.dropScope(scope);
        }
    }

    private static double metric(FirewallApp app, String operation) {
        double sum = 0;
        for (var e : app.streams().metrics().entrySet()) {
            if (e.getKey().group().equals(org.purposefirewall.monitoring.MetricNames.GROUP)
                    && e.getKey().name().equals(org.purposefirewall.monitoring.MetricNames.total(operation))) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, long time,
                             byte[] value) {
        producer.send(new ProducerRecord<>(topic, null, time, key, value));
    }

    private static ConsentState consent(String user, long time, boolean granted, boolean gpc) {
        return ConsentState.newBuilder().setUserId(user)
                .setPurposes(granted ? List.of(new PurposeConsent("marketing.advertising", ConsentStatus.GRANTED))
                        : List.of(new PurposeConsent("marketing.advertising", ConsentStatus.DENIED)))
                .setOptOutOfTargetedAdvertising(false).setOptOutOfSale(false).setGlobalPrivacyControl(gpc)
                .setSource("it-cmp").setEffectiveTime(Instant.ofEpochMilli(time)).build();
    }

    private static ContactPoint contact(String user, IdentifierType type, String value, long time) {
        return ContactPoint.newBuilder().setUserId(user).setIdentifierType(type).setValue(value)
                .setDeclaredPurposes(List.of()).setSourceSystem("ads-sync").setEventTime(Instant.ofEpochMilli(time))
                .setAttributes(Map.of()).build();
    }

    private static PurposeRegistration registration(String user, String phone, long time) {
        return registration(user, phone, time, TWO_FACTOR, "two-factor-auth");
    }

    private static PurposeRegistration registration(String user, String phone, long time, String purpose,
                                                    String source) {
        return PurposeRegistration.newBuilder().setUserId(user).setIdentifierType(IdentifierType.PHONE)
                .setValue(phone).setPurpose(purpose).setAction(RegistrationAction.REGISTERED)
                .setSourceSystem(source).setEventTime(Instant.ofEpochMilli(time)).build();
    }

    /** Reads the recalls topic from the beginning until {@code count} records or {@code deadline}. */
    private static List<AudienceRecall> readUntil(FirewallSerdes serdes, String topic, int count, Duration deadline) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.get().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        List<AudienceRecall> recalls = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long end = System.nanoTime() + deadline.toNanos();
            while (recalls.size() < count && System.nanoTime() - end < 0) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    recalls.add(serdes.recall().decode(record.value()));
                }
            }
        }
        return recalls;
    }

}
