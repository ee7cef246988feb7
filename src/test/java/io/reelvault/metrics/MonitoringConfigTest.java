package io.reelvault.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.support.Management;
import io.reelvault.support.MetricsText;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code deploy/prometheus/alerts.yaml} and {@code deploy/grafana/dashboard.json} against the running application
 * and against Prometheus' own tool:
 * <ul>
 * <li>every metric name an alert rule or a dashboard query reads is exported by {@code /q/metrics} after a few
 * operations (histograms by their {@code _bucket/_count/_sum} series), and every label a selector matches on is a
 * label of that metric; names from elsewhere only from {@link #EXTERNAL};</li>
 * <li>{@code promtool check rules} accepts the rules, {@code promtool test rules} runs
 * {@code alerts-test.yaml} (alerts firing on synthetic failures, quiet on healthy series), and every dashboard
 * query parses as PromQL (checked by promtool as recording rules, Grafana's variables replaced);</li>
 * <li>every alert has a {@code for}, a severity, a summary, a description and a runbook section; the dashboard
 * has a Prometheus data source variable that every query uses, and its panels do not overlap.</li>
 * </ul>
 * promtool (Debian package {@code prometheus}, which {@code .ci/run} installs) is required: without it these
 * tests fail rather than skip.
 */
@Tag("conformance")
@QuarkusTest
class MonitoringConfigTest {
    static final Path ALERTS = Path.of("deploy", "prometheus", "alerts.yaml");
    static final Path ALERTS_TEST = Path.of("deploy", "prometheus", "alerts-test.yaml");
    static final Path RUNBOOK = Path.of("deploy", "prometheus", "runbook.md");
    static final Path DASHBOARD = Path.of("deploy", "grafana", "dashboard.json");

    /** Metrics that come from Prometheus itself (the scrape), not from the service. */
    static final Set<String> EXTERNAL = Set.of("up");
    /** Labels Prometheus adds to every scraped series (target labels), which /q/metrics cannot show. */
    static final Set<String> TARGET_LABELS = Set.of("job", "instance", "namespace");

    static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "bool",
            "offset",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "inf",
            "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern SELECTOR = Pattern.compile("(?<![\\w:$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*$");

    // --- what the files read, against what the service exports

    @Test
    void everyNameTheAlertsAndTheDashboardReadIsExported() throws IOException {
        String token = TestTokens.user("monitoring-" + Long.toString(System.nanoTime(), 36));
        String id = given().auth()
                .oauth2(token)
                .contentType("image/png")
                .queryParam("filename", "m.png")
                .body(Samples.png(2048))
                .post("/api/v1/uploads")
                .then()
                .statusCode(201)
                .extract()
                .path("upload_id");
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/url")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(TestTokens.pipeline("monitoring"))
                .contentType("application/json")
                .body(Map.of("prompt", "a harbour at dawn, monitoring", "parameters", Map.of("seed", id)))
                .post("/api/v1/generations")
                .then()
                .statusCode(201);
        Management.given().get("/q/health/ready").then().statusCode(200);
        MetricsText metrics = MetricsText.scrape();

        Map<String, Set<String>> read = new LinkedHashMap<>();
        expressions(alertRules()).forEach((where, expr) -> read.put(where, names(expr)));
        dashboardQueries().forEach((where, expr) -> read.put(where, names(expr)));
        assertTrue(read.size() > 20, "found the queries: " + read.keySet());

        List<String> problems = new ArrayList<>();
        Set<String> exported = metrics.names();
        read.forEach((where, names) -> {
            assertFalse(names.isEmpty(), where + " reads no metric");
            for (String name : names) {
                if (!EXTERNAL.contains(name) && !exported.contains(name)) {
                    problems.add(where + ": " + name + " is not exported");
                }
            }
        });
        Map<String, String> all = new LinkedHashMap<>(expressions(alertRules()));
        all.putAll(dashboardQueries());
        all.forEach((where, expr) -> selectors(expr).forEach((name, labels) -> {
            if (EXTERNAL.contains(name)) {
                return;
            }
            Set<String> known = metrics.labelNames(name);
            for (String label : labels) {
                if (!TARGET_LABELS.contains(label) && !known.contains(label)) {
                    problems.add(where + ": " + name + " has no label " + label + " (it has " + known + ")");
                }
            }
        }));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** The extraction the test above relies on finds names, and only names. */
    @Test
    void extractsMetricNamesFromPromql() {
        assertEquals(Set.of("a_total", "b_seconds_bucket", "up"), names("""
                sum by (job, le) (rate(a_total{outcome="x{y}", uri=~"/a/{id}"}[$__rate_interval] offset 5m))
                / on (job) group_left (le) (histogram_quantile(0.99, b_seconds_bucket[5m:1m]) > 0)
                and absent(up{job="reelvault"} == 1) or vector(0) * 1e9 + time() - 24 * 3600
                """));
        assertEquals(
                Set.of("reelvault_storage_objects"),
                names("label_values(reelvault_storage_objects{job=\"$job\"}, instance)"));
        assertEquals(
                Map.of("a_total", Set.of("outcome", "job"), "c", Set.of()),
                selectors("rate(a_total{outcome=\"x\", job!~\"y\"}[5m]) / c{}"));
    }

    // --- promtool

    @Test
    @Timeout(180)
    void promtoolAcceptsTheRules() throws Exception {
        String out = promtool("check", "rules", ALERTS.toString());
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    @Timeout(180)
    void promtoolUnitTestsOfTheRulesPass() throws Exception {
        String out = promtool("test", "rules", ALERTS_TEST.toString());
        assertTrue(out.contains("SUCCESS"), out);
    }

    /** Each dashboard query, with Grafana's variables replaced, as a recording rule: promtool parses it. */
    @Test
    @Timeout(180)
    void everyDashboardQueryIsValidPromql() throws Exception {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (String expr : dashboardQueries().values()) {
            String concrete = expr.replace("$__rate_interval", "1m")
                    .replace("$__interval", "1m")
                    .replace("$__range", "1h")
                    .replace("$job", "reelvault")
                    .replace("$instance", ".*");
            Matcher lv = LABEL_VALUES.matcher(concrete);
            if (lv.matches()) {
                concrete = lv.group(1);
            }
            rules.append("      - record: dashboard:query_")
                    .append(++n)
                    .append('\n')
                    .append("        expr: ")
                    .append(JSON.writeValueAsString(concrete))
                    .append('\n');
        }
        Path file = Files.createTempFile("dashboard-queries", ".yaml");
        try {
            Files.writeString(file, rules);
            String out = promtool("check", "rules", file.toString());
            assertTrue(out.contains("SUCCESS: " + n + " rules found"), out);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    // --- structure

    @Test
    void everyAlertHasForSeveritySummaryDescriptionAndARunbookSection() throws IOException {
        String runbook = Files.readString(RUNBOOK);
        Set<String> names = new TreeSet<>();
        for (JsonNode rule : alertRules()) {
            String alert = rule.path("alert").asText();
            assertFalse(alert.isEmpty(), "only alerting rules: " + rule);
            names.add(alert);
            assertTrue(rule.path("for").asText().matches("\\d+[smh]"), alert + " has a for");
            assertTrue(SEVERITIES.contains(rule.path("labels").path("severity").asText()), alert + " has a severity");
            JsonNode annotations = rule.path("annotations");
            assertFalse(annotations.path("summary").asText().isBlank(), alert + " has a summary");
            assertTrue(annotations.path("description").asText().length() > 80, alert + " explains itself");
            assertEquals(
                    "deploy/prometheus/runbook.md#" + alert.toLowerCase(Locale.ROOT),
                    annotations.path("runbook_url").asText(),
                    alert + " links its runbook section");
            assertTrue(runbook.contains("\n## " + alert + "\n"), alert + " has a section in runbook.md");
        }
        assertTrue(
                names.containsAll(Set.of(
                        "ReelvaultHttp5xxHigh",
                        "ReelvaultStorageBackendErrors",
                        "ReelvaultNoReplicaReady",
                        "ReelvaultLocalDiskFull",
                        "ReelvaultSimilarCacheErrors",
                        "ReelvaultLifecycleSweeperNotRunning",
                        "ReelvaultLifecycleSweepRefused")),
                names.toString());
    }

    @Test
    void dashboardUsesItsDataSourceVariableAndPanelsDoNotOverlap() throws IOException {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        assertTrue(dashboard.path("schemaVersion").asInt() >= 36, "schemaVersion");
        assertFalse(dashboard.path("uid").asText().isEmpty(), "uid");
        JsonNode variable = null;
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("name").asText().equals("datasource")) {
                variable = v;
            }
        }
        assertTrue(
                variable != null
                        && variable.path("type").asText().equals("datasource")
                        && variable.path("query").asText().equals("prometheus"),
                "a Prometheus data source variable");
        Set<Integer> ids = new LinkedHashSet<>();
        List<int[]> cells = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            int id = panel.path("id").asInt();
            assertTrue(ids.add(id), "panel ids are unique: " + id);
            JsonNode pos = panel.path("gridPos");
            int x = pos.path("x").asInt(),
                    y = pos.path("y").asInt(),
                    w = pos.path("w").asInt(),
                    h = pos.path("h").asInt();
            assertTrue(w > 0 && h > 0 && x >= 0 && x + w <= 24, "panel " + id + " fits the 24 columns");
            for (int[] c : cells) {
                boolean overlap = x < c[0] + c[2] && c[0] < x + w && y < c[1] + c[3] && c[1] < y + h;
                assertFalse(overlap, "panel " + id + " overlaps another");
            }
            cells.add(new int[] {x, y, w, h});
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertFalse(panel.path("title").asText().isBlank(), "panel " + id + " has a title");
            assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), "panel " + id);
            assertTrue(panel.path("targets").size() > 0, "panel " + id + " has queries");
            for (JsonNode target : panel.path("targets")) {
                assertEquals(
                        "${datasource}", target.path("datasource").path("uid").asText(), "panel " + id);
                assertFalse(target.path("expr").asText().isBlank(), "panel " + id + " has an expr");
            }
        }
    }

    // --- reading the files

    static List<JsonNode> alertRules() throws IOException {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode group : YAML.readTree(ALERTS.toFile()).path("groups")) {
            group.path("rules").forEach(rules::add);
        }
        assertFalse(rules.isEmpty(), "rules in " + ALERTS);
        return rules;
    }

    static Map<String, String> expressions(List<JsonNode> rules) {
        Map<String, String> exprs = new LinkedHashMap<>();
        for (JsonNode rule : rules) {
            exprs.put(
                    "alert " + rule.path("alert").asText() + " ("
                            + rule.path("labels").path("severity").asText() + ")",
                    rule.path("expr").asText());
        }
        return exprs;
    }

    /** Every query of the dashboard: panel targets and query variables. */
    static Map<String, String> dashboardQueries() throws IOException {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.put(
                        "panel '" + panel.path("title").asText() + "' "
                                + target.path("refId").asText(),
                        target.path("expr").asText());
            }
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                JsonNode query = v.path("query");
                queries.put(
                        "variable " + v.path("name").asText(),
                        query.isObject() ? query.path("query").asText() : query.asText());
            }
        }
        return queries;
    }

    // --- PromQL, just enough of it

    /** The metric names a PromQL expression (or a Grafana {@code label_values(selector, label)}) reads. */
    static Set<String> names(String expr) {
        Matcher lv = LABEL_VALUES.matcher(expr);
        String e = lv.matches() ? lv.group(1) : expr;
        e = STRING.matcher(e).replaceAll("\"\"");
        e = e.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        e = GROUPING.matcher(e).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(e);
        while (m.find()) {
            String word = m.group(1);
            int next = m.end();
            while (next < e.length() && Character.isWhitespace(e.charAt(next))) {
                next++;
            }
            boolean call = next < e.length() && e.charAt(next) == '(';
            if (!call && !KEYWORDS.contains(word.toLowerCase(Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }

    /** For each {@code name{...}} selector, the labels its matchers name. */
    static Map<String, Set<String>> selectors(String expr) {
        String e = STRING.matcher(expr).replaceAll("\"\"");
        Map<String, Set<String>> selectors = new LinkedHashMap<>();
        Matcher m = SELECTOR.matcher(e);
        while (m.find()) {
            Set<String> labels = selectors.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            Matcher l = MATCHER.matcher(m.group(2));
            while (l.find()) {
                labels.add(l.group(1));
            }
        }
        return selectors;
    }

    // --- promtool

    /**
     * Runs promtool from the PATH; fails (never skips) when it is not installed, and when it does not finish within
     * two minutes (its output goes to a file: a hung promtool fails the test instead of blocking the build).
     */
    static String promtool(String... args) {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        return new String(
                Tools.output(
                        Duration.ofMinutes(2),
                        "Debian's 'prometheus' package (apt-get install prometheus)",
                        command.toArray(String[]::new)),
                StandardCharsets.UTF_8);
    }
}
