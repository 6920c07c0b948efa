package org.purposefirewall.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * monitoring/prometheus/alerts.yml: every rule is complete (alert, expr, for, severity, summary, a runbook anchor that
 * exists in README.md), every expression is plausible PromQL (balanced brackets, known functions and keywords, valid
 * durations), and every metric and label matcher it uses is one the firewall exposes ({@link #KNOWN_METRICS}: check
 * that list against a live /metrics scrape when the names change). With promtool on the PATH, also
 * {@code promtool check rules} and {@code promtool test rules} on alerts_test.yml.
 */
class AlertRulesTest {

    /** Repository root: Maven runs the tests in the module directory. */
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path RULES = REPO.resolve("monitoring/prometheus/alerts.yml");
    static final Path README = REPO.resolve("README.md");
    static final String RUNBOOK_BASE = "https://github.com/purpose-firewall/purpose-firewall/blob/main/README.md#";

    /**
     * Every metric the alert rules may use, with its labels (null: any value) and the values of enumerated labels.
     * The firewall's own metrics as /metrics exposes them, and the Micrometer Kafka client binder's consumer lag.
     * Prometheus adds {@code instance} and {@code job} to every series.
     */
    static final Map<String, Map<String, Set<String>>> KNOWN_METRICS = Map.of(
            "purpose_firewall_decisions_total", Map.of(
                    "outcome", Set.of("forwarded", "quarantined", "suppressed", "dead_lettered"),
                    "reason", Set.of(), "rule", Set.of(), "topic", Set.of()),
            "purpose_firewall_quarantines_total", Map.of("reason", Set.of(), "source_system", Set.of(), "topic", Set.of()),
            "purpose_firewall_dead_letters_total", Map.of("reason", Set.of(), "topic", Set.of()),
            "purpose_firewall_recalls_total", Map.of("reason", Set.of()),
            "purpose_firewall_honeytoken_hits_total", Map.of("topic", Set.of()),
            "purpose_firewall_records_waiting", Map.of("wait", Set.of("schema", "side_records", "consent")),
            "purpose_firewall_late_side_records_total", Map.of(),
            "purpose_firewall_registry_available", Map.of(),
            "purpose_firewall_ready", Map.of(),
            "kafka_consumer_fetch_manager_records_lag_max", Map.of("client_id", Set.of(), "topic", Set.of(),
                    "partition", Set.of()));

    /** Labels Prometheus attaches to every scraped series. */
    static final Set<String> TARGET_LABELS = Set.of("instance", "job");

    static final Set<String> FUNCTIONS = Set.of("rate", "irate", "increase", "delta", "idelta", "sum", "max", "min",
            "avg", "count", "topk", "bottomk", "quantile", "stddev", "avg_over_time", "max_over_time", "min_over_time",
            "sum_over_time", "count_over_time", "last_over_time", "quantile_over_time", "absent", "absent_over_time",
            "changes", "resets", "clamp_min", "clamp_max", "abs", "ceil", "floor", "round", "time", "timestamp",
            "vector", "scalar", "histogram_quantile", "label_replace", "predict_linear", "deriv");
    static final Set<String> AGGREGATIONS = Set.of("sum", "max", "min", "avg", "count", "topk", "bottomk", "quantile",
            "stddev");
    /** Functions whose argument is a range vector: metric[duration]. */
    static final Set<String> RANGE_FUNCTIONS = Set.of("rate", "irate", "increase", "delta", "idelta", "avg_over_time",
            "max_over_time", "min_over_time", "sum_over_time", "count_over_time", "last_over_time",
            "quantile_over_time", "absent_over_time", "changes", "resets", "predict_linear", "deriv");
    static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "offset", "and", "or", "unless", "bool");
    static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

    static final Pattern DURATION = Pattern.compile("(?:[0-9]+(?:ms|s|m|h|d|w|y))+");
    static final Pattern TOKEN = Pattern.compile(
            "\\s*(?:(?<string>\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*')"
                    + "|(?<duration>[0-9]+(?:ms|s|m|h|d|w|y)(?:[0-9]+(?:ms|s|m|h|d|w|y))*)(?![A-Za-z0-9_])"
                    + "|(?<number>[0-9]+(?:\\.[0-9]+)?(?:e[+-]?[0-9]+)?)"
                    + "|(?<ident>[A-Za-z_:][A-Za-z0-9_:]*)"
                    + "|(?<op>==|!=|=~|!~|>=|<=|[-+*/%^<>=,:@()\\[\\]{}]))");

    static JsonNode rules;
    static List<JsonNode> allRules;

    @BeforeAll
    static void load() throws IOException {
        rules = new YAMLMapper().readTree(RULES.toFile());
        allRules = new ArrayList<>();
        rules.path("groups").forEach(g -> g.path("rules").forEach(allRules::add));
    }

    @Test
    void everyRuleHasAnAlertExprForSeveritySummaryAndRunbook() throws IOException {
        assertThat(rules.fieldNames()).toIterable().containsExactly("groups");
        assertThat(rules.path("groups")).isNotEmpty();
        for (JsonNode group : rules.path("groups")) {
            assertThat(group.path("name").asText()).isNotBlank();
            assertThat(group.path("rules").isArray() && group.path("rules").size() > 0).isTrue();
        }
        Set<String> anchors = readmeAnchors();
        Set<String> names = new HashSet<>();
        for (JsonNode rule : allRules) {
            String alert = rule.path("alert").asText();
            assertThat(alert).as("alert name").matches("PurposeFirewall[A-Z][A-Za-z]+");
            assertThat(names.add(alert)).as("unique alert name " + alert).isTrue();
            assertThat(fieldNames(rule)).as(alert).containsExactlyInAnyOrder("alert", "expr", "for", "labels",
                    "annotations");
            assertThat(rule.path("expr").isTextual() && !rule.path("expr").asText().isBlank()).as(alert).isTrue();
            assertThat(rule.path("for").asText()).as(alert + " for").matches(DURATION);
            assertThat(fieldNames(rule.path("labels"))).as(alert).contains("severity");
            assertThat(rule.path("labels").path("severity").asText()).as(alert).isIn(SEVERITIES);
            assertThat(fieldNames(rule.path("annotations"))).as(alert).contains("summary", "runbook");
            assertThat(rule.path("annotations").path("summary").asText()).as(alert).isNotBlank();
            String runbook = rule.path("annotations").path("runbook").asText();
            assertThat(runbook).as(alert + " runbook").isEqualTo(RUNBOOK_BASE + alert.toLowerCase(Locale.ROOT));
            assertThat(anchors).as(alert + ": README.md needs a heading for its runbook")
                    .contains(runbook.substring(RUNBOOK_BASE.length()));
        }
    }

    @Test
    void theRulesCoverTheAlertsOperatorsNeed() {
        Set<String> used = new TreeSet<>();
        allRules.forEach(r -> used.addAll(metricsOf(r.path("expr").asText())));
        // honeytoken hits, quarantine surge, dead letters, registry, records waiting, lag, late side records, readiness
        assertThat(used).contains("purpose_firewall_honeytoken_hits_total", "purpose_firewall_quarantines_total",
                "purpose_firewall_dead_letters_total", "purpose_firewall_registry_available",
                "purpose_firewall_records_waiting", "kafka_consumer_fetch_manager_records_lag_max",
                "purpose_firewall_late_side_records_total", "purpose_firewall_ready");
        JsonNode honeytoken = allRules.stream().filter(r -> r.path("alert").asText().equals("PurposeFirewallHoneytokenHit"))
                .findFirst().orElseThrow();
        assertThat(honeytoken.path("labels").path("severity").asText()).isEqualTo("critical");
        assertThat(honeytoken.path("for").asText()).isEqualTo("0m");
    }

    @Test
    void everyExpressionIsPlausiblePromqlOverKnownMetricsAndLabels() {
        for (JsonNode rule : allRules) {
            String alert = rule.path("alert").asText();
            String expr = rule.path("expr").asText();
            List<String> problems = check(expr);
            assertThat(problems).as(alert + ": " + expr).isEmpty();
            assertThat(metricsOf(expr)).as(alert + " uses a metric").isNotEmpty();
        }
    }

    @Test
    void theCheckerCatchesWhatItShould() {
        assertThat(check("rate(purpose_firewall_ready[5m]")).anyMatch(p -> p.contains("unbalanced"));
        assertThat(check("rate(purpose_firewall_ready[5x])")).anyMatch(p -> p.contains("duration"));
        assertThat(check("rate(purpose_firewall_ready)")).anyMatch(p -> p.contains("range"));
        assertThat(check("ratee(purpose_firewall_ready[5m])")).anyMatch(p -> p.contains("unknown function"));
        assertThat(check("purpose_firewall_honeytoken_hits > 0")).anyMatch(p -> p.contains("unknown metric"));
        assertThat(check("purpose_firewall_records_waiting{wait=\"parked\"} > 0")).anyMatch(p -> p.contains("value"));
        assertThat(check("purpose_firewall_ready{topic=\"x\"} == 0")).anyMatch(p -> p.contains("label"));
        assertThat(check("sum by (topic) (rate(purpose_firewall_dead_letters_total{topic=~\"a|b\"}[5m])) > 0.01"))
                .isEmpty();
        assertThatThrownBy(() -> tokens("purpose_firewall_ready $ 1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void promtoolAcceptsTheRulesWhenInstalled() throws Exception {
        String promtool = onPath("promtool");
        Assumptions.assumeTrue(promtool != null, "promtool is not installed");
        promtool(promtool, "check", "rules", RULES.toString());
        // The rules' unit tests: synthetic series for which each tested alert must fire, or not.
        promtool(promtool, "test", "rules", RULES.resolveSibling("alerts_test.yml").toString());
    }

    private static void promtool(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    }

    // ---- the checker -------------------------------------------------------------------------------------------

    record Token(String kind, String text) {}

    static List<Token> tokens(String expr) {
        List<Token> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(expr);
        int at = 0;
        while (at < expr.length()) {
            if (expr.substring(at).isBlank()) {
                break;
            }
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("cannot read at " + at + ": " + expr.substring(at));
            }
            for (String kind : List.of("string", "duration", "number", "ident", "op")) {
                if (m.group(kind) != null) {
                    out.add(new Token(kind, m.group(kind)));
                    break;
                }
            }
            at = m.end();
        }
        return out;
    }

    /** The metric names an expression selects. */
    static Set<String> metricsOf(String expr) {
        Set<String> metrics = new LinkedHashSet<>();
        walk(expr, new ArrayList<>(), metrics);
        return metrics;
    }

    /** Every problem found in an expression; empty if it is plausible. */
    static List<String> check(String expr) {
        List<String> problems = new ArrayList<>();
        try {
            walk(expr, problems, new LinkedHashSet<>());
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    private static void walk(String expr, List<String> problems, Set<String> metrics) {
        List<Token> t = tokens(expr);
        Deque<String> open = new ArrayDeque<>();
        for (Token token : t) {
            switch (token.text()) {
                case "(", "[", "{" -> open.push(token.text());
                case ")", "]", "}" -> {
                    String expected = switch (token.text()) {
                        case ")" -> "(";
                        case "]" -> "[";
                        default -> "{";
                    };
                    if (open.isEmpty() || !open.pop().equals(expected)) {
                        problems.add("unbalanced " + token.text());
                        return;
                    }
                }
                default -> { }
            }
        }
        if (!open.isEmpty()) {
            problems.add("unbalanced: " + open + " not closed");
            return;
        }
        for (int i = 0; i < t.size(); i++) {
            Token token = t.get(i);
            Token next = i + 1 < t.size() ? t.get(i + 1) : null;
            Token previous = i > 0 ? t.get(i - 1) : null;
            if (token.text().equals("[")) {
                // [5m] or a subquery [1h:5m]
                int close = indexOf(t, "]", i);
                for (Token d : t.subList(i + 1, close)) {
                    if (!d.text().equals(":") && !(d.kind().equals("duration") && DURATION.matcher(d.text()).matches())) {
                        problems.add("not a duration in [...]: " + d.text());
                    }
                }
                if (close == i + 1) {
                    problems.add("empty range []");
                }
                i = close;
                continue;
            }
            if (token.kind().equals("duration") && (previous == null || !previous.text().equals("offset"))) {
                problems.add("a duration outside [...] or offset: " + token.text());
            }
            if (!token.kind().equals("ident")) {
                continue;
            }
            String name = token.text();
            if (KEYWORDS.contains(name)) {
                if (Set.of("by", "without", "on", "ignoring", "group_left", "group_right").contains(name)) {
                    if (next != null && next.text().equals("(")) {
                        i = indexOf(t, ")", i + 1); // label list
                    }
                }
                if (name.equals("offset") && (next == null || !next.kind().equals("duration"))) {
                    problems.add("offset needs a duration");
                }
                continue;
            }
            if (next != null && next.text().equals("(")) {
                if (!FUNCTIONS.contains(name)) {
                    problems.add("unknown function " + name);
                } else if (RANGE_FUNCTIONS.contains(name)) {
                    int close = matching(t, i + 1);
                    if (t.subList(i + 2, close).stream().noneMatch(x -> x.text().equals("["))) {
                        problems.add(name + " needs a range vector (metric[duration])");
                    }
                }
                continue;
            }
            if (previous != null && Set.of("by", "without").contains(previous.text())) {
                continue;
            }
            if (AGGREGATIONS.contains(name) && next != null && Set.of("by", "without").contains(next.text())) {
                continue; // sum by (x) (...)
            }
            // a metric selector, maybe with {label matchers}
            metrics.add(name);
            Map<String, Set<String>> labels = KNOWN_METRICS.get(name);
            if (labels == null) {
                problems.add("unknown metric " + name + " (not in KNOWN_METRICS)");
            }
            if (next != null && next.text().equals("{")) {
                int close = indexOf(t, "}", i + 1);
                List<Token> matchers = t.subList(i + 2, close);
                for (int j = 0; j < matchers.size(); j += 4) {
                    if (matchers.size() < j + 3 || !matchers.get(j).kind().equals("ident")
                            || !Set.of("=", "!=", "=~", "!~").contains(matchers.get(j + 1).text())
                            || !matchers.get(j + 2).kind().equals("string")
                            || (j + 3 < matchers.size() && !matchers.get(j + 3).text().equals(","))) {
                        problems.add("not a label matcher in " + name + "{...}");
                        break;
                    }
                    String label = matchers.get(j).text();
                    String value = matchers.get(j + 2).text();
                    value = value.substring(1, value.length() - 1);
                    if (labels != null && !labels.containsKey(label) && !TARGET_LABELS.contains(label)) {
                        problems.add(name + " has no label " + label);
                    } else if (labels != null && labels.containsKey(label) && !labels.get(label).isEmpty()) {
                        boolean regex = matchers.get(j + 1).text().contains("~");
                        for (String v : regex ? value.split("\\|") : new String[] {value}) {
                            if (!labels.get(label).contains(v)) {
                                problems.add(name + " label " + label + " has no value " + v + " (one of "
                                        + new TreeSet<>(labels.get(label)) + ")");
                            }
                        }
                    }
                }
                i = close;
            }
        }
    }

    private static int indexOf(List<Token> t, String text, int from) {
        for (int i = from; i < t.size(); i++) {
            if (t.get(i).text().equals(text)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced: no " + text);
    }

    /** The index of the parenthesis closing the one at {@code open}. */
    private static int matching(List<Token> t, int open) {
        int depth = 0;
        for (int i = open; i < t.size(); i++) {
            if (t.get(i).text().equals("(")) {
                depth++;
            } else if (t.get(i).text().equals(")") && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced (");
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new LinkedHashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** GitHub's heading anchors: lower case, punctuation but '-' and '_' dropped, spaces to '-'. */
    static Set<String> readmeAnchors() throws IOException {
        Set<String> anchors = new HashSet<>();
        boolean fence = false;
        for (String line : Files.readAllLines(README)) {
            if (line.startsWith("```")) {
                fence = !fence;
            }
            if (!fence && line.matches("#{1,6} .*")) {
                String text = line.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT);
                anchors.add(text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }

    static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
