package org.purposefirewall.consent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.Outcome;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.PurposePolicy;
import org.purposefirewall.policy.Reason;
import org.purposefirewall.policy.RecordFacts;

class ConsentDecoderTest {

    private static final Purpose TARGETED = Purpose.parse("marketing.advertising.third_party.targeted");
    private static final Policy POLICY = new Policy("consent-test", TARGETED,
            List.of(Purpose.parse("essential.service.security")));
    private static final ConsentDecoder DECODER = new ConsentDecoder(TcfSettings.defaults());
    private static final long NOW = System.currentTimeMillis();

    private static ConsentSnapshot decode(String tcf, String gpp) {
        return DECODER.decode(new ConsentSignals(Map.of(), false, false, false, tcf, gpp, NOW));
    }

    private static Decision decide(ConsentSnapshot snapshot) {
        return PurposePolicy.decide(POLICY, new RecordFacts(List.of(), NOW, false), Optional.of(snapshot), List.of());
    }

    // ---- TCF ---------------------------------------------------------------------------------------------------

    @Test
    void tcfConsentToPurposes3And4GrantsTargetedAdvertising() {
        ConsentSnapshot snapshot = decode(ConsentStrings.tcf(Set.of(1, 3, 4)), null);

        assertThat(snapshot.problem()).isNull();
        assertThat(snapshot.choices()).containsEntry(TARGETED, ConsentChoice.GRANTED)
                .containsEntry(Purpose.parse("marketing.advertising.first_party.targeted"), ConsentChoice.GRANTED);
        assertThat(decide(snapshot).outcome()).isEqualTo(Outcome.FORWARD);
    }

    @Test
    void tcfWithoutPurpose4DeniesTargetedAdvertising() {
        ConsentSnapshot snapshot = decode(ConsentStrings.tcf(Set.of(1, 3)), null);

        assertThat(snapshot.choices()).containsEntry(TARGETED, ConsentChoice.DENIED);
        assertThat(decide(snapshot).reason()).isEqualTo(Reason.CONSENT_DENIED);
    }

    @Test
    void tcf23IsReadAndAnOlderPolicyVersionIsUnsupported() {
        assertThat(decode(ConsentStrings.tcf(5, Set.of(3, 4), List.of(1)), null).problem()).isNull();

        ConsentSnapshot old = decode(ConsentStrings.tcf(2, Set.of(3, 4), List.of(1)), null);

        assertThat(old.problem()).contains("TCF policy version 2").contains("4 = TCF 2.2, 5 = TCF 2.3");
        Decision decision = decide(old);
        assertThat(decision.reason()).isEqualTo(Reason.CONSENT_INVALID);
        assertThat(decision.rule()).isEqualTo("consent.invalid");
        assertThat(decision.detail()).contains("TCF policy version 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-tc-string!!", "CO", "Q", "====", "CQuRfVKQuRfVKAAAAAENAAEAAPAAAAAAAAAAF5wAgAGALzAAAAAA.!!"})
    void aMalformedTcfStringIsNoConsentWithTheReason(String malformed) {
        ConsentSnapshot snapshot = decode(malformed, null);

        assertThat(snapshot.problem()).containsIgnoringCase("malformed");
        assertThat(decide(snapshot).reason()).isEqualTo(Reason.CONSENT_INVALID);
    }

    @Test
    void anEmptyTcfStringIsNoConsent() {
        assertThat(decode("   ", null).problem()).isEqualTo("the TCF string is empty");
    }

    @Test
    void aTcfStringOlderThanTheMaximumAgeIsExpired() {
        String tcf = ConsentStrings.tcf(Set.of(3, 4));
        long twoYearsLater = NOW + Duration.ofDays(730).toMillis();

        ConsentSnapshot snapshot = DECODER.decode(new ConsentSignals(Map.of(), false, false, false, tcf, null,
                twoYearsLater));

        assertThat(snapshot.problem()).contains("more than 390 days").endsWith("expired");
        assertThat(decide(snapshot).reason()).isEqualTo(Reason.CONSENT_INVALID);
    }

    @Test
    void aRequiredVendorWithoutVendorConsentDeniesTheMappedPurposes() {
        TcfSettings settings = new TcfSettings(TcfSettings.DEFAULT_POLICY_VERSIONS, TcfSettings.DEFAULT_MAX_AGE,
                Set.of(999), TcfSettings.defaults().purposes());
        ConsentSnapshot snapshot = new ConsentDecoder(settings).decode(new ConsentSignals(Map.of(), false, false, false,
                ConsentStrings.tcf(4, Set.of(3, 4), List.of(12)), null, NOW));

        assertThat(snapshot.choices()).containsEntry(TARGETED, ConsentChoice.DENIED);
        assertThat(new ConsentDecoder(new TcfSettings(TcfSettings.DEFAULT_POLICY_VERSIONS,
                TcfSettings.DEFAULT_MAX_AGE, Set.of(12), TcfSettings.defaults().purposes()))
                .decode(new ConsentSignals(Map.of(), false, false, false,
                        ConsentStrings.tcf(4, Set.of(3, 4), List.of(12)), null, NOW)).choices())
                .containsEntry(TARGETED, ConsentChoice.GRANTED);
    }

