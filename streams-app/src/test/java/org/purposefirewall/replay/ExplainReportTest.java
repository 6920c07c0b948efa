package org.purposefirewall.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.policy.ActiveRegistration;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.Explanation;
import org.purposefirewall.policy.FieldMatch;
import org.purposefirewall.policy.Outcome;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.Reason;
import org.purposefirewall.policy.ReplayChange;
import org.purposefirewall.policy.ReplayChange.Fate;
import org.purposefirewall.policy.Verdict;
import org.purposefirewall.topology.DecisionTrace;

/** The explanation as an assessor reads it: every fact in order, the deciding rule marked, nothing personal. */
class ExplainReportTest {

    private static final String USER = "user-explain-4711";
    private static final String PHONE = "+447700900123";
    private static final String SPELLING = "447700900123";
    private static final String TWO_FACTOR = "essential.service.security.authentication";
    private static final String AD = "marketing.advertising.third_party.targeted";
    private static final Output.Source AT = new Output.Source("user.contact-points", 2, 17);
    private static final long T = 1_764_590_400_000L; // 2025-12-01T12:00:00Z

    private static final MatchKeys KEYS = MatchKeys.ofSpellings(List.of(PHONE, SPELLING),
            java.util.Set.of(HashForm.SHA256, HashForm.SHA1, HashForm.MD5));
    private static final ActiveRegistration AUTH = new ActiveRegistration(Purpose.parse(TWO_FACTOR),
            "auth-service", T - 60_000);

    private static Decision quarantine() {
        return new Decision(Outcome.QUARANTINE, Reason.REGISTERED_FOR_RESTRICTED_PURPOSE, "restricted.registered",
                "registered for " + TWO_FACTOR + " by auth-service", Purpose.parse("essential.service.security"),
                AUTH, "2026-11-25.1");
    }

    private static Explanation quarantined() {
        return new Explanation(List.of(
                new Explanation.RuleCheck("honeytoken", false, "no honeytoken"),
                new Explanation.RuleCheck("restricted.declared", false, "no restricted purpose declared"),
                new Explanation.RuleCheck("restricted.registered", true, quarantine().detail()),
                new Explanation.RuleCheck("consent.granted", true, "granted for " + AD)), quarantine(), 2);
    }

    /** A phone registered for 2FA under its second spelling, with a grant behind the quarantine. */
    private static DecisionTrace trace() {
        MatchKeys.Key matched = KEYS.all().stream().filter(k -> k.form() == HashForm.SHA256
                && k.hex().equals(HashForm.SHA256.hex(SPELLING))).findFirst().orElseThrow();
        ConsentSnapshot consent = new ConsentSnapshot(Map.of(Purpose.parse("marketing.advertising"),
                ConsentChoice.GRANTED), false, false, true, null);
        DecisionTrace.IdentifierTrace id = new DecisionTrace.IdentifierTrace("value", "PHONE", KEYS, false,
                Optional.of(consent), List.of(new DecisionTrace.FormMatch(matched.form(), matched.hex(), AUTH)),
                quarantined());
        return new DecisionTrace("user.contact-points", 0, 0, USER, T, List.of(Purpose.parse(AD)),
                List.of(new FieldMatch("attributes[\"backup\"]", List.of(AUTH), null)), List.of(id), null,
                new Verdict(Outcome.QUARANTINE, quarantine(), 0, List.of()));
    }

    private static Output output(Fate fate, String rule, String reason, String version) {
        return new Output(AT, "d-1", fate, rule, reason, version, "ab12cd34ef56", "PHONE",
                "sha256:" + HashForm.SHA256.hex(PHONE).substring(0, 8), "value", "u", T);
    }

