package org.purposefirewall.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PurposePolicyTest {

    private static final String VERSION = "2026-11-25.1";
    private static final Purpose AD = new Purpose("marketing.advertising.third_party.targeted");
    private static final Purpose SECURITY = new Purpose("essential.service.security");
    private static final Purpose FRAUD = new Purpose("essential.fraud_detection");
    private static final Policy POLICY = new Policy(VERSION, AD, List.of(SECURITY, FRAUD));

    private static final RecordFacts NOTHING_DECLARED = new RecordFacts(List.of(), 1_000L, false);
    private static final RecordFacts LIMIT_AD_TRACKING = new RecordFacts(List.of(), 1_000L, true);
    private static final List<ActiveRegistration> NO_REGISTRATIONS = List.of();

    // ---- restricted purposes: quarantine whatever the consent -------------------------------------------------

    @Test
    void aDeclaredRestrictedPurposeIsQuarantinedEvenWithAGrant() {
        // Given a record declared for a purpose below essential.service.security, and a grant on the ad purpose
        RecordFacts facts = declared("essential.service.security.authentication");
        Optional<ConsentSnapshot> consent = consent(Map.of(AD, ConsentChoice.GRANTED));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, facts, consent, NO_REGISTRATIONS);

        // Then the record is quarantined for the declaration, naming the restricted purpose
        assertThat(decision.outcome()).isEqualTo(Outcome.QUARANTINE);
        assertThat(decision.reason()).isEqualTo(Reason.DECLARED_RESTRICTED_PURPOSE);
        assertThat(decision.rule()).isEqualTo("restricted.declared");
        assertThat(decision.matchedPurpose()).isEqualTo(SECURITY);
        assertThat(decision.matchedRegistration()).isNull();
        assertThat(decision.policyVersion()).isEqualTo(VERSION);
    }

    @Test
    void theRestrictedPurposeThatMatchedIsTheOneNamed() {
        // Given a record declared for the second of two restricted purposes
        RecordFacts facts = declared("marketing.advertising", "essential.fraud_detection.chargebacks");

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, facts, Optional.empty(), NO_REGISTRATIONS);

        // Then the decision names that restricted purpose, not the first in the policy
        assertThat(decision.reason()).isEqualTo(Reason.DECLARED_RESTRICTED_PURPOSE);
        assertThat(decision.matchedPurpose()).isEqualTo(FRAUD);
    }

    @Test
    void aDeclarationWinsOverARegistrationWhenBothAreRestricted() {
        // Given a restricted declaration and a restricted registration
        RecordFacts facts = declared("essential.service.security");
        List<ActiveRegistration> registrations = List.of(registration("essential.fraud_detection"));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, facts, Optional.empty(), registrations);

        // Then the first rule, the declaration, decides
        assertThat(decision.reason()).isEqualTo(Reason.DECLARED_RESTRICTED_PURPOSE);
        assertThat(decision.matchedPurpose()).isEqualTo(SECURITY);
        assertThat(decision.matchedRegistration()).isNull();
    }

    @Test
    void anIdentifierRegisteredUnderARestrictedPurposeIsQuarantinedEvenWithAGrant() {
        // Given an identifier collected for authentication, which is below essential.service.security,
        // and a grant on all of marketing
        ActiveRegistration authentication = registration("essential.service.security.authentication");
        Optional<ConsentSnapshot> consent = consent(Map.of(new Purpose("marketing"), ConsentChoice.GRANTED));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED, consent,
                List.of(registration("marketing.newsletter"), authentication));

        // Then the record is quarantined for that registration
        assertThat(decision.outcome()).isEqualTo(Outcome.QUARANTINE);
        assertThat(decision.reason()).isEqualTo(Reason.REGISTERED_FOR_RESTRICTED_PURPOSE);
        assertThat(decision.rule()).isEqualTo("restricted.registered");
        assertThat(decision.matchedRegistration()).isEqualTo(authentication);
        assertThat(decision.matchedPurpose()).isEqualTo(SECURITY);
        assertThat(decision.policyVersion()).isEqualTo(VERSION);
    }

    @Test
    void aRestrictedRegistrationIsQuarantinedEvenWithoutConsent() {
        // Given a restricted registration and no consent state at all
        ActiveRegistration login = registration("essential.service.security");

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED, Optional.empty(), List.of(login));

        // Then the registration rule comes before the consent rules
        assertThat(decision.reason()).isEqualTo(Reason.REGISTERED_FOR_RESTRICTED_PURPOSE);
        assertThat(decision.matchedRegistration()).isEqualTo(login);
    }

    @Test
    void aRegistrationForAPurposeThatIsNotRestrictedDoesNotQuarantine() {
        // Given an identifier collected for a non-restricted purpose, and a grant on the ad purpose
        List<ActiveRegistration> registrations = List.of(registration("essential.service.operations"),
                registration("marketing.advertising.third_party.targeted"));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED,
                consent(Map.of(AD, ConsentChoice.GRANTED)), registrations);

        // Then consent decides, and it forwards
        assertThat(decision.outcome()).isEqualTo(Outcome.FORWARD);
        assertThat(decision.reason()).isEqualTo(Reason.CONSENT_GRANTED);
        assertThat(decision.matchedRegistration()).isNull();
    }

    @Test
    void restrictionMatchesWholeSegmentsNotTextualPrefixes() {
        // Given a declaration and a registration for essential.service.securityx, which merely starts with the
        // text of essential.service.security, and a grant on the ad purpose
        RecordFacts facts = declared("essential.service.securityx");
        List<ActiveRegistration> registrations = List.of(registration("essential.service.securityx.login"));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, facts, consent(Map.of(AD, ConsentChoice.GRANTED)),
                registrations);

        // Then nothing is restricted and the grant forwards
        assertThat(decision.outcome()).isEqualTo(Outcome.FORWARD);
        assertThat(decision.matchedPurpose()).isNull();
    }

    @Test
    void aDeclaredAncestorOfARestrictedPurposeIsNotItselfRestricted() {
        // Given a declaration of essential.service, which is above (not within) essential.service.security
        RecordFacts facts = declared("essential.service");

        // When the policy decides with a grant on the ad purpose
        Decision decision = PurposePolicy.decide(POLICY, facts, consent(Map.of(AD, ConsentChoice.GRANTED)),
                NO_REGISTRATIONS);

        // Then it is not quarantined
        assertThat(decision.outcome()).isEqualTo(Outcome.FORWARD);
    }

    // ---- consent ---------------------------------------------------------------------------------------------

    @Test
    void aRecordWithoutConsentStateIsSuppressed() {
        // Given no consent state for the user
        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED, Optional.empty(), NO_REGISTRATIONS);

        // Then the record is suppressed for missing consent
        assertThat(decision.outcome()).isEqualTo(Outcome.SUPPRESS);
        assertThat(decision.reason()).isEqualTo(Reason.CONSENT_MISSING);
        assertThat(decision.rule()).isEqualTo("consent.missing");
        assertThat(decision.matchedPurpose()).isNull();
        assertThat(decision.policyVersion()).isEqualTo(VERSION);
    }

    @ParameterizedTest(name = "targeted advertising opt-out={0}, sale opt-out={1}")
    @CsvSource({"true, false", "false, true", "true, true"})
    void eitherOptOutSuppressesEvenWithAGrant(boolean targetedAdvertising, boolean sale) {
        // Given a grant on the ad purpose and an opt-out
        Optional<ConsentSnapshot> consent = Optional.of(
                new ConsentSnapshot(Map.of(AD, ConsentChoice.GRANTED), targetedAdvertising, sale));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED, consent, NO_REGISTRATIONS);

        // Then the opt-out beats the grant
        assertThat(decision.outcome()).isEqualTo(Outcome.SUPPRESS);
        assertThat(decision.reason()).isEqualTo(Reason.OPTED_OUT);
        assertThat(decision.rule()).isEqualTo("consent.opt-out");
    }

    @Test
    void anOptOutComesBeforeADenial() {
        // Given both an opt-out of sale and a denial of the ad purpose
        Optional<ConsentSnapshot> consent = Optional.of(
                new ConsentSnapshot(Map.of(AD, ConsentChoice.DENIED), false, true));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED, consent, NO_REGISTRATIONS);

        // Then the opt-out rule, which comes first, decides
        assertThat(decision.reason()).isEqualTo(Reason.OPTED_OUT);
    }

    @ParameterizedTest(name = "denied {0}")
    @ValueSource(strings = {
        "marketing.advertising.third_party.targeted",
        "marketing",
        "marketing.advertising",
        "marketing.advertising.third_party.targeted.email",
    })
    void aDenialOnTheAdPurposeAboveOrBelowItSuppressesEvenWithAGrantAbove(String denied) {
        // Given a grant on marketing.advertising and a denial on, above or below the ad purpose
        Map<Purpose, ConsentChoice> choices = new LinkedHashMap<>();
        choices.put(new Purpose("marketing.advertising.third_party"), ConsentChoice.GRANTED);
        choices.put(new Purpose(denied), ConsentChoice.DENIED);

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED, consent(choices), NO_REGISTRATIONS);

        // Then the denial wins
        assertThat(decision.outcome()).isEqualTo(Outcome.SUPPRESS);
        assertThat(decision.reason()).isEqualTo(Reason.CONSENT_DENIED);
        assertThat(decision.rule()).isEqualTo("consent.denied");
    }

    @Test
    void aDenialOfAnUnrelatedPurposeDoesNotBlockAGrant() {
        // Given a grant on marketing and denials of siblings of the ad purpose and a textual near-miss
        Map<Purpose, ConsentChoice> choices = Map.of(
                new Purpose("marketing"), ConsentChoice.GRANTED,
                new Purpose("marketing.advertising.first_party"), ConsentChoice.DENIED,
                new Purpose("marketing.advertising.third_party.targetedx"), ConsentChoice.DENIED,
                new Purpose("analytics"), ConsentChoice.DENIED);

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED, consent(choices), NO_REGISTRATIONS);

        // Then the record is forwarded
        assertThat(decision.outcome()).isEqualTo(Outcome.FORWARD);
        assertThat(decision.reason()).isEqualTo(Reason.CONSENT_GRANTED);
    }

    @ParameterizedTest(name = "granted only {0}")
    @ValueSource(strings = {
        "marketing.advertising.third_party.targeted.email",
        "marketing.advertising.first_party",
        "marketing.advertising.third_party.targetedx",
        "marketingx",
        "analytics",
    })
    void aGrantOnlyBelowTheAdPurposeOrElsewhereIsNotAGrant(String granted) {
        // Given a grant on a descendant of the ad purpose, a sibling, or an unrelated purpose
        Optional<ConsentSnapshot> consent = consent(Map.of(new Purpose(granted), ConsentChoice.GRANTED));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED, consent, NO_REGISTRATIONS);

        // Then the record is suppressed because nothing grants the ad purpose
        assertThat(decision.outcome()).isEqualTo(Outcome.SUPPRESS);
        assertThat(decision.reason()).isEqualTo(Reason.CONSENT_NOT_GRANTED);
        assertThat(decision.rule()).isEqualTo("consent.not-granted");
    }

    @Test
    void consentWithNoChoicesIsNotAGrant() {
        // Given consent state with no choices and no opt-outs
        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED, consent(Map.of()), NO_REGISTRATIONS);

        // Then it suppresses
        assertThat(decision.reason()).isEqualTo(Reason.CONSENT_NOT_GRANTED);
    }

    @ParameterizedTest(name = "granted {0}")
    @ValueSource(strings = {
        "marketing.advertising.third_party.targeted",
        "marketing.advertising.third_party",
        "marketing.advertising",
        "marketing",
    })
    void aGrantOnTheAdPurposeOrAboveItForwards(String granted) {
        // Given a grant on the ad purpose or one of its ancestors
        Optional<ConsentSnapshot> consent = consent(Map.of(new Purpose(granted), ConsentChoice.GRANTED));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED, consent, NO_REGISTRATIONS);

        // Then the record is forwarded
        assertThat(decision.outcome()).isEqualTo(Outcome.FORWARD);
        assertThat(decision.reason()).isEqualTo(Reason.CONSENT_GRANTED);
        assertThat(decision.rule()).isEqualTo("consent.granted");
        assertThat(decision.matchedPurpose()).isNull();
        assertThat(decision.matchedRegistration()).isNull();
    }

    @Test
    void everyDecisionCarriesThePolicyVersion() {
        // Given a policy with a distinctive version, and one input for each rule
        Policy policy = new Policy("v-42-test", AD, List.of(SECURITY));
        Optional<ConsentSnapshot> granted = consent(Map.of(AD, ConsentChoice.GRANTED));
        List<Decision> decisions = new ArrayList<>();

        // When the policy decides each
        decisions.add(PurposePolicy.decide(policy, declared("essential.service.security"), granted,
                NO_REGISTRATIONS));
        decisions.add(PurposePolicy.decide(policy, NOTHING_DECLARED, granted,
                List.of(registration("essential.service.security"))));
        decisions.add(PurposePolicy.decide(policy, NOTHING_DECLARED, Optional.empty(), NO_REGISTRATIONS));
        decisions.add(PurposePolicy.decide(policy, NOTHING_DECLARED,
                Optional.of(new ConsentSnapshot(Map.of(AD, ConsentChoice.GRANTED), true, false)), NO_REGISTRATIONS));
        decisions.add(PurposePolicy.decide(policy, NOTHING_DECLARED, consent(Map.of(AD, ConsentChoice.DENIED)),
                NO_REGISTRATIONS));
        decisions.add(PurposePolicy.decide(policy, NOTHING_DECLARED, consent(Map.of()), NO_REGISTRATIONS));
        decisions.add(PurposePolicy.decide(policy, NOTHING_DECLARED, granted, NO_REGISTRATIONS));
        decisions.add(PurposePolicy.decide(policy, LIMIT_AD_TRACKING, granted, NO_REGISTRATIONS));
        decisions.add(PurposePolicy.decide(policy, withMatches(new FieldMatch("notes", List.of(), "canary-1")),
                granted, NO_REGISTRATIONS));
        decisions.add(PurposePolicy.decide(policy, withMatches(new FieldMatch("profile.backupEmail",
                List.of(registration("essential.service.security.recovery")), null)), granted, NO_REGISTRATIONS));
        decisions.add(PurposePolicy.decideWithoutIdentifier(policy, NOTHING_DECLARED));
        decisions.add(PurposePolicy.decide(policy, declared("foo.bar_baz"), granted, NO_REGISTRATIONS));
        decisions.add(PurposePolicy.decide(policy, NOTHING_DECLARED, Optional.of(new ConsentSnapshot(
                Map.of(AD, ConsentChoice.GRANTED), false, false, false, "the TCF string is malformed")),
                NO_REGISTRATIONS));
        decisions.add(PurposePolicy.sideRecordsPending(policy));

        // Then every reason is reached, and each decision carries the version
        Set<Reason> reasons = EnumSet.noneOf(Reason.class);
        decisions.forEach(d -> reasons.add(d.reason()));
        assertThat(reasons).containsExactlyInAnyOrder(Reason.values());
        assertThat(decisions).allSatisfy(d -> assertThat(d.policyVersion()).isEqualTo("v-42-test"));
    }

    // ---- tripwire and honeytokens ------------------------------------------------------------------------------

    @Test
    void aSecurityIdentifierInAnotherFieldQuarantinesTheRecordWithTheFieldPath() {
        // Given a granted user whose record carries, in a nested field, an identifier registered for account recovery
        RecordFacts facts = withMatches(new FieldMatch("profile.contacts[1].value",
                List.of(registration("essential.service.security.recovery")), null));

        // When the policy decides the record's own (unregistered) identifier
        Decision decision = PurposePolicy.decide(POLICY, facts, consent(Map.of(AD, ConsentChoice.GRANTED)),
                NO_REGISTRATIONS);

        // Then the record is quarantined by the tripwire rule, naming the field but not the identifier
        assertThat(decision.outcome()).isEqualTo(Outcome.QUARANTINE);
        assertThat(decision.reason()).isEqualTo(Reason.RESTRICTED_IDENTIFIER_IN_FIELD);
        assertThat(decision.rule()).isEqualTo("restricted.tripwire");
        assertThat(decision.fieldPath()).isEqualTo("profile.contacts[1].value");
        assertThat(decision.detail()).contains("profile.contacts[1].value");
        assertThat(decision.matchedPurpose()).isEqualTo(SECURITY);
        assertThat(decision.honeytoken()).isNull();
    }

    @Test
    void aFieldIdentifierRegisteredForAnUnrestrictedPurposeChangesNothing() {
        RecordFacts facts = withMatches(new FieldMatch("notes", List.of(registration("marketing.email")), null));

        Decision decision = PurposePolicy.decide(POLICY, facts, consent(Map.of(AD, ConsentChoice.GRANTED)),
                NO_REGISTRATIONS);

        assertThat(decision.outcome()).isEqualTo(Outcome.FORWARD);
    }

    @Test
    void aHoneytokenWinsOverEveryOtherRuleAndCarriesItsLabel() {
        // Given a record that declares a security purpose, is registered, and holds a honeytoken in a field
        RecordFacts facts = new RecordFacts(List.of(SECURITY), 1_000L, true, List.of(
                new FieldMatch("a", List.of(registration("essential.service.security")), null),
                new FieldMatch("b.c", List.of(), "canary-phone-7")));

        Decision decision = PurposePolicy.decide(POLICY, facts, Optional.empty(),
                List.of(registration("essential.service.security")));

        assertThat(decision.reason()).isEqualTo(Reason.HONEYTOKEN);
        assertThat(decision.rule()).isEqualTo("honeytoken");
        assertThat(decision.honeytoken()).isEqualTo("canary-phone-7");
        assertThat(decision.fieldPath()).isEqualTo("b.c");
        assertThat(decision.outcome()).isEqualTo(Outcome.QUARANTINE);
    }

    @Test
    void aRecordWithoutIdentifiersIsSuppressedUnlessTheTripwireFires() {
        assertThat(PurposePolicy.decideWithoutIdentifier(POLICY, NOTHING_DECLARED).reason())
                .isEqualTo(Reason.NO_IDENTIFIER);
        assertThat(PurposePolicy.decideWithoutIdentifier(POLICY, withMatches(new FieldMatch("x",
                List.of(registration("essential.service.security.authentication")), null))).reason())
                .isEqualTo(Reason.RESTRICTED_IDENTIFIER_IN_FIELD);
        assertThat(PurposePolicy.decideWithoutIdentifier(POLICY, withMatches(new FieldMatch("x", List.of(), "t")))
                .reason()).isEqualTo(Reason.HONEYTOKEN);
    }

    @Test
    void aHoneytokenLabelOnlyComesWithTheHoneytokenReason() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Decision(Outcome.QUARANTINE,
                        Reason.REGISTERED_FOR_RESTRICTED_PURPOSE, "r", "d", SECURITY, null, "v", "p", "label"))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Decision(Outcome.QUARANTINE,
                        Reason.HONEYTOKEN, "r", "d", SECURITY, null, "v", "p", null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static RecordFacts withMatches(FieldMatch... matches) {
        return new RecordFacts(List.of(), 1_000L, false, List.of(matches));
    }

    // ---- limit ad tracking: the all-zero mobile advertising id -----------------------------------------------

    @Test
    void aLimitAdTrackingIdIsSuppressedEvenWithAGrant() {
        // Given the all-zero advertising id and a grant on the ad purpose
        Optional<ConsentSnapshot> consent = consent(Map.of(AD, ConsentChoice.GRANTED));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, LIMIT_AD_TRACKING, consent, NO_REGISTRATIONS);

        // Then the record is suppressed for limit ad tracking
        assertThat(decision.outcome()).isEqualTo(Outcome.SUPPRESS);
        assertThat(decision.reason()).isEqualTo(Reason.LIMIT_AD_TRACKING);
        assertThat(decision.rule()).isEqualTo("identifier.limit-ad-tracking");
        assertThat(decision.matchedPurpose()).isNull();
        assertThat(decision.matchedRegistration()).isNull();
        assertThat(decision.policyVersion()).isEqualTo(VERSION);
    }

    @Test
    void aLimitAdTrackingIdWithoutConsentIsSuppressedForLimitAdTracking() {
        // Given the all-zero advertising id and no consent state
        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, LIMIT_AD_TRACKING, Optional.empty(), NO_REGISTRATIONS);

        // Then limit ad tracking decides before the consent rules
        assertThat(decision.reason()).isEqualTo(Reason.LIMIT_AD_TRACKING);
    }

    @Test
    void aLimitAdTrackingIdDeclaredForSecurityIsStillQuarantined() {
        // Given the all-zero advertising id declared for a security purpose, and a grant
        RecordFacts facts = new RecordFacts(List.of(new Purpose("essential.service.security.authentication")),
                1_000L, true);
        Optional<ConsentSnapshot> consent = consent(Map.of(AD, ConsentChoice.GRANTED));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, facts, consent, NO_REGISTRATIONS);

        // Then the restricted-purpose rule wins: the record is quarantined
        assertThat(decision.outcome()).isEqualTo(Outcome.QUARANTINE);
        assertThat(decision.reason()).isEqualTo(Reason.DECLARED_RESTRICTED_PURPOSE);
        assertThat(decision.matchedPurpose()).isEqualTo(SECURITY);
    }

    @Test
    void aLimitAdTrackingIdRegisteredForSecurityIsStillQuarantined() {
        // Given the all-zero advertising id registered for a security purpose, and a grant
        List<ActiveRegistration> registrations = List.of(registration("essential.service.security"));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, LIMIT_AD_TRACKING,
                consent(Map.of(AD, ConsentChoice.GRANTED)), registrations);

        // Then the record is quarantined for the registration
        assertThat(decision.outcome()).isEqualTo(Outcome.QUARANTINE);
        assertThat(decision.reason()).isEqualTo(Reason.REGISTERED_FOR_RESTRICTED_PURPOSE);
    }

    // ---- purposes outside the taxonomy: never forwarded ----------------------------------------------------------

    /** A policy that knows only advertising and security, so that purposes above them are unknown too. */
    private static final Policy NARROW = new Policy(VERSION, AD, List.of(SECURITY),
            new Taxonomy(List.of(new Purpose("marketing.advertising"), new Purpose("essential.service"))));

    @ParameterizedTest(name = "declared {0}")
    @ValueSource(strings = {"foo.bar_baz", "marketingx", "security.mfa"})
    void aDeclaredPurposeOutsideTheTaxonomyIsSuppressedEvenWithAGrant(String unknown) {
        // Given a well-formed declared purpose the default taxonomy does not know, next to a known one, and a grant
        RecordFacts facts = declared("marketing.advertising.first_party", unknown);
        Optional<ConsentSnapshot> consent = consent(Map.of(AD, ConsentChoice.GRANTED));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, facts, consent, NO_REGISTRATIONS);

        // Then the record is suppressed as unknown, and the detail names the purpose
        assertThat(decision.outcome()).isEqualTo(Outcome.SUPPRESS);
        assertThat(decision.reason()).isEqualTo(Reason.PURPOSE_UNKNOWN);
        assertThat(decision.rule()).isEqualTo("purpose.unknown");
        assertThat(decision.detail()).contains("declared purpose " + unknown).contains("known-purposes");
        assertThat(decision.matchedPurpose()).isNull();
    }

    @Test
    void aPurposeAboveATaxonomyRootIsUnknown() {
        // Given a policy whose taxonomy starts at marketing.advertising, and a record declaring marketing
        RecordFacts facts = declared("marketing");

        // When the policy decides
        Decision decision = PurposePolicy.decide(NARROW, facts, consent(Map.of(AD, ConsentChoice.GRANTED)),
                NO_REGISTRATIONS);

        // Then marketing is unknown there
        assertThat(decision.reason()).isEqualTo(Reason.PURPOSE_UNKNOWN);
        assertThat(PurposePolicy.decide(POLICY, facts, consent(Map.of(AD, ConsentChoice.GRANTED)),
                NO_REGISTRATIONS).reason()).isEqualTo(Reason.CONSENT_GRANTED);
    }

    @Test
    void securityStillWinsOverAnUnknownDeclaration() {
        // Given an unknown declared purpose, once beside a restricted one and once with a security registration
        RecordFacts both = declared("foo.bar_baz", "essential.service.security.authentication");
        RecordFacts unknown = declared("foo.bar_baz");

        // When the policy decides
        Decision declaredRestricted = PurposePolicy.decide(POLICY, both, Optional.empty(), NO_REGISTRATIONS);
        Decision registeredRestricted = PurposePolicy.decide(POLICY, unknown, Optional.empty(),
                List.of(registration("essential.service.security.mfa")));

        // Then both are quarantined: the identifier is security data, whatever else the record says
        assertThat(declaredRestricted.reason()).isEqualTo(Reason.DECLARED_RESTRICTED_PURPOSE);
        assertThat(registeredRestricted.reason()).isEqualTo(Reason.REGISTERED_FOR_RESTRICTED_PURPOSE);
    }

    @Test
    void aGrantOnAPurposeOutsideTheTaxonomyGrantsNothing() {
        // Given a policy that knows marketing.advertising but not marketing, and a grant on marketing only
        Optional<ConsentSnapshot> consent = consent(Map.of(new Purpose("marketing"), ConsentChoice.GRANTED));

        // When the policy decides
        Decision decision = PurposePolicy.decide(NARROW, NOTHING_DECLARED, consent, NO_REGISTRATIONS);

        // Then nothing grants the ad purpose, and the detail says why the grant did not count
        assertThat(decision.outcome()).isEqualTo(Outcome.SUPPRESS);
        assertThat(decision.reason()).isEqualTo(Reason.CONSENT_NOT_GRANTED);
        assertThat(decision.detail()).contains("the grant on marketing counts for nothing");
        // And a grant on a known purpose above the ad purpose still forwards
        assertThat(PurposePolicy.decide(NARROW, NOTHING_DECLARED,
                consent(Map.of(new Purpose("marketing.advertising"), ConsentChoice.GRANTED)), NO_REGISTRATIONS)
                .reason()).isEqualTo(Reason.CONSENT_GRANTED);
    }

    @Test
    void aDenialOnAPurposeOutsideTheTaxonomyStillDenies() {
        // Given a grant on a known purpose above the ad purpose and a denial on an unknown one above it
        Map<Purpose, ConsentChoice> choices = Map.of(
                new Purpose("marketing.advertising"), ConsentChoice.GRANTED,
                new Purpose("marketing"), ConsentChoice.DENIED);

        // When the policy decides
        Decision decision = PurposePolicy.decide(NARROW, NOTHING_DECLARED, consent(choices), NO_REGISTRATIONS);

        // Then the denial wins
        assertThat(decision.reason()).isEqualTo(Reason.CONSENT_DENIED);
    }

    @Test
    void aRegistrationForAnUnknownPurposeIsAppliedLikeAnyUnrestrictedOne() {
        // Given an identifier registered for a purpose the taxonomy does not know, and a grant
        List<ActiveRegistration> registrations = List.of(registration("foo.bar_baz"));
        Optional<ConsentSnapshot> consent = consent(Map.of(AD, ConsentChoice.GRANTED));

        // When the policy decides
        Decision decision = PurposePolicy.decide(POLICY, NOTHING_DECLARED, consent, registrations);

        // Then it changes nothing: consent decides, as for an unrestricted registration
        assertThat(decision).isEqualTo(PurposePolicy.decide(POLICY, NOTHING_DECLARED, consent, NO_REGISTRATIONS));
    }

    @Test
    void aPolicyMustKnowItsAdPurposeAndItsRestrictedPurposes() {
        Taxonomy essentialOnly = new Taxonomy(List.of(new Purpose("essential")));
        Taxonomy marketingOnly = new Taxonomy(List.of(new Purpose("marketing")));

        assertThatThrownBy(() -> new Policy(VERSION, AD, List.of(SECURITY), essentialOnly))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ad-purpose marketing.advertising.third_party.targeted is not within known-purposes "
                        + "[essential]");
        assertThatThrownBy(() -> new Policy(VERSION, AD, List.of(SECURITY), marketingOnly))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("restricted purpose essential.service.security is not within known-purposes [marketing]");
        assertThat(POLICY.taxonomy()).isEqualTo(Taxonomy.fideslang());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static RecordFacts declared(String... purposes) {
        return new RecordFacts(java.util.Arrays.stream(purposes).map(Purpose::new).toList(), 1_000L, false);
    }

    private static ActiveRegistration registration(String purpose) {
        return new ActiveRegistration(new Purpose(purpose), "crm", 500L);
    }

    private static Optional<ConsentSnapshot> consent(Map<Purpose, ConsentChoice> choices) {
        return Optional.of(new ConsentSnapshot(choices, false, false));
    }
}