    @Test
    void aTcfDenialBeatsANativeGrant() {
        ConsentSnapshot snapshot = DECODER.decode(new ConsentSignals(
                Map.of(Purpose.parse("marketing.advertising"), ConsentChoice.GRANTED), false, false, false,
                ConsentStrings.tcf(Set.of(3)), null, NOW));

        assertThat(decide(snapshot).reason()).isEqualTo(Reason.CONSENT_DENIED);
    }

    // ---- GPP and GPC -------------------------------------------------------------------------------------------

    @Test
    void theGppEuTcfSectionIsReadLikeATcfString() {
        assertThat(decide(decode(null, ConsentStrings.gppWithTcf(4, Set.of(3, 4)))).outcome())
                .isEqualTo(Outcome.FORWARD);
        assertThat(decide(decode(null, ConsentStrings.gppWithTcf(4, Set.of(4)))).reason())
                .isEqualTo(Reason.CONSENT_DENIED);
    }

    @Test
    void usNationalOptOutsAndGpcBeatATcfGrant() {
        String grant = ConsentStrings.tcf(Set.of(3, 4));

        ConsentSnapshot sale = decode(grant, ConsentStrings.gpp("usnat", "SaleOptOut", 1));
        ConsentSnapshot sharing = decode(grant, ConsentStrings.gpp("usnat", "SharingOptOut", 1));
        ConsentSnapshot targeted = decode(grant, ConsentStrings.gpp("usnat", "TargetedAdvertisingOptOut", 1));
        ConsentSnapshot gpc = decode(grant, ConsentStrings.gpp("usnat", "Gpc", true));
        ConsentSnapshot notOptedOut = decode(grant, ConsentStrings.gpp("usnat", "SaleOptOut", 2,
                "TargetedAdvertisingOptOut", 2));

        assertThat(sale.optedOutOfSale()).isTrue();
        assertThat(sharing.optedOutOfSale()).isTrue();
        assertThat(targeted.optedOutOfTargetedAdvertising()).isTrue();
        assertThat(gpc.globalPrivacyControl()).isTrue();
        for (ConsentSnapshot optedOut : List.of(sale, sharing, targeted, gpc)) {
            assertThat(decide(optedOut).reason()).isEqualTo(Reason.OPTED_OUT);
        }
        assertThat(decide(gpc).detail()).contains("Global Privacy Control");
        assertThat(decide(notOptedOut).outcome()).isEqualTo(Outcome.FORWARD);
    }

    @Test
    void stateSectionsAndUsPrivacyAreRead() {
        assertThat(decode(null, ConsentStrings.gpp("usca", "SaleOptOut", 1)).optedOutOfSale()).isTrue();
        assertThat(decode(null, ConsentStrings.gpp("usva", "TargetedAdvertisingOptOut", 1))
                .optedOutOfTargetedAdvertising()).isTrue();
        assertThat(decode(null, ConsentStrings.gpp("uspv1", "Notice", 'Y', "OptOutSale", 'Y', "LspaCovered", 'N'))
                .optedOutOfSale()).isTrue();
        assertThat(decode(null, ConsentStrings.gpp("uspv1", "Notice", 'Y', "OptOutSale", 'N', "LspaCovered", 'N'))
                .optedOutOfSale()).isFalse();
    }

    @Test
    void aGppStringWithNoSectionTheFirewallReadsIsUnsupported() {
        ConsentSnapshot snapshot = decode(null, ConsentStrings.gpp("tcfcav1", "CmpId", 5));

        assertThat(snapshot.problem()).contains("no section this firewall reads").contains("tcfcav1");
        assertThat(decide(snapshot).reason()).isEqualTo(Reason.CONSENT_INVALID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "DBABM~garbage", "DBABM", "~~~", "DBABLA~!!!"})
    void aMalformedGppStringIsNoConsent(String malformed) {
        ConsentSnapshot snapshot = decode(null, malformed);

        assertThat(snapshot.problem()).isNotNull();
        assertThat(decide(snapshot).reason()).isEqualTo(Reason.CONSENT_INVALID);
    }

    @Test
    void nativeGpcIsAnOptOut() {
        ConsentSnapshot snapshot = DECODER.decode(new ConsentSignals(
                Map.of(TARGETED, ConsentChoice.GRANTED), false, false, true, null, null, NOW));

        assertThat(decide(snapshot).reason()).isEqualTo(Reason.OPTED_OUT);
    }

    @Test
    void withoutStringsNativeChoicesPassThrough() {
        ConsentSnapshot snapshot = DECODER.decode(new ConsentSignals(
                Map.of(TARGETED, ConsentChoice.GRANTED), false, false, false, null, null, NOW));

        assertThat(snapshot).isEqualTo(new ConsentSnapshot(Map.of(TARGETED, ConsentChoice.GRANTED), false, false));
        assertThat(decide(snapshot).outcome()).isEqualTo(Outcome.FORWARD);
    }
}
