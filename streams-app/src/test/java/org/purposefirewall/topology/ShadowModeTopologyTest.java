package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.AD_PURPOSE;
import static org.purposefirewall.topology.FirewallDriver.POLICY;
import static org.purposefirewall.topology.FirewallDriver.POLICY_HASH;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.deny;
import static org.purposefirewall.topology.FirewallDriver.grant;
import static org.purposefirewall.topology.FirewallDriver.registration;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.config.ShadowPolicy;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.Sha256;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.monitoring.PrometheusFirewallMetrics;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.schema.ShadowDecision;
import org.purposefirewall.serde.AvroSerde;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * Shadow mode in the topology: a candidate policy decided beside the enforcing one writes exactly its disagreements,
 * redacted, and counts them; the enforcing outputs are the same with or without it, and with one that fails.
 */
class ShadowModeTopologyTest {

    private static final long T = 1_700_000_000_000L;
    private static final String FIRST_PARTY = "marketing.advertising.first_party";
    /** Stricter than {@link FirewallDriver#POLICY}: first-party marketing identifiers never reach the ad side. */
    private static final String CANDIDATE_HASH = Sha256.hex("candidate-8 as written in its file");
    private static final Policy CANDIDATE = new Policy("candidate-8", Purpose.parse(AD_PURPOSE),
            List.of(Purpose.parse("essential.service.security"), Purpose.parse(FIRST_PARTY)))
            .withContentHash(CANDIDATE_HASH);

    private static final String PAUL_PHONE = "+44 7700 900123";
    private static final String PAUL_PHONE_E164 = "+447700900123";
    private static final String QUINN_EMAIL = "quinn@example.com";
    private static final String SAM_EMAIL = "sam@example.com";
    private static final List<String> USERS = List.of("user-olga-1", "user-paul-2", "user-quinn-3", "user-rita-4",
            "user-sam-5", "user-nobody-6");
    private static final List<String> IDENTIFIERS = List.of("olga@example.com", PAUL_PHONE, PAUL_PHONE_E164,
            QUINN_EMAIL, "rita@example.com", SAM_EMAIL, "nobody@example.com");

    @TempDir
    Path stateDir;

    /**
     * One of every enforcing outcome (forward, quarantine, suppress, dead letter, recall), and three records the
     * candidate decides otherwise: paul's phone, registered for first-party marketing (forward → quarantine),
     * quinn's record declaring first-party marketing (forward → quarantine) and sam's, declaring it while his email is
     * registered for security (quarantine by restricted.registered → quarantine by restricted.declared).
     */
    private static void traffic(FirewallDriver fw) {
        fw.send(consent("user-olga-1", T, grant(AD_PURPOSE)));
        fw.send(contact("user-olga-1", IdentifierType.EMAIL, "olga@example.com", T + 10));
        fw.send(consent("user-paul-2", T, grant(AD_PURPOSE)));
        fw.send(registration("user-paul-2", IdentifierType.PHONE, PAUL_PHONE, FIRST_PARTY + ".sms",
                RegistrationAction.REGISTERED, T));
        fw.send(contact("user-paul-2", IdentifierType.PHONE, PAUL_PHONE, T + 20));
        fw.send(consent("user-quinn-3", T, grant(AD_PURPOSE)));
        fw.send(contact("user-quinn-3", IdentifierType.EMAIL, QUINN_EMAIL, T + 30, FIRST_PARTY));
        fw.send(consent("user-rita-4", T, grant(AD_PURPOSE)));
        fw.send(registration("user-rita-4", IdentifierType.EMAIL, "rita@example.com", "essential.service.security",
                RegistrationAction.REGISTERED, T));
        fw.send(contact("user-rita-4", IdentifierType.EMAIL, "rita@example.com", T + 40));
        fw.send(consent("user-sam-5", T, grant(AD_PURPOSE)));
        fw.send(registration("user-sam-5", IdentifierType.EMAIL, SAM_EMAIL, "essential.service.security",
                RegistrationAction.REGISTERED, T));
        fw.send(contact("user-sam-5", IdentifierType.EMAIL, SAM_EMAIL, T + 50, FIRST_PARTY));
        fw.send(contact("user-nobody-6", IdentifierType.EMAIL, "nobody@example.com", T + 60));
        fw.rawContactPoints.pipeInput("user-olga-1", new byte[] {42}, T + 70);
        // Revoked before olga's forward: recalled (recalls are never shadowed)
        fw.send(consent("user-olga-1", T + 5, deny(AD_PURPOSE)));
    }

