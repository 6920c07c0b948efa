package org.purposefirewall.replay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.monitor.Redaction;
import org.purposefirewall.policy.ActiveRegistration;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Explanation;
import org.purposefirewall.policy.FieldMatch;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.ReplayChange.Fate;
import org.purposefirewall.topology.DecisionTrace;

/**
 * Why one data record went where it went, for an assessor who does not read the code ({@code explain}): the
 * record, what was read for each identifier (match keys, consent, registrations in force and the form each was found
 * under), the tripwire's and honeytoken check's findings, every rule in order with its result and the deciding one
 * marked, the outcome now (a replay's) and what the service did, and whether they agree. The same content as text
 * ({@link #text()}) and as one JSON object ({@link #json()}).
 *
 * <p>Redacted throughout, as the quarantine monitor is: the user as {@link Redaction#user}, every digest as its form
 * and first {@value Redaction#DIGEST_PREFIX_HEX} hex digits ({@link Redaction#digest}); never an identifier, a full
 * digest, a user id or a payload. Rule details and the verdict's detail carry no personal data by contract
 * ({@link Explanation}). Pure; built once per record.
 */
public final class ExplainReport {

    /**
     * What is explained.
     *
     * @param source the record's real coordinates (a trace's are the replay driver's)
     * @param userId its user, or null if it could not be read (redacted here, never printed)
     * @param trace what the replay decided it on, or null if it never reached the decider (dead-lettered)
     * @param comparison its fate now and then, from the replay
     * @param policyVersion version of the policy that decided now
     * @param policyHash SHA-256 of that policy's text, or null
     */
    public record Subject(Output.Source source, String userId, DecisionTrace trace, Replay.Comparison comparison,
                          String policyVersion, String policyHash) {
        public Subject {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(comparison, "comparison");
        }
    }

    private final StringBuilder text = new StringBuilder();
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final boolean agrees;

    private ExplainReport(Subject s) {
        record(s);
        DecisionTrace trace = s.trace();
        if (trace != null) {
            identifiers(trace);
            fieldMatches(trace.fieldMatches());
            rules(trace);
            verdict(trace);
        } else {
            line("Not decided: the record never reached the policy (%s now)", s.comparison().nowFate());
            json.put("decided", false);
        }
        outcomes(s);
        Replay.Comparison c = s.comparison();
        agrees = c.change() == null;
        String last = agrees ? "AGREE" : "DIFFER: " + c.change().code();
        line("%s", last);
        json.put("result", agrees ? "AGREE" : "DIFFER");
        if (!agrees) {
            json.put("change", c.change().code());
            json.put("changeMeaning", c.change().meaning());
        }
    }

    /** The report of {@code subject}. */
    public static ExplainReport of(Subject subject) {
        return new ExplainReport(subject);
    }

    /** The report for people, one line per fact, ending with {@code AGREE} or {@code DIFFER: <change>}. */
    public String text() {
        return text.toString();
    }

    /** The same content as one JSON-ready map, in the text's order. */
    public Map<String, Object> json() {
        return json;
    }

    /** True if the outcome now is what the service did. */
    public boolean agrees() {
        return agrees;
    }

    // ---------------------------------------------------------------------------------------------------------

    private void record(Subject s) {
        Output.Source at = s.source();
        long eventTime = s.trace() != null ? s.trace().eventTime() : s.comparison().eventTime();
        String user = s.userId() == null ? "unknown" : Redaction.user(s.userId());
        line("Record %s", at);
        line("  event time:        %s", time(eventTime));
        line("  user:              %s", user);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("topic", at.topic());
        record.put("partition", at.partition());
        record.put("offset", at.offset());
        record.put("eventTime", time(eventTime));
        record.put("user", user);
        if (s.trace() != null) {
            List<String> declared = s.trace().declared().stream().map(Purpose::value).toList();
            line("  declared purposes: %s", declared.isEmpty() ? "none" : String.join(", ", declared));
            record.put("declaredPurposes", declared);
        } else {
            line("  declared purposes: not read");
        }
        json.put("record", record);
    }

    private void identifiers(DecisionTrace trace) {
        List<Map<String, Object>> list = new ArrayList<>();
        if (trace.identifiers().isEmpty()) {
            line("Identifiers: none");
        }
        int n = 0;
        for (DecisionTrace.IdentifierTrace id : trace.identifiers()) {
            n++;
            Map<String, Object> m = new LinkedHashMap<>();
            line("Identifier %d: field %s, %s%s", n, label(id.path()), id.type(),
                    id.limitAdTracking() ? ", limit ad tracking (all-zero ad id)" : "");
            m.put("number", n);
            m.put("fieldPath", label(id.path()));
            m.put("type", id.type());
            m.put("limitAdTracking", id.limitAdTracking());
            List<String> keys = id.keys().all().stream().map(ExplainReport::key).toList();
            line("  match keys:    %s", String.join(" ", keys));
            m.put("matchKeys", keys);
            consent(id.consent(), m);
            registrations(id.registrations(), m);
            list.add(m);
        }
        json.put("identifiers", list);
    }

