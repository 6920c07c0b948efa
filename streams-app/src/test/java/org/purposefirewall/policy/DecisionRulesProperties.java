package org.purposefirewall.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The rules beside {@link PurposePolicy#decide}: the verdict over several identifiers ({@link Verdict}), who waits
 * ({@link SetAsideRules}), when forwards are recalled ({@link RecallRules}) and which rejections revoke consent
 * ({@link Rejection}), over generated inputs.
 */
class DecisionRulesProperties {

    private static final Purpose SECURITY = Purpose.parse("essential.service.security");

    /** One identifier's decision and the digest it would be forwarded as. */
    record Identified(Decision decision, String forwardKey) {
    }

    @Property(tries = 2_000)
    void shouldQuarantineTheWholeRecordByTheFirstQuarantinedIdentifierIfAnyIs(
            @ForAll("identifiedLists") List<Identified> identified) {
        Verdict verdict = verdictOf(identified);
        int firstQuarantine = firstIndexOf(identified, Outcome.QUARANTINE);

        assertThat(verdict.outcome() == Outcome.QUARANTINE).isEqualTo(firstQuarantine >= 0);
        if (firstQuarantine >= 0) {
            assertThat(verdict.index()).isEqualTo(firstQuarantine);
            assertThat(verdict.deciding()).isSameAs(identified.get(firstQuarantine).decision());
        }
    }

    @Property(tries = 2_000)
    void shouldSuppressByTheFirstSuppressedIdentifierWhenNoneIsQuarantined(
            @ForAll("identifiedLists") List<Identified> identified) {
        Verdict verdict = verdictOf(identified);
        boolean anyQuarantine = firstIndexOf(identified, Outcome.QUARANTINE) >= 0;
        int firstSuppress = firstIndexOf(identified, Outcome.SUPPRESS);

        assertThat(verdict.outcome() == Outcome.SUPPRESS).isEqualTo(!anyQuarantine && firstSuppress >= 0);
        if (verdict.outcome() == Outcome.SUPPRESS) {
            assertThat(verdict.index()).isEqualTo(firstSuppress);
        }
    }

    @Property(tries = 2_000)
    void shouldForwardOnlyWhenEveryIdentifierIsForwardedAndThenEachDistinctDigestOnceInFieldOrder(
            @ForAll("identifiedLists") List<Identified> identified) {
        Verdict verdict = verdictOf(identified);
        boolean all = identified.stream().allMatch(i -> i.decision().outcome() == Outcome.FORWARD);

        assertThat(verdict.outcome() == Outcome.FORWARD).isEqualTo(all);
        if (!all) {
            assertThat(verdict.forwarded()).as("fail closed: nothing of a record not forwarded whole").isEmpty();
            return;
        }
        Set<String> distinct = new LinkedHashSet<>();
        List<Integer> firsts = new ArrayList<>();
        for (int i = 0; i < identified.size(); i++) {
            if (distinct.add(identified.get(i).forwardKey())) {
                firsts.add(i);
            }
        }
        assertThat(verdict.forwarded()).containsExactlyElementsOf(firsts);
    }

    @Property(tries = 1_000)
    void shouldSayWhichIdentifierDecidedTheVerdictByItsPositionAndRule(
            @ForAll("identifiedLists") List<Identified> identified) {
        Verdict verdict = verdictOf(identified);

        assertThat(verdict.detail()).contains("(" + verdict.deciding().rule() + ")");
        if (verdict.outcome() != Outcome.FORWARD) {
            assertThat(verdict.detail()).startsWith("identifier " + (verdict.index() + 1) + " is the first ");
        }
        assertThat(verdict.detail()).as("positions, never digests").doesNotContain("d1", "d2", "d3");
    }

    @Example
    void shouldRefuseAVerdictWithoutIdentifiersThatWouldForward() {
        assertThatThrownBy(() -> Verdict.withoutIdentifier(decision(Reason.CONSENT_GRANTED)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Verdict.withoutIdentifier(decision(Reason.NO_IDENTIFIER)).outcome()).isEqualTo(Outcome.SUPPRESS);
    }

    @Property(tries = 1_000)
    void shouldDecideADataRecordNowOnlyWhenDecodableSettledAndNothingWaitsBeforeIt(
            @ForAll boolean dataRecord, @ForAll boolean decodable, @ForAll boolean settled,
            @ForAll boolean sideRecordWaiting, @ForAll boolean waitingAhead) {
        SetAsideRules.Wait wait = SetAsideRules.beforeDeciding(dataRecord, decodable, settled, sideRecordWaiting,
                waitingAhead);

        if (!decodable) {
            assertThat(wait).isEqualTo(SetAsideRules.Wait.SCHEMA);
        } else if (!dataRecord) {
            assertThat(wait).as("side records apply by event time: they never wait for each other").isNull();
        } else {
            assertThat(wait == null).isEqualTo(settled && !sideRecordWaiting && !waitingAhead);
            assertThat(wait).isIn(null, SetAsideRules.Wait.SIDE_RECORDS);
        }
        assertThat(SetAsideRules.sideRecordsApplied(settled, sideRecordWaiting))
                .isEqualTo(settled && !sideRecordWaiting);
    }

    @Property(tries = 500)
    void shouldWaitForConsentOnlyForMissingConsentOnceAndOnlyWhenHolding(@ForAll Reason reason,
                                                                         @ForAll boolean holding,
                                                                         @ForAll boolean heldBefore) {
        boolean waits = SetAsideRules.waitsForConsent(decision(reason), holding, heldBefore);
        assertThat(waits).isEqualTo(holding && !heldBefore && reason == Reason.CONSENT_MISSING);
        assertThat(SetAsideRules.full(policy()).reason()).isEqualTo(Reason.SIDE_RECORDS_PENDING);
        assertThat(SetAsideRules.full(policy()).outcome()).isEqualTo(Outcome.SUPPRESS);
    }

    @Property(tries = 2_000)
    void shouldRecallOnConsentEndedWhatWasFirstForwardedBeforeTheNextPermittingState(
            @ForAll @IntRange(min = 0, max = 100) int first, @ForAll @IntRange(min = 0, max = 100) int until,
            @ForAll boolean openEnded) {
        long end = openEnded ? Long.MAX_VALUE : until;
        assertThat(RecallRules.consentEndedRecalls(first, end)).isEqualTo(openEnded || first < until);
    }

    @Property(tries = 2_000)
    void shouldRecallAtOnceAForwardOlderThanAKnownEndAndCountLateSideRecordsExactly(
            @ForAll @IntRange(min = -1, max = 100) int endedAfter, @ForAll @IntRange(min = 0, max = 100) int at,
            @ForAll @IntRange(min = 0, max = 100) int cause) {
        assertThat(RecallRules.recallsAfterForward(at, endedAfter)).isEqualTo(endedAfter >= 0 && endedAfter > at);
        assertThat(RecallRules.late(cause, at)).isEqualTo(at >= cause);
    }

    @Example
    void shouldRecallForARegistrationOnlyWhenItIsARegistrationForARestrictedPurpose() {
        Policy policy = policy();
        assertThat(RecallRules.registrationRecalls(policy, Purpose.parse("essential.service.security.authentication"),
                true)).isTrue();
        assertThat(RecallRules.registrationRecalls(policy, Purpose.parse("essential.service.security.authentication"),
                false)).as("a withdrawal recalls nothing").isFalse();
        assertThat(RecallRules.registrationRecalls(policy, Purpose.parse("marketing.advertising"), true)).isFalse();
    }

    @Property(tries = 200)
    void shouldRevokeConsentForAnUnreadableConsentRecordOnlyWhenAttributableAndNotTooOld(@ForAll Rejection rejection,
                                                                                        @ForAll boolean attributable) {
        assertThat(rejection.revokesConsent(attributable))
                .isEqualTo(attributable && rejection != Rejection.LATE_BEYOND_RETENTION);
        assertThat(Rejection.named(rejection.name())).isEqualTo(rejection);
    }

    @Example
    void shouldReadAnUnknownRejectionCodeAsAProcessingError() {
        assertThat(Rejection.named("NOT_A_CODE")).isEqualTo(Rejection.PROCESSING_ERROR);
        assertThat(Rejection.named(null)).isEqualTo(Rejection.PROCESSING_ERROR);
    }

    @Provide
    Arbitrary<List<Identified>> identifiedLists() {
        Arbitrary<Decision> decisions = Arbitraries.of(Reason.values()).map(DecisionRulesProperties::decision);
        Arbitrary<String> keys = Arbitraries.of("d1", "d2", "d3");
        return Combinators.combine(decisions, keys).as(Identified::new).list().ofMinSize(1).ofMaxSize(5);
    }

    private static Verdict verdictOf(List<Identified> identified) {
        return Verdict.of(identified.stream().map(Identified::decision).toList(),
                identified.stream().map(Identified::forwardKey).toList());
    }

    private static int firstIndexOf(List<Identified> identified, Outcome outcome) {
        for (int i = 0; i < identified.size(); i++) {
            if (identified.get(i).decision().outcome() == outcome) {
                return i;
            }
        }
        return -1;
    }

    private static Decision decision(Reason reason) {
        return new Decision(reason.outcome(), reason, "rule", "detail",
                reason.outcome() == Outcome.QUARANTINE ? SECURITY : null, null, "v1", null,
                reason == Reason.HONEYTOKEN ? "label" : null);
    }

    private static Policy policy() {
        return new Policy("v1", Purpose.parse("marketing.advertising"), List.of(SECURITY));
    }
}