    @Test
    void shouldListTheRulesInOrderMarkTheDecidingOneAndTheUnreachedOnesAndAgree() {
        // Given a record quarantined now and then
        Replay.Comparison same = new Replay.Comparison(null, AT, T, Fate.QUARANTINED,
                output(Fate.QUARANTINED, "restricted.registered", "REGISTERED_FOR_RESTRICTED_PURPOSE", "2026-11-25.1"),
                Fate.QUARANTINED,
                output(Fate.QUARANTINED, "restricted.registered", "REGISTERED_FOR_RESTRICTED_PURPOSE", "2026-11-25.1"));

        // When it is explained
        ExplainReport report = ExplainReport.of(new ExplainReport.Subject(AT, USER, trace(), same, "2026-11-25.1",
                "ab12cd34ef56"));
        String text = report.text();

        // Then the record, the identifier's facts, the rules in order and the outcomes read in that order
        assertThat(report.agrees()).isTrue();
        assertThat(text).containsSubsequence("Record user.contact-points/2@17",
                "event time:        2025-12-01T12:00:00Z",
                "user:              " + org.purposefirewall.monitor.Redaction.user(USER), "declared purposes: " + AD,
                "Identifier 1: field value, PHONE",
                "match keys:    sha256:" + HashForm.SHA256.hex(PHONE).substring(0, 8),
                "consent at event time: marketing.advertising=GRANTED; opted out of targeted advertising: no; "
                        + "of sale: no; GPC: yes; problem: none",
                "registrations in force:", TWO_FACTOR + " by auth-service, registered 2025-12-01T11:59:00Z, found "
                        + "under sha256:" + HashForm.SHA256.hex(SPELLING).substring(0, 8),
                "Field matches (tripwire, honeytokens):", "field attributes[\"backup\"]: registered for " + TWO_FACTOR,
                "Rules for identifier 1 (value):", "1. honeytoken", "2. restricted.declared",
                "3. restricted.registered", "4. consent.granted",
                "Now (replay):", "QUARANTINED, rule restricted.registered, reason REGISTERED_FOR_RESTRICTED_PURPOSE",
                "Then (the service):", "QUARANTINED", "AGREE");
        List<String> lines = text.lines().toList();
        assertThat(lines).filteredOn(l -> l.matches(".*restricted\\.registered\\s+MATCH.*")).singleElement()
                .satisfies(l -> assertThat(l).endsWith("<= DECIDES"));
        assertThat(lines).filteredOn(l -> l.matches(".*consent\\.granted\\s+MATCH.*")).singleElement()
                .satisfies(l -> assertThat(l).endsWith("(not reached)"));
        assertThat(lines).filteredOn(l -> l.contains("1. honeytoken")).singleElement()
                .satisfies(l -> assertThat(l).contains("no match").doesNotContain("DECIDES", "not reached"));
        assertThat(lines.get(lines.size() - 1)).isEqualTo("AGREE");
        assertThat(text).contains("match keys:", "sha1:" + HashForm.SHA1.hex(PHONE).substring(0, 8),
                "md5:" + HashForm.MD5.hex(SPELLING).substring(0, 8));
        // a single identifier: the verdict's combination is not spelled out
        assertThat(text).doesNotContain("Verdict (");
    }

    @Test
    void shouldNeverShowTheIdentifierAFullDigestOrTheUserIdInTextOrJson() throws Exception {
        Replay.Comparison same = new Replay.Comparison(null, AT, T, Fate.QUARANTINED,
                output(Fate.QUARANTINED, "restricted.registered", "REGISTERED_FOR_RESTRICTED_PURPOSE", "v"),
                Fate.QUARANTINED, output(Fate.QUARANTINED, "restricted.registered", "R", "v"));

        ExplainReport report = ExplainReport.of(new ExplainReport.Subject(AT, USER, trace(), same, "v", null));
        String all = report.text() + new ObjectMapper().writeValueAsString(report.json());

        assertThat(all).doesNotContain(USER, PHONE, SPELLING, "7700900123");
        for (MatchKeys.Key key : KEYS.all()) {
            assertThat(all).doesNotContain(key.hex()).doesNotContain(key.hex().substring(0, 9))
                    .contains(key.form().name().toLowerCase(java.util.Locale.ROOT) + ":" + key.hex().substring(0, 8));
        }
        assertThat(all).contains(HashForm.SHA256.hex(USER).substring(0, 12))
                .doesNotContain(HashForm.SHA256.hex(USER).substring(0, 13));
    }

    @Test
    void shouldReportADifferenceWithItsChangeCodeAndCarryTheSameContentAsJson() {
        // Given a record forwarded by the service and quarantined now
        Replay.Comparison differ = new Replay.Comparison(ReplayChange.EXPOSURE, AT, T, Fate.FORWARDED,
                output(Fate.FORWARDED, null, null, "2026-11-01.1"), Fate.QUARANTINED,
                output(Fate.QUARANTINED, "restricted.registered", "REGISTERED_FOR_RESTRICTED_PURPOSE", "2026-11-25.1"));

        ExplainReport report = ExplainReport.of(new ExplainReport.Subject(AT, USER, trace(), differ, "2026-11-25.1",
                "ab12cd34ef56"));

        assertThat(report.agrees()).isFalse();
        assertThat(report.text().lines().toList()).last().isEqualTo("DIFFER: exposure");
        assertThat(report.text()).contains("Then (the service):    FORWARDED, PHONE sha256:",
                "policy 2026-11-01.1 (sha256 ab12cd34ef56)");
        Map<String, Object> json = report.json();
        assertThat(json).containsEntry("result", "DIFFER").containsEntry("change", "exposure")
                .containsKeys("record", "identifiers", "fieldMatches", "rules", "verdict", "now", "then");
        assertThat(json.keySet()).containsSubsequence("record", "identifiers", "fieldMatches", "rules", "now",
                "then", "result");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules = (List<Map<String, Object>>) json.get("rules");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> checks = (List<Map<String, Object>>) rules.get(0).get("checks");
        assertThat(checks).extracting(c -> c.get("rule")).containsExactly("honeytoken", "restricted.declared",
                "restricted.registered", "consent.granted");
        assertThat(checks).extracting(c -> c.get("deciding")).containsExactly(false, false, true, false);
        assertThat(checks).extracting(c -> c.get("reached")).containsExactly(true, true, true, false);
    }

