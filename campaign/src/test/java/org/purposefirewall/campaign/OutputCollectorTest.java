package org.purposefirewall.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.purposefirewall.campaign.CampaignTraffic.Outcome;
import org.purposefirewall.config.Topics;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.RecallReason;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.serde.FirewallSerdes;

/** The verdict's counters count what they claim: fed made-up ad and recall records, no broker. */
class OutputCollectorTest {

    private static final int CONTACT_POINTS = 4_000;

    private final CampaignTraffic traffic = new CampaignTraffic(11, CONTACT_POINTS);
    private final Topics topics = CampaignTopics.prefixed(Topics.defaults(), "test.");
    private final FirewallSerdes serdes = FirewallSerdes.create(MockSchemaRegistryClient.forScope("collector-test"),
            true);
    private OutputCollector collector;
    private long offset;

    @BeforeEach
    void setUp() {
        Coordinates coordinates = new Coordinates(1);
        for (int k = 0; k < CONTACT_POINTS; k++) {
            coordinates.put(0, k, k);
        }
        collector = new OutputCollector("unused:9092", topics, serdes, traffic, coordinates, 1);
    }

    @Test
    void shouldCountALeakAndAWrongOutcomeWhenAQuarantinedPhoneReachesTheAdTopic() {
        int quarantinedPhone = first(k -> k % 2 == 1 && traffic.expected(k) == Outcome.QUARANTINE);

        ad(quarantinedPhone, CampaignTraffic.sha256(CampaignTraffic.phoneE164(CampaignTraffic.userOf(quarantinedPhone))));

        OutputCollector.Verdict verdict = collector.verdict();
        assertThat(verdict.leaked()).isEqualTo(1);
        assertThat(verdict.wrong()).isEqualTo(1);
        assertThat(verdict.lost()).isEqualTo(CONTACT_POINTS - 1);
        assertThat(verdict.wrongKinds()).containsEntry("QUARANTINE->FORWARD", 1L);
        assertThat(verdict.findings()).anySatisfy(f -> assertThat(f).startsWith("wrong: contact point "
                + quarantinedPhone + " (test.user.contact-points/0@" + quarantinedPhone + ")"))
                .anySatisfy(f -> assertThat(f).startsWith("leak: security digest on test.ads.audience-identifiers/0@0"));
    }

    @Test
    void shouldExcuseALateRegisteredForwardOnlyOnceItsRecallFollowed() {
        int late = first(k -> traffic.registeredLate(k) && traffic.expected(k) == Outcome.FORWARD);
        ad(late, traffic.expectedDigest(late));
        assertThat(collector.verdict().leaked()).as("forwarded, not yet recalled").isEqualTo(1);
        assertThat(collector.verdict().wrong()).isZero();

        recall(late);

        assertThat(collector.verdict().leaked()).isZero();
    }

    @Test
    void shouldWaitForARecallOnlyOfAContactPointDecidedAsTheOracleExpects() {
        int late = first(k -> traffic.registeredLate(k) && traffic.expected(k) == Outcome.FORWARD);
        int other = first(k -> k != late && traffic.expectsRecall(k) && traffic.expected(k) == Outcome.FORWARD);
        assertThat(collector.recallsOutstanding()).as("nothing decided yet").isZero();

        // A forward as expected, not yet recalled, is outstanding; a forward of another digest (wrong) is not
        ad(late, traffic.expectedDigest(late));
        ad(other, CampaignTraffic.sha256("someone else"));
        assertThat(collector.recallsOutstanding()).isEqualTo(1);
        assertThat(collector.verdict().wrong()).isEqualTo(1);

        recall(late);

        assertThat(collector.recallsOutstanding()).isZero();
        assertThat(collector.verdict().missingRecalls()).isZero();
    }

    @Test
    void shouldCountASecondAdRecordOfOneContactPointAsADuplicate() {
        int forward = first(k -> traffic.expected(k) == Outcome.FORWARD && !traffic.expectsRecall(k));
        ad(forward, traffic.expectedDigest(forward));
        ad(forward, traffic.expectedDigest(forward));

        assertThat(collector.verdict().duplicated()).isEqualTo(1);
        assertThat(collector.verdict().wrong()).isZero();
    }

    @Test
    void shouldCountAForwardOfAnotherDigestAsWrongAndAnUnknownSourceAsUnattributed() {
        int forward = first(k -> traffic.expected(k) == Outcome.FORWARD && !traffic.expectsRecall(k));
        ad(forward, CampaignTraffic.sha256("someone else"));
        ad(CONTACT_POINTS + 5, traffic.expectedDigest(forward));

        assertThat(collector.verdict().wrong()).isEqualTo(1);
        assertThat(collector.verdict().unattributed()).isEqualTo(1);
    }

    private int first(java.util.function.IntPredicate test) {
        for (int k = 0; k < CONTACT_POINTS; k++) {
            if (test.test(k)) {
                return k;
            }
        }
        throw new AssertionError("no such contact point in the traffic");
    }

    private void ad(int k, String digest) {
        String user = traffic.userId(CampaignTraffic.userOf(Math.min(k, CONTACT_POINTS - 1)));
        AudienceIdentifier ad = AudienceIdentifier.newBuilder()
                .setUserId(user)
                .setIdentifierType(k % 2 == 0 ? IdentifierType.EMAIL : IdentifierType.PHONE)
                .setIdentifierHash(digest)
                .setHashAlgorithm(HashAlgorithm.SHA256)
                .setPurpose("marketing.advertising.third_party.targeted")
                .setPolicyVersion("test")
                .setDecisionId("d" + k)
                .setEventTime(Instant.ofEpochMilli(1_000))
                .setSource(new SourceCoordinates(topics.contactPoints(), 0, (long) k, Instant.ofEpochMilli(1_000)))
                .build();
        collector.accept(topics.audience(), 0, offset++, user.getBytes(StandardCharsets.UTF_8),
                serdes.audience().encode(topics.audience(), ad), 2_000);
    }

    private void recall(int k) {
        String user = traffic.userId(CampaignTraffic.userOf(k));
        AudienceRecall recall = AudienceRecall.newBuilder()
                .setRecallId("r" + k)
                .setUserId(user)
                .setIdentifierType(IdentifierType.PHONE)
                .setIdentifierHash(traffic.expectedDigest(k))
                .setHashAlgorithm(HashAlgorithm.SHA256)
                .setReason(RecallReason.REGISTERED_FOR_RESTRICTED_PURPOSE)
                .setDetail("test")
                .setAdTopic(topics.audience())
                .setExposureStart(Instant.ofEpochMilli(1_000))
                .setExposureEnd(Instant.ofEpochMilli(1_000))
                .setForwardedCount(1)
                .setCauseTime(Instant.ofEpochMilli(1_001))
                .setPolicyVersion("test")
                .setSource(new SourceCoordinates(topics.registrations(), 0, 0L, Instant.ofEpochMilli(1_001)))
                .setDecisionTime(Instant.ofEpochMilli(2_000))
                .build();
        collector.accept(topics.recalls(), 0, offset++, user.getBytes(StandardCharsets.UTF_8),
                serdes.recall().encode(topics.recalls(), recall), 2_100);
    }
}
