package org.purposefirewall.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@link PurposePolicy#explain} tells an assessor, in words, and that the words hold no personal data. */
class PurposePolicyExplainTest {

    private static final Purpose AD = new Purpose("marketing.advertising.third_party.targeted");
    private static final Purpose SECURITY = new Purpose("essential.service.security");
    private static final Policy POLICY = new Policy("2026-12-01.1", AD, List.of(SECURITY));

    /** What the topology knows of the record and never hands the policy: no detail may repeat it. */
    private static final String USER_ID = "user-4711";
    private static final String IDENTIFIER = "alice@example.com";

    @Test
    void shouldShowEveryRuleWithTheRegistrationThatDecidedAndWhatWouldAlsoHaveApplied() {
        // Given an identifier registered for account recovery by auth-service, and a grant on the ad purpose
        ActiveRegistration recovery = new ActiveRegistration(
                new Purpose("essential.service.security.account_recovery"), "auth-service", 0L);
        Optional<ConsentSnapshot> consent = Optional.of(new ConsentSnapshot(Map.of(AD, ConsentChoice.GRANTED),
                false, false));

        // When the policy explains its decision
        Explanation explanation = PurposePolicy.explain(POLICY, new RecordFacts(List.of(), 1_000L, false), consent,
                List.of(recovery));

        // Then the registration rule decided, the rules before it say why not, and the grant after it still shows
        assertThat(explanation.index()).isEqualTo(2);
        assertThat(explanation.decision().reason()).isEqualTo(Reason.REGISTERED_FOR_RESTRICTED_PURPOSE);
        assertThat(explanation.checks()).extracting(Explanation.RuleCheck::rule, Explanation.RuleCheck::matched,
                Explanation.RuleCheck::detail).containsExactly(
                tuple("honeytoken", false, "no field of the record holds a honeytoken"),
                tuple("restricted.declared", false, "the producer declared no purpose"),
                tuple("restricted.registered", true, "the identifier was collected for "
                        + "essential.service.security.account_recovery by auth-service, which is restricted under "
                        + "essential.service.security"),
                tuple("restricted.tripwire", false,
                        "no other field holds an identifier of this user registered for a restricted purpose"),
                tuple("purpose.unknown", false, "the producer declared no purpose"),
                tuple("identifier.limit-ad-tracking", false,
                        "the identifier is not the all-zero mobile advertising id"),
                tuple("consent.missing", false, "a consent state is in force at the record's event time"),
                tuple("consent.invalid", false, "the consent state's signals can be trusted"),
                tuple("consent.opt-out", false,
                        "no opt-out is set (targeted advertising, sale or sharing, Global Privacy Control)"),
                tuple("consent.denied", false, "no denial overlaps " + AD),
                tuple("consent.not-granted", false, "the grant on " + AD + " covers " + AD),
                tuple("consent.granted", true, "consent covers " + AD));
        assertThat(explanation.reached(2)).isTrue();
        assertThat(explanation.reached(11)).as("the grant matched but first match stopped before it").isFalse();
        assertNoPersonalData(explanation);
    }

    @Test
    void shouldNameTheDeclaredPurposesThatAreNotRestricted() {
        // Given a record declared for analytics, no consent state
        RecordFacts facts = new RecordFacts(List.of(new Purpose("analytics.reporting")), 1_000L, false);

        // When the policy explains
        Explanation explanation = PurposePolicy.explain(POLICY, facts, Optional.empty(), List.of());

        // Then the missing consent decided, and the consent rules after it say there was no state to read
        assertThat(explanation.deciding().rule()).isEqualTo("consent.missing");
        assertThat(explanation.checks().get(1).detail())
                .isEqualTo("no declared purpose is restricted (declared: analytics.reporting)");
        assertThat(explanation.checks().get(2).detail())
                .isEqualTo("the identifier has no registration in force at the record's event time");
        assertThat(explanation.checks().subList(7, 12)).allSatisfy(check -> {
            assertThat(check.matched()).isFalse();
            assertThat(check.detail()).isEqualTo("no consent state at the record's event time");
        });
        assertNoPersonalData(explanation);
    }

