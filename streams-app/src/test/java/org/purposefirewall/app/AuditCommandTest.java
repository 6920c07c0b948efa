package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.RecallReason;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.schema.SourceCoordinates;

/** The audit's matching, without a broker: registrations by every match key, forwards against them, recalls. */
class AuditCommandTest {

    private static final Instant T = Instant.parse("2026-11-01T10:00:00Z");
    private static final String TWO_FACTOR = "essential.service.security.authentication";
    private static final Policy POLICY = new Policy("v1", new Purpose("marketing.advertising"),
            List.of(new Purpose("essential.service.security")));
    private static final String PHONE_E164 = "+14155550100";

    private final AuditCommand.Audit audit =
            new AuditCommand.Audit(POLICY, IdentifierNormalizer.of(IdentityOptions.defaults()));

    @Test
    void aForwardOfARegisteredPhoneInAnyFormOrSpellingIsAFinding() {
        audit.registered(registration("ana", "+1 (415) 555-0100", TWO_FACTOR, RegistrationAction.REGISTERED, T));

        // E.164 SHA-256, the digits without '+' in SHA-256 (Meta's spelling), and E.164 in MD5
        audit.forwarded(at(0), T, audience("ana", HashForm.SHA256.hex(PHONE_E164), HashAlgorithm.SHA256,
                T.plusSeconds(1)));
        audit.forwarded(at(1), T, audience("ana", HashForm.SHA256.hex("14155550100"), HashAlgorithm.SHA256,
                T.plusSeconds(2)));
        audit.forwarded(at(2), T, audience("ana", HashForm.MD5.hex(PHONE_E164).toUpperCase(), HashAlgorithm.MD5,
                T.plusSeconds(3)));

        List<AuditCommand.Finding> findings = audit.findings();
        assertThat(findings).hasSize(3);
        AuditCommand.Finding first = findings.get(0);
        assertThat(first.user()).isEqualTo(HashForm.SHA256.hex("ana").substring(0, 12)).hasSize(12);
        assertThat(first.type()).isEqualTo("PHONE");
        assertThat(first.digestPrefix()).isEqualTo(HashForm.SHA256.hex(PHONE_E164).substring(0, 8));
        assertThat(first.at()).isEqualTo(at(0));
        assertThat(first.purpose()).isEqualTo(TWO_FACTOR);
        assertThat(first.sourceSystem()).isEqualTo("auth-service");
        assertThat(first.recall()).isNull();
        assertThat(findings.get(2).form()).isEqualTo(HashForm.MD5);
    }

    @Test
    void noFindingForAnotherUserAnUnrestrictedPurposeOrAForwardBeforeTheRegistration() {
        audit.registered(registration("ana", PHONE_E164, TWO_FACTOR, RegistrationAction.REGISTERED, T));
        audit.registered(registration("ben", "ben@mail.example", "marketing.advertising",
                RegistrationAction.REGISTERED, T));
        audit.registered(registration("cem", "cem@mail.example", TWO_FACTOR, RegistrationAction.WITHDRAWN, T));

        audit.forwarded(at(0), T, audience("bob", HashForm.SHA256.hex(PHONE_E164), HashAlgorithm.SHA256, T));
        audit.forwarded(at(1), T, audience("ben", HashForm.SHA256.hex("ben@mail.example"), HashAlgorithm.SHA256, T));
        audit.forwarded(at(2), T, audience("cem", HashForm.SHA256.hex("cem@mail.example"), HashAlgorithm.SHA256, T));
        audit.forwarded(at(3), T, audience("ana", HashForm.SHA256.hex(PHONE_E164), HashAlgorithm.SHA256,
                T.minusMillis(1)));

        assertThat(audit.findings()).isEmpty();
    }

    @Test
    void aWithdrawnRegistrationStillCountsForAForwardAfterItWasRegistered() {
        audit.registered(registration("ana", PHONE_E164, TWO_FACTOR, RegistrationAction.REGISTERED, T));
        audit.registered(registration("ana", PHONE_E164, TWO_FACTOR, RegistrationAction.WITHDRAWN, T.plusSeconds(60)));

        audit.forwarded(at(0), T, audience("ana", HashForm.SHA256.hex(PHONE_E164), HashAlgorithm.SHA256,
                T.plusSeconds(10)));

        assertThat(audit.findings()).hasSize(1);
    }

    @Test
    void aRecallOfTheSameDigestThatCoversTheForwardMarksTheFindingRecalled() {
        String digest = HashForm.SHA256.hex(PHONE_E164);
        audit.registered(registration("ana", PHONE_E164, TWO_FACTOR, RegistrationAction.REGISTERED, T));
        audit.forwarded(at(0), T, audience("ana", digest, HashAlgorithm.SHA256, T.plusSeconds(10)));
        audit.forwarded(at(1), T, audience("ana", digest, HashAlgorithm.SHA256, T.plusSeconds(100)));
        // another user's recall of the same digest, and a recall whose exposure ended before the second forward
        AuditCommand.Coordinates recallAt = new AuditCommand.Coordinates("ads.audience-recalls", 2, 7);
        audit.recalled(new AuditCommand.Coordinates("ads.audience-recalls", 0, 3),
                recall("bob", digest, T.plusSeconds(200)));
        audit.recalled(recallAt, recall("ana", digest, T.plusSeconds(50)));

        List<AuditCommand.Finding> findings = audit.findings();
        assertThat(findings).extracting(AuditCommand.Finding::recall).containsExactly(recallAt, null);
    }

    @Test
    void theUserIdIsRedactedToAShortDigestPrefix() {
        assertThat(AuditCommand.redactUser("user-42")).hasSize(12).doesNotContain("user")
                .isEqualTo(HashForm.SHA256.hex("user-42").substring(0, 12));
    }

    private static AuditCommand.Coordinates at(long offset) {
        return new AuditCommand.Coordinates("ads.audience-identifiers", 0, offset);
    }

    private static PurposeRegistration registration(String user, String value, String purpose,
                                                    RegistrationAction action, Instant time) {
        return PurposeRegistration.newBuilder().setUserId(user)
                .setIdentifierType(value.contains("@") ? IdentifierType.EMAIL : IdentifierType.PHONE)
                .setValue(value).setPurpose(purpose).setAction(action).setSourceSystem("auth-service")
                .setEventTime(time).build();
    }

    private static AudienceIdentifier audience(String user, String digest, HashAlgorithm algorithm, Instant time) {
        return AudienceIdentifier.newBuilder().setUserId(user).setIdentifierType(IdentifierType.PHONE)
                .setIdentifierHash(digest).setHashAlgorithm(algorithm).setPurpose("marketing.advertising")
                .setPolicyVersion("v1").setDecisionId("d").setEventTime(time).build();
    }

    private static AudienceRecall recall(String user, String digest, Instant exposureEnd) {
        return AudienceRecall.newBuilder().setRecallId("r-" + user).setUserId(user)
                .setIdentifierType(IdentifierType.PHONE).setIdentifierHash(digest)
                .setHashAlgorithm(HashAlgorithm.SHA256).setReason(RecallReason.REGISTERED_FOR_RESTRICTED_PURPOSE)
                .setDetail("d").setAdTopic("ads").setExposureStart(T).setExposureEnd(exposureEnd)
                .setForwardedCount(1).setCauseTime(T).setPolicyVersion("v1")
                .setSource(new SourceCoordinates("r", 0, 1L, T)).setDecisionTime(T).build();
    }
}
