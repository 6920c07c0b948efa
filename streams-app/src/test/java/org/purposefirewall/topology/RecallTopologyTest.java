package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.deny;
import static org.purposefirewall.topology.FirewallDriver.grant;
import static org.purposefirewall.topology.FirewallDriver.registration;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.RecallReason;
import org.purposefirewall.schema.RegistrationAction;

/** Retroactive recall: what reached the ad side and is later revoked or registered for security is recalled once. */
class RecallTopologyTest {

    private static final long T = 1_700_000_000_000L;
    private static final String TWO_FACTOR = "essential.service.security.authentication";

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
    void aSecurityRegistrationAfterForwardingRecallsTheIdentifierOnce() {
        fw.send(consent("ana", T, grant("marketing.advertising")));
        fw.send(contact("ana", IdentifierType.PHONE, "+1 415 555 0100", T + 10));
        fw.send(contact("ana", IdentifierType.PHONE, "14155550100", T + 20));
        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 30));
        assertThat(fw.audience.readValuesToList()).hasSize(3);

        // The 2FA service registers the phone later; the registration is redelivered, then withdrawn
        fw.send(registration("ana", IdentifierType.PHONE, "(415) 555-0100 ", TWO_FACTOR,
                RegistrationAction.REGISTERED, T + 100));
        fw.send(registration("ana", IdentifierType.PHONE, "+14155550100", TWO_FACTOR,
                RegistrationAction.REGISTERED, T + 100));
        fw.send(registration("ana", IdentifierType.PHONE, "+14155550100", TWO_FACTOR,
                RegistrationAction.WITHDRAWN, T + 200));

        List<AudienceRecall> recalls = fw.recalls.readValuesToList();
        assertThat(recalls).hasSize(1);
        AudienceRecall recall = recalls.get(0);
        assertThat(recall.getReason()).isEqualTo(RecallReason.REGISTERED_FOR_RESTRICTED_PURPOSE);
        assertThat(recall.getUserId()).isEqualTo("ana");
        assertThat(recall.getIdentifierType()).isEqualTo(IdentifierType.PHONE);
        assertThat(recall.getIdentifierHash()).isEqualTo(HashForm.SHA256.hex("+14155550100"));
        assertThat(recall.getHashAlgorithm()).isEqualTo(HashAlgorithm.SHA256);
        assertThat(recall.getExposureStart()).isEqualTo(Instant.ofEpochMilli(T + 10));
        assertThat(recall.getExposureEnd()).isEqualTo(Instant.ofEpochMilli(T + 20));
        assertThat(recall.getForwardedCount()).isEqualTo(2);
        assertThat(recall.getCauseTime()).isEqualTo(Instant.ofEpochMilli(T + 100));
        assertThat(recall.getAdTopic()).isEqualTo(fw.topics.audience());
        assertThat(recall.getPolicyHash()).isEqualTo(FirewallDriver.POLICY_HASH);
        assertThat(recall.getDetail()).contains(TWO_FACTOR).doesNotContain("555");
        assertThat(recall.getSource().getTopic()).isEqualTo(fw.topics.registrations());
    }

    @Test
    void aRecallIsStampedWithItsCauseTimeAlthoughTheInternalTopicIsReadAsTimeZero() {
        // The driver runs with the service's Kafka Streams settings, so the re-homed registration is read through
        // SideRecordsFirst (time 0); what the firewall writes for it keeps the registration's event time.
        fw.send(consent("ana", T, grant("marketing.advertising")));
        fw.send(contact("ana", IdentifierType.PHONE, "+1 415 555 0100", T + 10));
        assertThat(fw.audience.readRecord().timestamp()).isEqualTo(T + 10);

        fw.send(registration("ana", IdentifierType.PHONE, "+14155550100", TWO_FACTOR,
                RegistrationAction.REGISTERED, T + 100));

        assertThat(fw.recalls.readRecord().timestamp()).isEqualTo(T + 100).isNotEqualTo(SideRecordsFirst.FIRST);
    }

    @Test
    void anIdentifierForwardedAsItsMd5IsRecalledInThatFormWhenItsRawFormIsRegistered() {
        fw.send(consent("ana", T, grant("marketing.advertising")));
        String md5 = HashForm.MD5.hex("ana.recovery@example.com");
        fw.send(contact("ana", IdentifierType.EMAIL, md5.toUpperCase(), T + 10));

        fw.send(registration("ana", IdentifierType.EMAIL, "Ana.Recovery@Example.com", TWO_FACTOR,
                RegistrationAction.REGISTERED, T + 100));

        AudienceRecall recall = fw.recalls.readValue();
        assertThat(recall.getIdentifierHash()).isEqualTo(md5);
        assertThat(recall.getHashAlgorithm()).isEqualTo(HashAlgorithm.MD5);
    }

    @Test
    void revokingConsentRecallsEveryExposureOfThatUserOnceAndNoOneElses() {
        fw.send(consent("ana", T, grant("marketing.advertising")));
        fw.send(consent("ben", T, grant("marketing.advertising")));
        fw.send(contact("ana", IdentifierType.PHONE, "+1 415 555 0100", T + 10));
        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 20));
        fw.send(contact("ben", IdentifierType.EMAIL, "ben@example.com", T + 20));

        fw.send(consent("ana", T + 100, deny("marketing.advertising")));
        fw.send(consent("ana", T + 200, deny("marketing")));

        List<AudienceRecall> recalls = fw.recalls.readValuesToList();
        assertThat(recalls).extracting(AudienceRecall::getReason).containsOnly(RecallReason.CONSENT_REVOKED);
        assertThat(recalls).extracting(AudienceRecall::getIdentifierHash).containsExactlyInAnyOrder(
                HashForm.SHA256.hex("+14155550100"), HashForm.SHA256.hex("ana@example.com"));
        assertThat(recalls).extracting(AudienceRecall::getCauseTime).containsOnly(Instant.ofEpochMilli(T + 100));
        assertThat(recalls.get(0).getSource().getTopic()).isEqualTo(fw.topics.consent());
    }

    @Test
    void eachCauseIsRecalledOnceAndAFreshExposureAfterARegrantIsRecalledAgain() {
        fw.send(consent("ana", T, grant("marketing.advertising")));
        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 10));
        fw.send(consent("ana", T + 100));   // a state that grants nothing
        fw.send(registration("ana", IdentifierType.EMAIL, "ana@example.com", TWO_FACTOR,
                RegistrationAction.REGISTERED, T + 150));
        fw.send(registration("ana", IdentifierType.EMAIL, "ana@example.com", TWO_FACTOR,
                RegistrationAction.WITHDRAWN, T + 160));
        // Consent again, forwarded again (a new exposure), then consent cleared by a tombstone
        fw.send(consent("ana", T + 300, grant("marketing.advertising")));
        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 310));
        fw.consent.pipeInput("ana", null, T + 400);

        List<AudienceRecall> recalls = fw.recalls.readValuesToList();
        assertThat(recalls).extracting(AudienceRecall::getReason).containsExactly(RecallReason.CONSENT_REVOKED,
                RecallReason.REGISTERED_FOR_RESTRICTED_PURPOSE, RecallReason.CONSENT_REVOKED);
        assertThat(recalls).extracting(r -> r.getExposureStart().toEpochMilli() - T).containsExactly(10L, 10L, 310L);
        assertThat(recalls).extracting(AudienceRecall::getRecallId).doesNotHaveDuplicates();
    }

    @Test
    void aLateRevocationAlreadySupersededRecallsWhatTheAdSideHeldWhileItApplied() {
        fw.send(consent("ana", T, grant("marketing.advertising")));
        fw.send(consent("ana", T + 200, grant("marketing.advertising")));
        fw.send(contact("ana", IdentifierType.EMAIL, "early@example.com", T + 50));
        fw.send(contact("ana", IdentifierType.EMAIL, "inside@example.com", T + 150));
        fw.send(contact("ana", IdentifierType.EMAIL, "late@example.com", T + 250));

        // A revocation effective T+100 arrives after all of that: it applied during [T+100, T+200), when the ad side
        // held what was forwarded before T+200; what was forwarded after the re-grant may stay
        fw.send(consent("ana", T + 100, deny("marketing.advertising")));

        assertThat(fw.recalls.readValuesToList()).extracting(AudienceRecall::getIdentifierHash)
                .containsExactlyInAnyOrder(HashForm.SHA256.hex("early@example.com"),
                        HashForm.SHA256.hex("inside@example.com"));
    }

    @Test
    void anOlderRecordProcessedAfterARevocationOrRegistrationIsForwardedForItsTimeAndRecalledAtOnce() {
        fw.send(consent("ana", T, grant("marketing.advertising")));
        fw.send(consent("ana", T + 100, deny("marketing.advertising")));
        fw.send(consent("ben", T, grant("marketing.advertising")));
        fw.send(registration("ben", IdentifierType.PHONE, "+1 415 555 0100", TWO_FACTOR,
                RegistrationAction.REGISTERED, T + 100));

        // Records from before those events arrive late
        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 50));
        fw.send(contact("ben", IdentifierType.PHONE, "14155550100", T + 50));
        fw.send(contact("ben", IdentifierType.EMAIL, "ben@example.com", T + 60));

        assertThat(fw.audience.readValuesToList()).hasSize(3);
        List<AudienceRecall> recalls = fw.recalls.readValuesToList();
        assertThat(recalls).extracting(AudienceRecall::getUserId, AudienceRecall::getReason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ana", RecallReason.CONSENT_REVOKED),
                org.assertj.core.groups.Tuple.tuple("ben", RecallReason.REGISTERED_FOR_RESTRICTED_PURPOSE));
        assertThat(recalls).extracting(r -> r.getCauseTime().toEpochMilli() - T).containsExactly(100L, 100L);
        assertThat(recalls).extracting(AudienceRecall::getSource).extracting(s -> s.getTopic())
                .containsOnly(fw.topics.contactPoints());
    }

    @Test
    void anOlderRecordProcessedAfterARevocationAndARegrantIsStillRecalled() {
        fw.send(consent("ana", T, grant("marketing.advertising")));
        fw.send(consent("ana", T + 100, deny("marketing.advertising")));
        fw.send(consent("ana", T + 200, grant("marketing.advertising")));
        fw.send(registration("ana", IdentifierType.EMAIL, "ana@example.com", TWO_FACTOR,
                RegistrationAction.REGISTERED, T + 300));
        fw.send(registration("ana", IdentifierType.EMAIL, "ana@example.com", TWO_FACTOR,
                RegistrationAction.WITHDRAWN, T + 400));

        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 10));
        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 500));

        assertThat(fw.audience.readValuesToList()).hasSize(2);
        // The first forward was held while consent ended (T+100) and while the address was a security one (T+300);
        // the second is a new exposure after both
        assertThat(fw.recalls.readValuesToList()).extracting(AudienceRecall::getReason,
                r -> r.getCauseTime().toEpochMilli() - T).containsExactly(
                org.assertj.core.groups.Tuple.tuple(RecallReason.CONSENT_REVOKED, 100L),
                org.assertj.core.groups.Tuple.tuple(RecallReason.REGISTERED_FOR_RESTRICTED_PURPOSE, 300L));
    }

    @Test
    void recallIdsAreDeterministic() throws Exception {
        fw.send(consent("ana", T, grant("marketing.advertising")));
        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 10));
        fw.send(consent("ana", T + 100, deny("marketing.advertising")));
        String first = fw.recalls.readValue().getRecallId();
        fw.close();

        fw = new FirewallDriver(java.nio.file.Files.createTempDirectory(stateDir, "second"));
        fw.send(consent("ana", T, grant("marketing.advertising")));
        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 10));
        fw.send(consent("ana", T + 100, deny("marketing.advertising")));

        assertThat(fw.recalls.readValue().getRecallId()).isEqualTo(first);
    }
}