    @Test
    void shouldShowADenialDecidingAheadOfAnUnknownGrantThatCountsForNothing() {
        // Given a denial of all advertising and a grant on a purpose outside the taxonomy, above the ad purpose
        Policy narrow = new Policy("v", AD, List.of(SECURITY), new Taxonomy(List.of(
                new Purpose("marketing.advertising"), new Purpose("essential"))));
        Optional<ConsentSnapshot> consent = Optional.of(new ConsentSnapshot(Map.of(
                new Purpose("marketing.advertising"), ConsentChoice.DENIED,
                new Purpose("marketing"), ConsentChoice.GRANTED), false, false));

        // When the policy explains
        Explanation explanation = PurposePolicy.explain(narrow, new RecordFacts(List.of(), 1_000L, false), consent,
                List.of(new ActiveRegistration(new Purpose("marketing.email"), "crm", 0L)));

        // Then the denial decided; the grant, outside the taxonomy, is named as counting for nothing
        assertThat(explanation.deciding().rule()).isEqualTo("consent.denied");
        assertThat(explanation.deciding().detail())
                .isEqualTo("the user denied marketing.advertising, which overlaps " + AD);
        assertThat(explanation.checks().get(2).detail()).isEqualTo("no registration of the identifier is for a "
                + "restricted purpose (registered for: marketing.email by crm)");
        assertThat(explanation.checks().get(10)).isEqualTo(new Explanation.RuleCheck("consent.not-granted", true,
                "no grant covers " + AD + " (the grant on marketing counts for nothing: it is not in the policy's "
                        + "taxonomy)"));
        assertThat(explanation.checks().get(11)).isEqualTo(new Explanation.RuleCheck("consent.granted", false,
                "no grant covers " + AD));
        assertNoPersonalData(explanation);
    }

    @Test
    void shouldExplainARecordWithoutAnIdentifierByItsHoneytokenAndStillShowTheLastRule() {
        // Given a record without an identifier to forward whose backup e-mail field holds a honeytoken
        RecordFacts facts = new RecordFacts(List.of(), 1_000L, false,
                List.of(new FieldMatch("profile.backupEmail", List.of(), "canary-mail-3")));

        // When the policy explains
        Explanation explanation = PurposePolicy.explainWithoutIdentifier(POLICY, facts);

        // Then the honeytoken decided, naming the field and the label, not the value
        assertThat(explanation.checks()).extracting(Explanation.RuleCheck::rule, Explanation.RuleCheck::matched)
                .containsExactly(tuple("honeytoken", true), tuple("restricted.tripwire", false),
                        tuple("identifier.none", true));
        assertThat(explanation.deciding().detail()).isEqualTo("field profile.backupEmail holds honeytoken "
                + "'canary-mail-3': security data is flowing toward the ad side");
        assertThat(explanation.decision()).isEqualTo(PurposePolicy.decideWithoutIdentifier(POLICY, facts));
        assertNoPersonalData(explanation);
    }

    @Test
    void shouldSayWhichIdentifiersDecisionWonTheVerdictAndWhy() {
        // Given a record with three identifiers: forwarded, suppressed, quarantined
        Optional<ConsentSnapshot> granted = Optional.of(new ConsentSnapshot(Map.of(AD, ConsentChoice.GRANTED),
                false, false));
        RecordFacts facts = new RecordFacts(List.of(), 1_000L, false);
        List<Decision> decisions = List.of(
                PurposePolicy.decide(POLICY, facts, granted, List.of()),
                PurposePolicy.decide(POLICY, facts, Optional.empty(), List.of()),
                PurposePolicy.decide(POLICY, facts, granted, List.of(new ActiveRegistration(SECURITY, "auth", 0L))));

        // When they are combined
        Verdict verdict = Verdict.of(decisions, List.of("d1", "d2", "d3"));

        // Then the third identifier's quarantine won, and the verdict says so without naming the identifier
        assertThat(verdict.index()).isEqualTo(2);
        assertThat(verdict.detail()).isEqualTo("identifier 3 is the first quarantined (restricted.registered): any "
                + "identifier quarantined quarantines the whole record");
        assertThat(Verdict.of(decisions.subList(0, 2), List.of("d1", "d2")).detail()).isEqualTo("identifier 2 is the "
                + "first suppressed (consent.missing) and none is quarantined: one identifier not forwarded keeps the "
                + "whole record from the ad side");
        assertThat(Verdict.of(List.of(decisions.get(0), decisions.get(0)), List.of("d1", "d1")).detail())
                .isEqualTo("every identifier is forwarded (consent.granted); 1 distinct identifier, forwarded once");
        assertThat(Verdict.withoutIdentifier(PurposePolicy.decideWithoutIdentifier(POLICY, facts)).detail())
                .isEqualTo("the record holds no identifier: its one decision (identifier.none) is the verdict");
    }

    private static void assertNoPersonalData(Explanation explanation) {
        assertThat(explanation.checks()).allSatisfy(check -> assertThat(check.detail())
                .doesNotContain(USER_ID, IDENTIFIER, "@"));
    }
}
