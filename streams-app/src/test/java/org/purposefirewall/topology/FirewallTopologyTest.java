package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.AD_PURPOSE;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.deny;
import static org.purposefirewall.topology.FirewallDriver.grant;
import static org.purposefirewall.topology.FirewallDriver.registration;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.identity.Sha256;
import org.purposefirewall.monitoring.MetricNames;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.schema.SuppressedRecord;

class FirewallTopologyTest {

    private static final long T = 1_700_000_000_000L;

    @TempDir
    Path stateDir;

    private FirewallDriver fw;

    @BeforeEach
    void start() {
        fw = new FirewallDriver(stateDir);
    }

    @AfterEach
    void stop() {
        fw.close();
    }

    @Test
    void aPhoneRegisteredFor2faIsQuarantinedWhenItReachesTheAdSideInAnotherFormat() {
        // Given: alice consents to ads, and her 2FA service registered her phone in its own format
        fw.send(consent("alice", T, grant("marketing.advertising")));
        fw.send(registration("alice", IdentifierType.PHONE, "+1 (415) 555-0100",
                "essential.service.security.authentication", RegistrationAction.REGISTERED, T + 1));

        // When: the ad pipeline sends the same number, spelled differently, then as its SHA-256 hex
        fw.send(contact("alice", IdentifierType.PHONE, "14155550100", T + 10));
        fw.send(contact("alice", IdentifierType.PHONE, Sha256.hex("+14155550100").toUpperCase(), T + 11));

        // Then: both are quarantined, with the matching registration, and nothing reaches the ad topic
        List<QuarantineRecord> quarantined = fw.quarantine.readValuesToList();
        assertThat(quarantined).hasSize(2).allSatisfy(q -> {
            assertThat(q.getReason()).isEqualTo("REGISTERED_FOR_RESTRICTED_PURPOSE");
            assertThat(q.getRule()).isEqualTo("restricted.registered");
            assertThat(q.getMatchedPurpose()).isEqualTo("essential.service.security");
            assertThat(q.getMatchedRegistration().getPurpose()).isEqualTo("essential.service.security.authentication");
            assertThat(q.getMatchedRegistration().getSourceSystem()).isEqualTo("two-factor-auth");
            assertThat(q.getPolicyVersion()).isEqualTo("test-policy-7");
            assertThat(q.getPolicyHash()).as("ties the decision to the policy text").isEqualTo(FirewallDriver.POLICY_HASH);
            assertThat(q.getSource().getTopic()).isEqualTo("user.contact-points");
        });
        assertThat(quarantined.get(0).getRecord().getValue()).isEqualTo("14155550100");
        assertThat(quarantined.get(0).getSource().getOffset()).isEqualTo(0L);
        assertThat(quarantined.get(1).getSource().getOffset()).isEqualTo(1L);
        assertThat(fw.audience.isEmpty()).isTrue();
        assertThat(fw.suppressed.isEmpty()).isTrue();
        assertThat(fw.deadLetter.isEmpty()).isTrue();
    }

    @Test
    void aRecoveryEmailIsQuarantinedWhateverItsCaseSpacingOrHash() {
        fw.send(consent("bob", T, grant(AD_PURPOSE)));
        fw.send(registration("bob", IdentifierType.EMAIL, " Alice@Example.COM ",
                "essential.service.security.account_recovery", RegistrationAction.REGISTERED, T));

        fw.send(contact("bob", IdentifierType.EMAIL, "alice@example.com", T + 5));
        fw.send(contact("bob", IdentifierType.EMAIL, Sha256.hex("alice@example.com"), T + 6));
        fw.send(contact("bob", IdentifierType.EMAIL, "ALICE@EXAMPLE.COM", T + 7));
        // A different address of the same user is not restricted and flows.
        fw.send(contact("bob", IdentifierType.EMAIL, "bob.shop@example.com", T + 8));

        assertThat(fw.quarantine.readValuesToList()).hasSize(3);
        List<AudienceIdentifier> forwarded = fw.audience.readValuesToList();
        assertThat(forwarded).singleElement()
                .satisfies(a -> assertThat(a.getIdentifierHash()).isEqualTo(Sha256.hex("bob.shop@example.com")));
    }