    private void consent(Optional<ConsentSnapshot> consent, Map<String, Object> m) {
        if (consent.isEmpty()) {
            line("  consent at event time: none");
            m.put("consent", null);
            return;
        }
        ConsentSnapshot c = consent.get();
        Map<String, String> choices = new java.util.TreeMap<>();
        for (Map.Entry<Purpose, ConsentChoice> e : c.choices().entrySet()) {
            choices.put(e.getKey().value(), e.getValue().name());
        }
        List<String> shown = choices.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        line("  consent at event time: %s; opted out of targeted advertising: %s; of sale: %s; GPC: %s; problem: %s",
                shown.isEmpty() ? "no choices" : String.join(", ", shown), yesNo(c.optedOutOfTargetedAdvertising()),
                yesNo(c.optedOutOfSale()), yesNo(c.globalPrivacyControl()),
                c.problem() == null ? "none" : label(c.problem()));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("choices", choices);
        state.put("optedOutOfTargetedAdvertising", c.optedOutOfTargetedAdvertising());
        state.put("optedOutOfSale", c.optedOutOfSale());
        state.put("globalPrivacyControl", c.globalPrivacyControl());
        state.put("problem", c.problem() == null ? null : label(c.problem()));
        m.put("consent", state);
    }

    /** Every registration in force, once, with every form it was found under. */
    private void registrations(List<DecisionTrace.FormMatch> found, Map<String, Object> m) {
        Map<ActiveRegistration, List<String>> forms = new LinkedHashMap<>();
        for (DecisionTrace.FormMatch f : found) {
            forms.computeIfAbsent(f.registration(), r -> new ArrayList<>()).add(Redaction.digest(f.form().name(),
                    f.hex()));
        }
        List<Map<String, Object>> list = new ArrayList<>();
        if (forms.isEmpty()) {
            line("  registrations in force: none");
        } else {
            line("  registrations in force:");
        }
        for (Map.Entry<ActiveRegistration, List<String>> e : forms.entrySet()) {
            ActiveRegistration r = e.getKey();
            line("    %s by %s, registered %s, found under %s", r.purpose().value(), label(r.sourceSystem()),
                    time(r.registeredAt()), String.join(" ", e.getValue()));
            Map<String, Object> reg = new LinkedHashMap<>();
            reg.put("purpose", r.purpose().value());
            reg.put("sourceSystem", label(r.sourceSystem()));
            reg.put("registeredAt", time(r.registeredAt()));
            reg.put("foundUnder", e.getValue());
            list.add(reg);
        }
        m.put("registrations", list);
    }

    private void fieldMatches(List<FieldMatch> matches) {
        List<Map<String, Object>> list = new ArrayList<>();
        line("Field matches (tripwire, honeytokens): %s", matches.isEmpty() ? "none" : "");
        for (FieldMatch f : matches) {
            List<String> purposes = f.registrations().stream().map(r -> r.purpose().value()).distinct().toList();
            line("  field %s: %s%s", label(f.path()),
                    f.honeytoken() == null ? "" : "honeytoken " + label(f.honeytoken())
                            + (purposes.isEmpty() ? "" : ", "),
                    purposes.isEmpty() ? "" : "registered for " + String.join(", ", purposes));
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("fieldPath", label(f.path()));
            fm.put("honeytoken", f.honeytoken() == null ? null : label(f.honeytoken()));
            fm.put("registeredFor", purposes);
            list.add(fm);
        }
        json.put("fieldMatches", list);
    }

    private void rules(DecisionTrace trace) {
        List<Map<String, Object>> list = new ArrayList<>();
        if (trace.withoutIdentifier() != null) {
            line("Rules (record without an identifier):");
            list.add(explanation(0, trace.withoutIdentifier()));
        }
        int n = 0;
        for (DecisionTrace.IdentifierTrace id : trace.identifiers()) {
            n++;
            line("Rules for identifier %d (%s):", n, label(id.path()));
            list.add(explanation(n, id.explanation()));
        }
        json.put("rules", list);
    }