    /** The records the traffic decides: every contact point but the dead letter. */
    private static final int DECIDED = 6;

    @Test
    void shouldWriteExactlyTheDisagreementsOfAStricterCandidateWithBothDecisions() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<TestRecord<String, ShadowDecision>> shadow;
        try (FirewallDriver fw = shadowDriver(new ShadowPolicy(Path.of("candidate.yaml"), CANDIDATE, null), null,
                prometheus(registry))) {
            traffic(fw);
            shadow = fw.shadowDecisions.readRecordsToList();
        }

        // Then exactly the three disagreements, in input order, each with both decisions
        assertThat(shadow).extracting(r -> r.value().getUserDigest()).containsExactly(
                redacted("user-paul-2"), redacted("user-quinn-3"), redacted("user-sam-5"));
        assertThat(shadow).allSatisfy(r -> {
            assertThat(r.key()).as("keyed by the redacted user").isEqualTo(r.value().getUserDigest());
            assertThat(r.value().getEnforcingPolicyVersion()).isEqualTo("test-policy-7");
            assertThat(r.value().getEnforcingPolicyHash()).isEqualTo(POLICY_HASH);
            assertThat(r.value().getShadowPolicyVersion()).isEqualTo("candidate-8");
            assertThat(r.value().getShadowPolicyHash()).isEqualTo(CANDIDATE_HASH);
            assertThat(r.value().getShadowError()).isNull();
            assertThat(r.value().getSource().getTopic()).isEqualTo("user.contact-points");
        });
        ShadowDecision paul = shadow.get(0).value();
        assertThat(List.of(paul.getEnforcingOutcome(), paul.getEnforcingReason(), paul.getEnforcingRule(),
                paul.getShadowOutcome(), paul.getShadowReason(), paul.getShadowRule())).containsExactly(
                "FORWARD", "CONSENT_GRANTED", "consent.granted",
                "QUARANTINE", "REGISTERED_FOR_RESTRICTED_PURPOSE", "restricted.registered");
        assertThat(paul.getIdentifierType()).isEqualTo(IdentifierType.PHONE);
        assertThat(paul.getIdentifierDigestPrefix()).isEqualTo(Sha256.hex(PAUL_PHONE_E164).substring(0, 8));
        assertThat(paul.getEventTime().toEpochMilli()).isEqualTo(T + 20);
        assertThat(paul.getSource().getOffset()).isEqualTo(1L);
        ShadowDecision quinn = shadow.get(1).value();
        assertThat(List.of(quinn.getEnforcingOutcome(), quinn.getEnforcingRule(), quinn.getShadowOutcome(),
                quinn.getShadowReason(), quinn.getShadowRule())).containsExactly(
                "FORWARD", "consent.granted", "QUARANTINE", "DECLARED_RESTRICTED_PURPOSE", "restricted.declared");
        assertThat(quinn.getIdentifierDigestPrefix()).isEqualTo(Sha256.hex(QUINN_EMAIL).substring(0, 8));
        ShadowDecision sam = shadow.get(2).value();
        assertThat(List.of(sam.getEnforcingOutcome(), sam.getEnforcingRule(), sam.getShadowOutcome(),
                sam.getShadowRule())).as("same outcome, another rule: a disagreement").containsExactly(
                "QUARANTINE", "restricted.registered", "QUARANTINE", "restricted.declared");