    @Test
    void aSecurityRegistrationWinsOverAnyConsentAndIsPerUser() {
        fw.send(consent("carol", T, grant("marketing")));
        fw.send(consent("dave", T, grant("marketing")));
        fw.send(registration("carol", IdentifierType.PHONE, "+44 20 7946 0958", "essential.service.security",
                RegistrationAction.REGISTERED, T));

        fw.send(contact("carol", IdentifierType.PHONE, "00442079460958", T + 1));
        // The same number under another user is that user's identifier, registered for nothing: it flows.
        fw.send(contact("dave", IdentifierType.PHONE, "+442079460958", T + 1));

        assertThat(fw.quarantine.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("carol");
        assertThat(fw.audience.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("dave");
    }

    @Test
    void aRecordDeclaringASecurityPurposeIsQuarantinedEvenWithConsent() {
        fw.send(consent("erin", T, grant("marketing")));

        fw.send(contact("erin", IdentifierType.EMAIL, "erin@example.com", T + 1,
                "Essential.Service.Security.Authentication"));

        QuarantineRecord q = fw.quarantine.readValue();
        assertThat(q.getReason()).isEqualTo("DECLARED_RESTRICTED_PURPOSE");
        assertThat(q.getMatchedRegistration()).isNull();
        assertThat(fw.audience.isEmpty()).isTrue();
    }

    @Test
    void aRecordDeclaringAPurposeOutsideTheTaxonomyIsSuppressedEvenWithConsent() {
        // Given: erin granted all of marketing, and also granted and registered a purpose the taxonomy does not know
        fw.send(consent("erin", T, grant("marketing"), grant("foo.bar_baz")));
        fw.send(registration("erin", IdentifierType.EMAIL, "erin@example.com", "foo.bar_baz",
                RegistrationAction.REGISTERED, T));

        // When: her email arrives declaring that unknown purpose, then a known one, then text that is no purpose
        fw.send(contact("erin", IdentifierType.EMAIL, "erin@example.com", T + 1, "foo.bar_baz"));
        fw.send(contact("erin", IdentifierType.EMAIL, "erin@example.com", T + 2, "marketing.advertising"));
        fw.send(contact("erin", IdentifierType.EMAIL, "erin@example.com", T + 3, "foo..bar"));

        // Then: the unknown purpose is suppressed, naming it; the known one flows; the malformed one is dead-lettered
        SuppressedRecord suppressed = fw.suppressed.readValue();
        assertThat(suppressed.getReason()).isEqualTo("PURPOSE_UNKNOWN");
        assertThat(suppressed.getRule()).isEqualTo("purpose.unknown");
        assertThat(suppressed.getDetail()).contains("foo.bar_baz").doesNotContain("erin@example.com");
        assertThat(suppressed.getPolicyVersion()).isEqualTo("test-policy-7");
        assertThat(suppressed.getPolicyHash()).isEqualTo(FirewallDriver.POLICY_HASH);
        assertThat(suppressed.getSource().getOffset()).isEqualTo(0L);
        assertThat(fw.suppressed.isEmpty()).isTrue();
        assertThat(fw.audience.readValuesToList()).singleElement()
                .satisfies(a -> assertThat(a.getEventTime().toEpochMilli()).isEqualTo(T + 2));
        assertThat(fw.deadLetter.readValue().getReason()).isEqualTo("INVALID_PURPOSE");
        assertThat(fw.quarantine.isEmpty()).isTrue();
    }

    @Test
    void consentRevokedAtTSuppressesLaterRecordsAndForwardsEarlierOnesEvenWhenTheyArriveAfterTheRevocation() {
        // Given: a grant at T, revoked at T+100
        fw.send(consent("frank", T, grant(AD_PURPOSE)));
        fw.send(consent("frank", T + 100, deny(AD_PURPOSE)));

        // When: a record after the revocation, then two records from before it that arrive late
        fw.send(contact("frank", IdentifierType.EMAIL, "after@example.com", T + 150));
        fw.send(contact("frank", IdentifierType.EMAIL, "before@example.com", T + 50));
        fw.send(contact("frank", IdentifierType.EMAIL, "at@example.com", T + 100));

        // Then: each is judged by the consent in force at its own event time
        assertThat(fw.audience.readValuesToList()).extracting(AudienceIdentifier::getIdentifierHash)
                .containsExactly(Sha256.hex("before@example.com"));
        List<SuppressedRecord> suppressed = fw.suppressed.readValuesToList();
        assertThat(suppressed).extracting(SuppressedRecord::getReason)
                .containsExactly("CONSENT_DENIED", "CONSENT_DENIED");
        assertThat(suppressed).extracting(s -> s.getSource().getTimestamp().toEpochMilli())
                .containsExactly(T + 150, T + 100);
    }

    @Test
    void aConsentTombstoneMeansNoConsentFromItsTimeOn() {
        fw.send(consent("gina", T, grant(AD_PURPOSE)));
        fw.consent.pipeInput("gina", null, T + 100);

        fw.send(contact("gina", IdentifierType.EMAIL, "gina@example.com", T + 50));
        fw.send(contact("gina", IdentifierType.EMAIL, "gina@example.com", T + 200));

        assertThat(fw.audience.readValuesToList()).hasSize(1);
        assertThat(fw.suppressed.readValue().getReason()).isEqualTo("CONSENT_MISSING");
    }

    @Test
    void anUnreadableConsentChangeFailsClosedAndIsDeadLettered() {
        fw.send(consent("hank", T, grant(AD_PURPOSE)));
        fw.rawConsent.pipeInput("hank", new byte[] {0, 0, 0, 0, 99, 1, 2, 3}, T + 100);

        fw.send(contact("hank", IdentifierType.EMAIL, "hank@example.com", T + 50));
        fw.send(contact("hank", IdentifierType.EMAIL, "hank@example.com", T + 150));

        assertThat(fw.deadLetter.readValue().getReason()).isEqualTo("UNKNOWN_SCHEMA_ID");
        assertThat(fw.audience.readValuesToList()).hasSize(1);
        assertThat(fw.suppressed.readValue().getReason()).isEqualTo("CONSENT_MISSING");
    }

    @Test
    void aSecurityRegistrationAppliesFromItsEventTimeAndAWithdrawalEndsIt() {
        fw.send(consent("ivan", T, grant(AD_PURPOSE)));
        fw.send(registration("ivan", IdentifierType.PHONE, "+1 212 555 0199", "essential.service.security.mfa",
                RegistrationAction.REGISTERED, T + 100));
        fw.send(registration("ivan", IdentifierType.PHONE, "12125550199", "essential.service.security.mfa",
                RegistrationAction.WITHDRAWN, T + 200));

        // Processed after both events, judged at their own times:
        fw.send(contact("ivan", IdentifierType.PHONE, "+12125550199", T + 50));
        fw.send(contact("ivan", IdentifierType.PHONE, "+12125550199", T + 150));
        fw.send(contact("ivan", IdentifierType.PHONE, "+12125550199", T + 250));

        assertThat(fw.audience.readValuesToList()).extracting(a -> a.getEventTime().toEpochMilli())
                .containsExactly(T + 50, T + 250);
        assertThat(fw.quarantine.readValuesToList()).extracting(q -> q.getSource().getTimestamp().toEpochMilli())
                .containsExactly(T + 150);
    }

    @Test
    void aRegistrationThatArrivesLateStillQuarantinesLaterRecordsProcessedAfterIt() {
        fw.send(consent("jane", T, grant(AD_PURPOSE)));
        fw.send(contact("jane", IdentifierType.EMAIL, "jane@example.com", T + 300));
        // The registration happened at T+100 but reaches the firewall after the record above was decided.
        fw.send(registration("jane", IdentifierType.EMAIL, "Jane@Example.com", "essential.service.security",
                RegistrationAction.REGISTERED, T + 100));
        fw.send(contact("jane", IdentifierType.EMAIL, "jane@example.com", T + 301));

        assertThat(fw.audience.readValuesToList()).hasSize(1);
        assertThat(fw.quarantine.readValuesToList()).hasSize(1);
    }

    @Test
    void missingDeniedNotGrantedAndOptedOutConsentAreSuppressedWithTheirReasons() {
        fw.send(consent("denied", T, grant("marketing"), deny("marketing.advertising")));
        fw.send(consent("narrow", T, grant(AD_PURPOSE + ".lookalike")));
        fw.send(consent("optout", T, true, grant("marketing")));

        fw.send(contact("nobody", IdentifierType.EMAIL, "a@example.com", T + 1));
        fw.send(contact("denied", IdentifierType.EMAIL, "b@example.com", T + 1));
        fw.send(contact("narrow", IdentifierType.EMAIL, "c@example.com", T + 1));
        fw.send(contact("optout", IdentifierType.EMAIL, "d@example.com", T + 1));

        Map<String, String> reasons = fw.suppressed.readKeyValuesToList().stream()
                .collect(Collectors.toMap(kv -> kv.key, kv -> kv.value.getReason()));
        assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of(
                "nobody", "CONSENT_MISSING",
                "denied", "CONSENT_DENIED",
                "narrow", "CONSENT_NOT_GRANTED",
                "optout", "OPTED_OUT"));
        assertThat(fw.audience.isEmpty()).isTrue();
    }

    @Test
    void aForwardedRecordIsMinimizedToTheHashAndTheDecision() {
        fw.send(consent("kim", T, grant(AD_PURPOSE)));
        RecordHeaders headers = new RecordHeaders();
        headers.add("x-raw-email", "Kim@Example.com".getBytes(StandardCharsets.UTF_8));
        ContactPoint contact = contact("kim", IdentifierType.EMAIL, " Kim@Example.com", T + 1);
        fw.contactPoints.pipeInput(new TestRecord<>("kim", contact, headers, contact.getEventTime()));

        TestRecord<String, AudienceIdentifier> out = fw.audience.readRecord();
        AudienceIdentifier a = out.value();
        assertThat(a.getUserId()).isEqualTo("kim");
        assertThat(a.getIdentifierType()).isEqualTo(IdentifierType.EMAIL);
        assertThat(a.getHashAlgorithm()).isEqualTo(HashAlgorithm.SHA256);
        assertThat(a.getIdentifierHash()).isEqualTo(Sha256.hex("kim@example.com"));
        assertThat(a.getPurpose()).isEqualTo(AD_PURPOSE);
        assertThat(a.getPolicyVersion()).isEqualTo("test-policy-7");
        assertThat(a.getPolicyHash()).as("the SHA-256 of the policy file that decided")
                .isEqualTo(FirewallDriver.POLICY_HASH);
        assertThat(a.getDecisionId()).matches("[0-9a-f-]{36}");
        assertThat(AudienceIdentifier.getClassSchema().getFields()).extracting(f -> f.name())
                .containsExactly("userId", "identifierType", "identifierHash", "hashAlgorithm", "purpose", "policyVersion",
                        "decisionId", "eventTime", "policyHash", "source");
        assertThat(a.getSource().getTopic()).as("the input's coordinates, for replay and investigations")
                .isEqualTo(fw.topics.contactPoints());
        assertThat(a.getSource().getOffset()).isZero();
        assertThat(a.getSource().getTimestamp()).isEqualTo(contact.getEventTime());
        // Input headers and attributes never reach the ad side.
        assertThat(out.headers().toArray()).isEmpty();
        byte[] bytes = fw.serdes.audience().encode("any", a);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContainIgnoringCase("kim@example")
                .doesNotContain("spring-sale");
    }

    @Test
    void decisionIdsAreDeterministicPerSourceRecordAndPolicyVersion() {
        fw.send(consent("lee", T, grant(AD_PURPOSE)));
        fw.send(contact("lee", IdentifierType.EMAIL, "lee@example.com", T + 1));
        fw.send(contact("lee", IdentifierType.EMAIL, "lee@example.com", T + 2));
        List<String> ids = fw.audience.readValuesToList().stream().map(AudienceIdentifier::getDecisionId).toList();

        assertThat(ids).doesNotHaveDuplicates().hasSize(2);
        assertThat(ids.get(0)).isEqualTo(java.util.UUID.nameUUIDFromBytes(
                "user.contact-points/0/0/test-policy-7".getBytes(StandardCharsets.UTF_8)).toString());
    }

    @Test
    void badInputIsDeadLetteredWithItsReasonAndTheNextRecordIsStillDecided() {
        fw.send(consent("mia", T, grant(AD_PURPOSE)));
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        fw.rawContactPoints.pipeInput("mia", garbage, T + 1);
        fw.rawContactPoints.pipeInput("mia", new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 3}, T + 2);
        fw.rawContactPoints.pipeInput("mia", new byte[] {0, 1}, T + 3);
        fw.contactPoints.pipeInput(null, contact("mia", IdentifierType.EMAIL, "mia@example.com", T + 4), T + 4);
        fw.send(contact("", IdentifierType.EMAIL, "mia@example.com", T + 5));
        fw.contactPoints.pipeInput("someone-else", contact("mia", IdentifierType.EMAIL, "mia@example.com", T + 6),
                T + 6);
        fw.send(contact("mia", IdentifierType.EMAIL, "  ", T + 7));
        fw.send(contact("mia", IdentifierType.UNKNOWN, "fax:+14155550000", T + 8));
        fw.send(contact("mia", IdentifierType.PHONE, "call me maybe", T + 9));
        fw.send(contact("mia", IdentifierType.EMAIL, "mia@example.com", T + 10, "not a purpose!"));
        fw.rawContactPoints.pipeInput("mia", null, T + 11);
        fw.send(contact("mia", IdentifierType.EMAIL, "mia@example.com", T + 12));

        List<DeadLetterRecord> dead = fw.deadLetter.readValuesToList();
        assertThat(dead).extracting(DeadLetterRecord::getReason).containsExactly(
                "NOT_WIRE_FORMAT", "UNKNOWN_SCHEMA_ID", "NOT_WIRE_FORMAT", "MISSING_USER_ID", "MISSING_USER_ID",
                "KEY_MISMATCH", "EMPTY_IDENTIFIER", "UNKNOWN_IDENTIFIER_TYPE", "INVALID_PHONE", "INVALID_PURPOSE",
                "EMPTY_VALUE");
        assertThat(dead.get(0).getOriginalValue().array()).isEqualTo(garbage);
        assertThat(dead.get(0).getOriginalKey().array()).isEqualTo("mia".getBytes(StandardCharsets.UTF_8));
        assertThat(dead).extracting(d -> d.getSource().getOffset())
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(dead).allSatisfy(d -> {
            assertThat(d.getDetail()).doesNotContain("mia@example.com").doesNotContain("call me maybe")
                    .doesNotContain("14155550000");
            assertThat(d.getSource().getTopic()).isEqualTo("user.contact-points");
        });
        // The app kept going: the last, valid record was decided.
        assertThat(fw.audience.readValuesToList()).hasSize(1);
        assertThat(fw.quarantine.isEmpty()).isTrue();
    }