    private Map<String, Object> explanation(int identifier, Explanation e) {
        List<Map<String, Object>> checks = new ArrayList<>();
        int width = e.checks().stream().mapToInt(c -> c.rule().length()).max().orElse(0);
        for (int i = 0; i < e.checks().size(); i++) {
            Explanation.RuleCheck c = e.checks().get(i);
            String mark = i == e.index() ? "  <= DECIDES" : e.reached(i) ? "" : "  (not reached)";
            line("  %2d. %-" + width + "s  %-8s  %s%s", i + 1, c.rule(), c.matched() ? "MATCH" : "no match",
                    label(c.detail()), mark);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", c.rule());
            m.put("matched", c.matched());
            m.put("detail", label(c.detail()));
            m.put("deciding", i == e.index());
            m.put("reached", e.reached(i));
            checks.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("identifier", identifier);
        m.put("decision", e.decision().outcome().name());
        m.put("decidingRule", e.decision().rule());
        m.put("reason", e.decision().reason().name());
        m.put("checks", checks);
        return m;
    }

    private void verdict(DecisionTrace trace) {
        if (trace.verdict() == null) {
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", trace.verdict().outcome().name());
        m.put("rule", trace.verdict().deciding().rule());
        if (trace.identifiers().size() != 1) {
            line("Verdict (%s): %s, %s", org.purposefirewall.policy.Verdict.RULE, trace.verdict().outcome(),
                    label(trace.verdict().detail()));
            m.put("detail", label(trace.verdict().detail()));
        }
        json.put("verdict", m);
    }

    private void outcomes(Subject s) {
        Replay.Comparison c = s.comparison();
        DecisionTrace trace = s.trace();
        // An ad record names no rule: the deciding rule is the trace's.
        String nowRule = c.now() != null && c.now().rule() != null ? c.now().rule()
                : trace != null && trace.verdict() != null ? trace.verdict().deciding().rule() : null;
        String nowReason = c.now() != null && c.now().reason() != null ? c.now().reason()
                : trace != null && trace.verdict() != null ? trace.verdict().deciding().reason().name() : null;
        String version = c.now() != null && c.now().policyVersion() != null ? c.now().policyVersion()
                : s.policyVersion();
        String hash = c.now() != null && c.now().policyHash() != null ? c.now().policyHash() : s.policyHash();
        line("Now (replay):          %s", side(c.nowFate(), nowRule, nowReason, version, hash, c.now()));
        json.put("now", sideMap(c.nowFate(), nowRule, nowReason, version, hash, c.now()));
        Output then = c.then();
        if (c.thenFate() == Fate.NONE) {
            line("Then (the service):    no output found");
        } else {
            line("Then (the service):    %s", side(c.thenFate(), then == null ? null : then.rule(),
                    then == null ? null : then.reason(), then == null ? null : then.policyVersion(),
                    then == null ? null : then.policyHash(), then));
        }
        json.put("then", c.thenFate() == Fate.NONE ? null : sideMap(c.thenFate(), then == null ? null : then.rule(),
                then == null ? null : then.reason(), then == null ? null : then.policyVersion(),
                then == null ? null : then.policyHash(), then));
    }

    private static String side(Fate fate, String rule, String reason, String version, String hash, Output o) {
        List<String> parts = new ArrayList<>();
        parts.add(fate.name());
        if (rule != null) {
            parts.add("rule " + label(rule));
        }
        if (reason != null) {
            parts.add("reason " + label(reason));
        }
        if (o != null && o.digest() != null && !o.digest().isEmpty()) {
            parts.add((o.identifierType() == null ? "" : o.identifierType() + " ") + o.digest());
        }
        if (version != null) {
            parts.add("policy " + label(version) + (hash == null ? "" : " (sha256 " + label(hash) + ")"));
        }
        return String.join(", ", parts);
    }

    private static Map<String, Object> sideMap(Fate fate, String rule, String reason, String version, String hash,
                                               Output o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fate", fate.name());
        m.put("rule", rule == null ? null : label(rule));
        m.put("reason", reason == null ? null : label(reason));
        m.put("identifierType", o == null ? null : o.identifierType());
        m.put("digest", o == null || o.digest() == null || o.digest().isEmpty() ? null : o.digest());
        m.put("policyVersion", version == null ? null : label(version));
        m.put("policyHash", hash == null ? null : label(hash));
        return m;
    }

    private static String key(MatchKeys.Key k) {
        return Redaction.digest(k.form().name(), k.hex());
    }

    private static String time(long epochMillis) {
        return epochMillis < 0 ? "unknown" : Instant.ofEpochMilli(epochMillis).toString();
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    /** One line, bounded as the monitor bounds what it shows. */
    private static String label(String s) {
        if (s == null) {
            return "";
        }
        String oneLine = s.replaceAll("\\p{Cntrl}", " ");
        return oneLine.length() <= Redaction.MAX_DETAIL ? oneLine : oneLine.substring(0, Redaction.MAX_DETAIL - 1)
                + "…";
    }

    private void line(String format, Object... args) {
        text.append(String.format(Locale.ROOT, format, args).stripTrailing()).append('\n');
    }
}