        // And each is counted by outcomes and the shadow's rule; nothing failed
        assertThat(registry.scrape()).contains(
                "purpose_firewall_shadow_disagreements_total{enforcing=\"forwarded\",rule=\"restricted.registered\","
                        + "shadow=\"quarantined\"} 1.0",
                "purpose_firewall_shadow_disagreements_total{enforcing=\"forwarded\",rule=\"restricted.declared\","
                        + "shadow=\"quarantined\"} 1.0",
                "purpose_firewall_shadow_disagreements_total{enforcing=\"quarantined\",rule=\"restricted.declared\","
                        + "shadow=\"quarantined\"} 1.0",
                "purpose_firewall_shadow_failures_total 0.0");
    }

    @Test
    void shouldLeaveEveryEnforcingOutputAsItIsWithoutAShadowPolicy() {
        Outputs without = run(null, null);
        Outputs with = run(new ShadowPolicy(Path.of("candidate.yaml"), CANDIDATE, null), null);

        assertThat(without.total()).as("the traffic reaches every outcome topic").isGreaterThanOrEqualTo(6);
        assertThat(without.audience).isNotEmpty();
        assertThat(without.quarantine).isNotEmpty();
        assertThat(without.suppressed).isNotEmpty();
        assertThat(without.deadLetter).isNotEmpty();
        assertThat(without.recalls).isNotEmpty();
        assertThat(with.audience).isEqualTo(without.audience);
        assertThat(with.quarantine).isEqualTo(without.quarantine);
        assertThat(with.suppressed).isEqualTo(without.suppressed);
        assertThat(with.deadLetter).isEqualTo(without.deadLetter);
        assertThat(with.recalls).isEqualTo(without.recalls);
        assertThat(with.shadow).hasSize(3);
        assertThat(without.shadow).isEmpty();
    }

    @Test
    void shouldWriteNothingWhenTheCandidateIsTheEnforcingPolicy() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (FirewallDriver fw = shadowDriver(new ShadowPolicy(Path.of("policy.yaml"), POLICY, null), null,
                prometheus(registry))) {
            traffic(fw);

            assertThat(fw.shadowDecisions.isEmpty()).isTrue();
            assertThat(fw.quarantine.readRecordsToList()).as("the traffic was decided").hasSize(2);
        }
        assertThat(registry.scrape()).doesNotContain("purpose_firewall_shadow_disagreements_total{")
                .contains("purpose_firewall_shadow_failures_total 0.0");
    }

    @Test
    void shouldCountAFailingShadowAndLeaveTheEnforcingOutputUnchanged() {
        // Given a candidate whose every decision throws
        Function<IdentifierNormalizer.Configured, ShadowDecider> failing = normalizer -> new ShadowDecider(CANDIDATE,
                stores -> facts -> {
                    throw new IllegalStateException("candidate broke on " + facts.userId());
                });
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

        // When the traffic runs through it
        Outputs failed = run(new ShadowPolicy(Path.of("candidate.yaml"), CANDIDATE, null), failing,
                prometheus(registry));
        Outputs without = run(null, null);

        // Then every output is what it is without shadow mode: nothing dead-lettered for the shadow's sake
        assertThat(failed.audience).isEqualTo(without.audience);
        assertThat(failed.quarantine).isEqualTo(without.quarantine);
        assertThat(failed.suppressed).isEqualTo(without.suppressed);
        assertThat(failed.deadLetter).isEqualTo(without.deadLetter);
        assertThat(failed.recalls).isEqualTo(without.recalls);
        // And each decided record (not the dead letter) counts one failure and has a shadow record naming the class
        assertThat(registry.scrape()).contains("purpose_firewall_shadow_failures_total " + (double) DECIDED)
                .doesNotContain("purpose_firewall_shadow_disagreements_total{");
        assertThat(failed.shadow).hasSize(DECIDED).allSatisfy(r -> {
            assertThat(r.value().getShadowError()).isEqualTo(IllegalStateException.class.getName());
            assertThat(r.value().getShadowOutcome()).isNull();
            assertThat(r.value().getShadowRule()).isNull();
            assertThat(r.value().getShadowPolicyVersion()).isEqualTo("candidate-8");
            assertThat(r.value().getEnforcingOutcome()).isNotNull();
            assertThat(r.value().toString()).doesNotContain("broke");
        });
    }

    @Test
    void shouldCountAShadowRecordThatCannotBeWrittenAndLeaveTheEnforcingOutputUnchanged() {
        // Given a shadow topic whose schema is not registered and may not be (auto.register.schemas=false)
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Outputs unwritable;
        try (FirewallDriver fw = new FirewallDriver(stateDir.resolve("unwritable"),
                new ShadowPolicy(Path.of("candidate.yaml"), CANDIDATE, null), null, 0L, prometheus(registry),
                s -> new FirewallSerdes(s.registry(), s.health(), s.contactPoint(), s.consentState(),
                        s.registration(), s.audience(), s.quarantine(), s.suppressed(), s.deadLetter(), s.recall(),
                        new AvroSerde<>(ShadowDecision.class, s.registry(), false, false, false)))) {
            // When the traffic runs
            traffic(fw);
            unwritable = new Outputs(keyValues(fw.audience.readRecordsToList()),
                    keyValues(fw.quarantine.readRecordsToList()), keyValues(fw.suppressed.readRecordsToList()),
                    keyValues(fw.deadLetter.readRecordsToList()), keyValues(fw.recalls.readRecordsToList()),
                    List.of());
            assertThat(fw.shadowDecisions.isEmpty()).isTrue();
        }
        Outputs without = run(null, null);

        // Then the enforcing outputs are those of a run without shadow mode, and each lost disagreement is a failure
        assertThat(unwritable.audience).isEqualTo(without.audience);
        assertThat(unwritable.quarantine).isEqualTo(without.quarantine);
        assertThat(unwritable.suppressed).isEqualTo(without.suppressed);
        assertThat(unwritable.deadLetter).isEqualTo(without.deadLetter);
        assertThat(unwritable.recalls).isEqualTo(without.recalls);
        assertThat(registry.scrape()).contains("purpose_firewall_shadow_failures_total 3.0");
    }

    @Test
    void shouldShadowARecordHeldForLateConsentOnceWhenItIsDecided() {
        try (FirewallDriver fw = new FirewallDriver(stateDir.resolve("held"),
                new ShadowPolicy(Path.of("candidate.yaml"), CANDIDATE, null), null, 60_000L,
                FirewallMetrics.Factory.KAFKA_SENSORS)) {
            // Given a record the candidate quarantines, from a user whose consent has not arrived: it waits
            fw.send(contact("user-quinn-3", IdentifierType.EMAIL, QUINN_EMAIL, T + 30, FIRST_PARTY));
            fw.driver.advanceWallClockTime(Duration.ofSeconds(5));
            assertThat(fw.drainAllOutputs()).as("held").isZero();
            assertThat(fw.shadowDecisions.isEmpty()).as("not shadowed while it waits").isTrue();

            // When its consent arrives and it is decided
            fw.send(consent("user-quinn-3", T, grant(AD_PURPOSE)));
            fw.driver.advanceWallClockTime(Duration.ofSeconds(1));

            // Then it is forwarded, and shadowed once
            assertThat(fw.audience.readRecordsToList()).hasSize(1);
            assertThat(fw.shadowDecisions.readRecordsToList()).singleElement()
                    .satisfies(r -> assertThat(r.value().getShadowRule()).isEqualTo("restricted.declared"));
            fw.driver.advanceWallClockTime(Duration.ofSeconds(120));
            assertThat(fw.shadowDecisions.isEmpty()).isTrue();
        }
    }

    @Test
    void shouldPutNoIdentifierNoFullDigestAndNoUserIdInAShadowRecord() {
        // Given the disagreements and the failures of the traffic
        List<TestRecord<String, ShadowDecision>> all = new ArrayList<>(
                run(new ShadowPolicy(Path.of("candidate.yaml"), CANDIDATE, null), null).shadow);
        all.addAll(run(new ShadowPolicy(Path.of("candidate.yaml"), CANDIDATE, null), normalizer -> new ShadowDecider(
                CANDIDATE, stores -> facts -> {
                    throw new IllegalArgumentException(facts.userId() + " " + facts.identifiers());
                })).shadow);
        assertThat(all).hasSize(3 + DECIDED);

        // Then neither key nor value holds a user id, an identifier in any spelling, or any form of its digest
        List<String> forbidden = new ArrayList<>(USERS);
        for (String identifier : IDENTIFIERS) {
            forbidden.add(identifier);
            for (HashForm form : HashForm.values()) {
                forbidden.add(form.hex(identifier));
            }
        }
        for (String user : USERS) {
            forbidden.add(Sha256.hex(user));
        }
        for (TestRecord<String, ShadowDecision> r : all) {
            String text = r.key() + " " + r.value();
            for (String secret : forbidden) {
                assertThat(text).doesNotContainIgnoringCase(secret);
            }
            assertThat(r.value().getUserDigest()).matches("[0-9a-f]{12}");
            if (r.value().getIdentifierDigestPrefix() != null) {
                assertThat(r.value().getIdentifierDigestPrefix()).matches("[0-9a-f]{8}");
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** What one run wrote, per topic, as key and value. */
    private record Outputs(List<Object> audience, List<Object> quarantine, List<Object> suppressed,
                           List<Object> deadLetter, List<Object> recalls,
                           List<TestRecord<String, ShadowDecision>> shadow) {
        int total() {
            return audience.size() + quarantine.size() + suppressed.size() + deadLetter.size() + recalls.size();
        }
    }

    private int runs;

    private Outputs run(ShadowPolicy shadow, Function<IdentifierNormalizer.Configured, ShadowDecider> mode) {
        return run(shadow, mode, FirewallMetrics.Factory.KAFKA_SENSORS);
    }

    private Outputs run(ShadowPolicy shadow, Function<IdentifierNormalizer.Configured, ShadowDecider> mode,
                        FirewallMetrics.Factory metrics) {
        try (FirewallDriver fw = shadowDriver(shadow, mode, metrics)) {
            Consumer<FirewallDriver> t = ShadowModeTopologyTest::traffic;
            t.accept(fw);
            return new Outputs(keyValues(fw.audience.readRecordsToList()),
                    keyValues(fw.quarantine.readRecordsToList()), keyValues(fw.suppressed.readRecordsToList()),
                    keyValues(fw.deadLetter.readRecordsToList()), keyValues(fw.recalls.readRecordsToList()),
                    fw.shadowDecisions.readRecordsToList());
        }
    }

    private static List<Object> keyValues(List<? extends TestRecord<String, ?>> records) {
        List<Object> out = new ArrayList<>();
        for (TestRecord<String, ?> r : records) {
            out.add(List.of(String.valueOf(r.key()), r.value(), r.timestamp()));
        }
        return out;
    }

    private FirewallDriver shadowDriver(ShadowPolicy shadow,
                                        Function<IdentifierNormalizer.Configured, ShadowDecider> mode,
                                        FirewallMetrics.Factory metrics) {
        Path dir = stateDir.resolve("run-" + runs++);
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new FirewallDriver(dir, shadow, mode, 0L, metrics);
    }

    private static FirewallMetrics.Factory prometheus(PrometheusMeterRegistry registry) {
        return new PrometheusFirewallMetrics(registry, new RegistryHealth(), () -> true).factory();
    }

    private static String redacted(String user) {
        return Sha256.hex(user).substring(0, 12);
    }
}