    @Test
    void badConsentAndRegistrationRecordsAreDeadLetteredToo() {
        fw.consent.pipeInput(null, consent("x", T, grant(AD_PURPOSE)), T);
        fw.registrations.pipeInput("nora", registration("nora", IdentifierType.PHONE, "not a phone",
                "essential.service.security", RegistrationAction.REGISTERED, T), T);
        fw.registrations.pipeInput("nora", null, T);

        assertThat(fw.deadLetter.readValuesToList()).extracting(d -> d.getSource().getTopic() + ":" + d.getReason())
                .containsExactly("privacy.consent:MISSING_USER_ID",
                        "privacy.purpose-registrations:INVALID_PHONE",
                        "privacy.purpose-registrations:EMPTY_VALUE");
    }

    @Test
    void outcomesAreCountedInMetrics() {
        fw.send(consent("olga", T, grant(AD_PURPOSE)));
        fw.send(contact("olga", IdentifierType.EMAIL, "olga@example.com", T + 1));
        fw.send(contact("olga", IdentifierType.EMAIL, "olga@example.com", T + 2, "essential.service.security"));
        fw.send(contact("nobody", IdentifierType.EMAIL, "x@example.com", T + 3));
        fw.rawContactPoints.pipeInput("olga", new byte[] {42}, T + 4);
        fw.rawContactPoints.pipeInput("olga", new byte[] {42}, T + 5);

        assertThat(total(MetricNames.FORWARDED)).isEqualTo(1.0);
        assertThat(total(MetricNames.QUARANTINED)).isEqualTo(1.0);
        assertThat(total(MetricNames.SUPPRESSED)).isEqualTo(1.0);
        assertThat(total(MetricNames.DEAD_LETTERED)).isEqualTo(2.0);
    }