    @Test
    void shouldExplainADeadLetteredRecordByItsRejectionReasonsNowAndThen() {
        Output dead = new Output(AT, null, Fate.DEAD_LETTERED, null, "UNDECODABLE", null, null, null, null, null,
                null, T);
        Replay.Comparison same = new Replay.Comparison(null, AT, T, Fate.DEAD_LETTERED, dead, Fate.DEAD_LETTERED,
                dead);

        String text = ExplainReport.of(new ExplainReport.Subject(AT, USER, null, same, "2026-11-25.1", "ab12"))
                .text();

        assertThat(text).containsSubsequence("Record user.contact-points/2@17", "declared purposes: not read",
                "Not decided: the record never reached the policy (DEAD_LETTERED now)",
                "Now (replay):          DEAD_LETTERED, reason UNDECODABLE, policy 2026-11-25.1 (sha256 ab12)",
                "Then (the service):    DEAD_LETTERED, reason UNDECODABLE", "AGREE");
        assertThat(text).doesNotContain(USER, "Rules for");
    }

    @Test
    void shouldSpellOutTheVerdictForSeveralIdentifiersAndSayWhenTheServiceWroteNothing() {
        DecisionTrace one = trace();
        DecisionTrace two = new DecisionTrace(one.topic(), 0, 0, USER, T, one.declared(), List.of(),
                List.of(one.identifiers().get(0), one.identifiers().get(0)), null, one.verdict());
        Replay.Comparison none = new Replay.Comparison(ReplayChange.UNDECIDED_THEN, AT, T, Fate.NONE, null,
                Fate.QUARANTINED, output(Fate.QUARANTINED, "restricted.registered", "R", "v"));

        String text = ExplainReport.of(new ExplainReport.Subject(AT, USER, two, none, "v", null)).text();

        assertThat(text).containsSubsequence("Identifier 1:", "Identifier 2:",
                "Field matches (tripwire, honeytokens): none",
                "Rules for identifier 1", "Rules for identifier 2",
                "Verdict (verdict.combined): QUARANTINE, identifier 1 is the first quarantined",
                "Then (the service):    no output found", "DIFFER: undecided-then");
    }

    @Test
    void shouldExplainAGuardedRecordWithoutAnIdentifierByTheTripwireAndItsRules() {
        // Given a guarded record without an identifier of its own whose free text holds the user's 2FA phone
        Decision tripwire = new Decision(Outcome.QUARANTINE, Reason.RESTRICTED_IDENTIFIER_IN_FIELD,
                "restricted.tripwire", "field notes holds an identifier registered for " + TWO_FACTOR, null, AUTH,
                "v", "notes", null);
        Explanation explanation = new Explanation(List.of(
                new Explanation.RuleCheck("honeytoken", false, "no field of the record holds a honeytoken"),
                new Explanation.RuleCheck("restricted.tripwire", true, tripwire.detail()),
                new Explanation.RuleCheck("identifier.none", true, "the record holds no identifier")), tripwire, 1);
        DecisionTrace trace = new DecisionTrace("orders", 0, 0, USER, T, List.of(),
                List.of(new FieldMatch("notes", List.of(AUTH), null)), List.of(), explanation,
                Verdict.withoutIdentifier(tripwire));
        Output.Source at = new Output.Source("orders", 1, 5);
        Output q = new Output(at, "d", Fate.QUARANTINED, "restricted.tripwire", "RESTRICTED_IDENTIFIER_IN_FIELD", "v",
                null, null, null, "notes", "u", T);

        String text = ExplainReport.of(new ExplainReport.Subject(at, USER, trace,
                new Replay.Comparison(null, at, T, Fate.QUARANTINED, q, Fate.QUARANTINED, q), "v", null)).text();

        // Then the field match, the record's rules with the deciding one, and the verdict's reading are shown
        assertThat(text).containsSubsequence("Record orders/1@5", "declared purposes: none", "Identifiers: none",
                "field notes: registered for " + TWO_FACTOR, "Rules (record without an identifier):",
                "1. honeytoken", "2. restricted.tripwire", "<= DECIDES", "3. identifier.none", "(not reached)",
                "Verdict (verdict.combined): QUARANTINE, the record holds no identifier",
                "Now (replay):          QUARANTINED, rule restricted.tripwire", "AGREE");
        assertThat(text).doesNotContain(USER);
    }
}