    @Test
    void shouldBuildAnIntakeAndADecidingSubTopologyWithEveryNodeStoreAndInternalTopicNamed() {
        TopologyDescription description = FirewallTopology.build(fw.config, fw.serdes).describe();

        // Side records go through the intake to their home partition; data records are decided where they are read
        // (or re-homed through the same internal topic). Stores bind the deciding nodes into one sub-topology.
        assertThat(description.subtopologies()).hasSize(2);
        List<List<String>> subtopologies = description.subtopologies().stream()
                .map(sub -> sub.nodes().stream().map(TopologyDescription.Node::name).sorted().toList())
                .toList();
        String internal = Names.SIDE_RECORDS_TOPIC;
        assertThat(subtopologies).anySatisfy(nodes -> assertThat(nodes).containsExactlyInAnyOrder(
                Names.CONSENT_SOURCE, Names.CONSENT_INTAKE, Names.REGISTRATIONS_SOURCE, Names.REGISTRATIONS_INTAKE,
                Names.SIDE_RECORDS_MERGE, internal + "-filter", internal + "-sink"));
        assertThat(subtopologies).anySatisfy(nodes -> assertThat(nodes).containsExactlyInAnyOrder(
                Names.SIDE_RECORDS_SOURCE, Names.DISPATCHER, Names.CONTACT_POINTS_SOURCE, Names.CONSENT_UPDATER,
                Names.REGISTRATION_UPDATER, Names.DECIDER, Names.AUDIENCE_SINK, Names.QUARANTINE_SINK,
                Names.SUPPRESSED_SINK, Names.DEAD_LETTER_SINK, Names.RECALL_SINK, Names.REHOME_SINK));
        assertThat(description.toString()).doesNotContain("KSTREAM-")
                .contains(Names.CONSENT_STORE, Names.REGISTRATION_STORE, Names.EXPOSURE_STORE, Names.SET_ASIDE_STORE,
                        Names.REVOCATION_STORE, internal);
    }

    private double total(String operation) {
        double sum = 0;
        boolean found = false;
        for (Map.Entry<MetricName, ? extends Metric> e : fw.driver.metrics().entrySet()) {
            if (e.getKey().group().equals(MetricNames.GROUP)
                    && e.getKey().name().equals(MetricNames.total(operation))) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
                found = true;
            }
        }
        assertThat(found).as("metric %s in group %s", MetricNames.total(operation), MetricNames.GROUP).isTrue();
        return sum;
    }
}
