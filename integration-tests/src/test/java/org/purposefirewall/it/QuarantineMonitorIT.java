package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.purposefirewall.it.EndToEndSupport.loadApplicationConfig;
import static org.purposefirewall.it.EndToEndSupport.prefixed;
import static org.purposefirewall.it.EndToEndSupport.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.purposefirewall.app.FirewallApp;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.HttpSettings;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.FirewallTopics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.fixtures.ScenarioTraffic.Event;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.http.HttpEndpoint;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.it.EndToEndSupport.Output;
import org.purposefirewall.it.EndToEndSupport.OutputCollector;
import org.purposefirewall.monitor.MonitorSettings;
import org.purposefirewall.monitor.QuarantineMonitor;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * The quarantine monitor page in a real headless Chromium, over what the real firewall wrote on a real broker:
 * {@link ScenarioTraffic} for {@value #USERS} users (every quarantine reason, a tripwire hit in free text, all five
 * malformed kinds) plus a honeytoken. The page must show the counts per reason read back from the output topics,
 * the honeytoken banner and the latest rows with digest prefixes of the right identifiers; its HTML and every API
 * response must hold no raw identifier and no full digest (hex in each form and case, base64 of the SHA-256) of
 * anything sent. A second monitor started afterwards rebuilds the same counts from the lookback. The screenshot is
 * saved to {@code target/monitor.png}.
 *
 * <p>Needs Chromium and chromedriver ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver}, or the
 * {@code CHROME_BIN} and {@code CHROMEDRIVER} environment variables): without them the test fails when
 * {@code CI=true} and is skipped otherwise.
 */
class QuarantineMonitorIT {

    @RegisterExtension
    static final SharedBroker BROKER = new SharedBroker();

    private static final int USERS = 100;
    private static final int PARTITIONS = 2;
    private static final String HONEYTOKEN_PHONE = "+1 202 555 0147";
    private static final String HONEYTOKEN_LABEL = "canary-phone-1";
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Pattern DIGEST_SHOWN = Pattern.compile("(sha256|sha1|md5):[0-9a-f]{8}");
    /** Any run of hex long enough to be a digest (MD5 is 32), or of base64 long enough to be a SHA-256 (43). */
    private static final Pattern LONG_HEX = Pattern.compile("[0-9a-fA-F]{32,}");
    private static final Pattern LONG_BASE64 = Pattern.compile("[A-Za-z0-9+/_-]{43,}");
    private static final Pattern USER_ID = Pattern.compile("user-\\d+");

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    @Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
    void thePageShowsTheFirewallsQuarantineAndDeadLettersRedactedAndRebuildsAfterARestart(@TempDir Path stateDir)
            throws Exception {
        Browser browser = Browser.locate();

        // Given the firewall with a honeytoken, its topics, and the monitor on an HTTP endpoint on a free port
        String unique = UUID.randomUUID().toString().substring(0, 8);
        FirewallConfig config = config(unique, stateDir);
        Topics topics = config.topics();
        FirewallTopics.createAll(BROKER.get(), topics, PARTITIONS);
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        ScenarioTraffic traffic = new ScenarioTraffic(topics, serdes, System.currentTimeMillis() - 3_600_000L);
        Map<Expected, Long> expected = traffic.expectedCounts(USERS);
        long expectedQuarantined = expected.get(Expected.QUARANTINE) + 1;
        long expectedDeadLettered = expected.get(Expected.DEAD_LETTER);
        MonitorSettings settings = new MonitorSettings(BROKER.get().bootstrapServers(), topics.quarantine(),
                topics.deadLetter(), Duration.ofHours(24), 50, Map.of());

        Set<String> forbidden = new HashSet<>();
        try (FirewallApp app = new FirewallApp(config, serdes);
             QuarantineMonitor monitor = new QuarantineMonitor(settings, FirewallSerdes.fromSettings(
                     config.schemaRegistry()), IdentifierNormalizer.of(config.identity()), Clock.systemUTC());
             KafkaProducer<String, byte[]> producer = EndToEndSupport.producer(BROKER.get().bootstrapServers(),
                     "it-monitor-producer-", Map.of());
             OutputCollector outputs = new OutputCollector(BROKER.get().bootstrapServers(), PARTITIONS, topics,
                     serdes, "it-monitor-reader-", Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1_000), null,
                     Duration.ofSeconds(5))) {
            monitor.start();
            HttpEndpoint endpoint = HttpEndpoint.start(new HttpSettings("127.0.0.1", 0), monitor.routes());
            app.start();
            EndToEndSupport.awaitRunning(app, DEADLINE);

            // When the scenario traffic and a contact point carrying the honeytoken go through the firewall
            produce(producer, traffic, serdes, topics, forbidden);
            outputs.pollUntilAtLeast(expectedQuarantined + expectedDeadLettered
                    + expected.get(Expected.FORWARD) + expected.get(Expected.SUPPRESS), DEADLINE);
            outputs.drain(Duration.ofSeconds(1));
            assertThat(outputs.of(Expected.QUARANTINE)).hasSize((int) expectedQuarantined);
            assertThat(outputs.of(Expected.DEAD_LETTER)).hasSize((int) expectedDeadLettered);
            Map<String, Long> quarantineReasons = new TreeMap<>();
            Set<String> expectedDigests = new HashSet<>();
            for (Output out : outputs.of(Expected.QUARANTINE)) {
                QuarantineRecord q = (QuarantineRecord) out.value();
                quarantineReasons.merge(q.getReason(), 1L, Long::sum);
                expectedDigests.add(digestPrefix(q.getRecord()));
            }
            Map<String, Long> deadLetterReasons = outputs.deadLetterReasons();
            assertThat(quarantineReasons).as("the traffic has every kind of quarantine")
                    .containsKeys("HONEYTOKEN", "REGISTERED_FOR_RESTRICTED_PURPOSE", "DECLARED_RESTRICTED_PURPOSE",
                            "RESTRICTED_IDENTIFIER_IN_FIELD");
            assertThat(deadLetterReasons).hasSize(5);

            // Then the page in Chromium shows what the firewall wrote
            String base = "http://127.0.0.1:" + endpoint.port();
            WebDriver driver = browser.start();
            try {
                driver.get(base + "/monitor");
                new WebDriverWait(driver, DEADLINE).until(d ->
                        text(d, "quarantined-total").equals(Long.toString(expectedQuarantined))
                                && text(d, "deadletter-total").equals(Long.toString(expectedDeadLettered))
                                && rows(d, "latest-quarantine").size() == expectedQuarantined
                                && "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-caught-up")));
                assertThat(tableCounts(driver, "by-reason")).as("quarantined per reason on the page")
                        .isEqualTo(quarantineReasons);
                assertThat(tableCounts(driver, "by-deadletter-reason")).as("dead-lettered per reason on the page")
                        .isEqualTo(deadLetterReasons);
                assertThat(tableCounts(driver, "by-source-system")).containsEntry("two-factor-auth",
                        (long) USERS / 20 * 4).containsEntry("account-recovery", (long) USERS / 20 * 2);
                assertThat(tableCounts(driver, "by-source-topic")).isEqualTo(
                        Map.of(topics.contactPoints(), expectedQuarantined));
                WebElement banner = driver.findElement(By.id("honeytoken-banner"));
                assertThat(banner.isDisplayed()).as("the honeytoken banner is shown").isTrue();
                assertThat(banner.getCssValue("background-color")).isEqualTo("rgba(185, 28, 28, 1)");
                assertThat(text(driver, "honeytoken-count")).isEqualTo("1");
                assertThat(text(driver, "honeytoken-label")).isEqualTo(HONEYTOKEN_LABEL);
                assertThat(text(driver, "honeytoken-total")).isEqualTo("1");

                List<String> digestsShown = new ArrayList<>();
                for (List<String> row : rows(driver, "latest-quarantine")) {
                    List<String> cells = row.subList(1, row.size());
                    assertThat(cells).hasSize(10);
                    assertThat(cells.get(4)).isIn("PHONE", "EMAIL", "MOBILE_AD_ID");
                    assertThat(cells.get(5)).matches(DIGEST_SHOWN);
                    assertThat(cells.get(9)).startsWith(topics.contactPoints() + "/");
                    digestsShown.add(cells.get(5));
                }
                assertThat(new HashSet<>(digestsShown)).as("digest prefixes of the quarantined identifiers")
                        .isEqualTo(expectedDigests);
                List<List<String>> deadRows = rows(driver, "latest-deadletter");
                assertThat(deadRows).hasSize((int) expectedDeadLettered);
                assertThat(deadRows.stream().map(r -> r.get(2)).toList())
                        .containsExactlyInAnyOrderElementsOf(deadLetterReasons.entrySet().stream()
                                .flatMap(e -> java.util.Collections.nCopies(e.getValue().intValue(), e.getKey())
                                        .stream()).toList());

                Path screenshot = Path.of("target", "monitor.png");
                Files.createDirectories(screenshot.getParent());
                Files.write(screenshot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
                System.out.println("[QuarantineMonitorIT] screenshot " + screenshot.toAbsolutePath());

                // And nothing on the page or in the API is an identifier or a full digest of one
                assertRedacted("the page's HTML", driver.getPageSource(), forbidden);
                assertRedacted("/monitor", get(base + "/monitor"), forbidden);
                assertRedacted("/monitor/api/summary", get(base + "/monitor/api/summary"), forbidden);
                assertRedacted("/monitor/api/latest", get(base + "/monitor/api/latest"), forbidden);
            } finally {
                driver.quit();
                endpoint.close();
            }
        }

        // When a new monitor starts over the same topics, Then it rebuilds the same counts from the lookback
        try (QuarantineMonitor restarted = new QuarantineMonitor(settings, FirewallSerdes.fromSettings(
                config.schemaRegistry()), IdentifierNormalizer.of(config.identity()), Clock.systemUTC())) {
            restarted.start();
            HttpEndpoint endpoint = HttpEndpoint.start(new HttpSettings("127.0.0.1", 0), restarted.routes());
            try {
                String summaryUrl = "http://127.0.0.1:" + endpoint.port() + "/monitor/api/summary";
                long end = System.nanoTime() + DEADLINE.toNanos();
                JsonNode body = json.readTree(get(summaryUrl));
                while (!body.get("caughtUp").asBoolean()) {
                    if (System.nanoTime() > end) {
                        fail("the restarted monitor did not catch up within %s: %s", DEADLINE, body);
                    }
                    Thread.sleep(200);
                    body = json.readTree(get(summaryUrl));
                }
                assertThat(body.at("/summary/quarantined").asLong()).isEqualTo(expectedQuarantined);
                assertThat(body.at("/summary/deadLettered").asLong()).isEqualTo(expectedDeadLettered);
                assertThat(body.at("/summary/honeytokens/hits").asLong()).isEqualTo(1);
                assertRedacted("/monitor/api/summary after the restart", body.toString(), forbidden);
            } finally {
                endpoint.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    /** The browser, or an assumption failure (a test failure when {@code CI=true}) naming what is missing. */
    private record Browser(File chromium, File chromedriver) {
        static Browser locate() {
            File chromium = new File(envOr("CHROME_BIN", "/usr/bin/chromium"));
            File driver = new File(envOr("CHROMEDRIVER", "/usr/bin/chromedriver"));
            if (!chromium.canExecute() || !driver.canExecute()) {
                String message = "Chromium (" + chromium + (chromium.canExecute() ? " found" : " missing")
                        + ") and chromedriver (" + driver + (driver.canExecute() ? " found" : " missing")
                        + ") are needed for the monitor's browser test: apt-get install chromium chromium-driver, "
                        + "or set CHROME_BIN and CHROMEDRIVER";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    fail(message);
                }
                Assumptions.abort(message);
            }
            return new Browser(chromium, driver);
        }

        WebDriver start() {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(chromium);
            options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1440,2200", "--hide-scrollbars", "--lang=en-US");
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver)
                    .usingAnyFreePort().build();
            return new ChromeDriver(service, options);
        }

        private static String envOr(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value;
        }
    }

    private FirewallConfig config(String unique, Path stateDir) {
        FirewallConfig file = loadApplicationConfig();
        Topics topics = prefixed(file.topics(), "monitor-" + unique + ".");
        FirewallConfig base = file.withBootstrapServers(BROKER.get().bootstrapServers())
                .withSchemaRegistry(file.schemaRegistry().withUrl("mock://it-monitor-" + unique))
                .withApplicationId("it-monitor-" + unique, stateDir);
        Honeytokens honeytokens = Honeytokens.of(List.of(
                new Honeytokens.Token(HONEYTOKEN_LABEL, IdentifierKind.PHONE, HONEYTOKEN_PHONE)),
                IdentifierNormalizer.of(base.identity()));
        return new FirewallConfig(base.applicationId(), base.bootstrapServers(), base.schemaRegistry(), topics,
                base.processing(), base.identity(), base.streams(), base.policyFile(), base.policy(), honeytokens);
    }

    /**
     * Produces consent and registrations first, then the contact points, a honeytoken's and the end-of-traffic
     * markers; collects every form of every identifier sent into {@code forbidden}.
     */
    private static void produce(KafkaProducer<String, byte[]> producer, ScenarioTraffic traffic, FirewallSerdes serdes,
                                Topics topics, Set<String> forbidden) throws Exception {
        List<Event> contacts = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            for (Event event : traffic.user(i)) {
                if (event.topic().equals(topics.contactPoints())) {
                    contacts.add(event);
                    continue;
                }
                if (event.topic().equals(topics.registrations())) {
                    PurposeRegistration r = serdes.registration().decode(event.value());
                    addForms(forbidden, r.getIdentifierType(), r.getValue());
                }
                producer.send(record(event)).get();
            }
        }
        producer.flush();
        long t = traffic.endTime(USERS) - 3;
        ContactPoint canary = ContactPoint.newBuilder().setUserId("user-canary").setIdentifierType(IdentifierType.PHONE)
                .setValue(HONEYTOKEN_PHONE).setSourceSystem("ads-audience-sync").setEventTime(Instant.ofEpochMilli(t))
                .setAttributes(Map.of()).build();
        contacts.add(new Event(topics.contactPoints(), "user-canary",
                serdes.contactPoint().encode(topics.contactPoints(), canary), t, Expected.QUARANTINE));
        for (Event event : contacts) {
            addContactForms(forbidden, serdes, event);
            producer.send(record(event));
        }
        for (Event marker : traffic.endOfTrafficMarkers(PARTITIONS, traffic.endTime(USERS))) {
            producer.send(record(marker));
        }
        producer.flush();
    }

    private static void addContactForms(Set<String> forbidden, FirewallSerdes serdes, Event event) {
        ContactPoint c;
        try {
            c = serdes.contactPoint().decode(event.value());
        } catch (RuntimeException notAContactPoint) {
            return; // a malformed scenario record: no identifier to decode
        }
        addForms(forbidden, c.getIdentifierType(), c.getValue());
        c.getAttributes().values().forEach(v -> {
            Matcher m = Pattern.compile("[^\\s]+@[^\\s]+").matcher(v);
            while (m.find()) {
                addForms(forbidden, IdentifierType.EMAIL, m.group());
            }
        });
    }

    /** The identifier as written, trimmed, lower-cased, as digits (with and without +), and every digest of it. */
    private static void addForms(Set<String> forbidden, IdentifierType type, String value) {
        String v = value.strip();
        if (v.length() < 6) {
            return; // blank or a tiny malformed value: nothing that could be recognised
        }
        forbidden.add(v);
        forbidden.add(v.toLowerCase(Locale.ROOT));
        forbidden.add(v.toUpperCase(Locale.ROOT));
        if (type == IdentifierType.PHONE) {
            String digits = v.replaceAll("\\D", "");
            if (digits.length() >= 8) {
                forbidden.add(digits);
                forbidden.add("+" + digits);
            }
        }
        if (type == IdentifierType.UNKNOWN) {
            return;
        }
        Normalization n = IdentifierNormalizer.normalize(IdentifierKind.valueOf(type.name()), v);
        if (n instanceof Normalization.Ok ok) {
            for (MatchKeys.Key key : ok.keys().all()) {
                forbidden.add(key.hex());
                forbidden.add(key.hex().toUpperCase(Locale.ROOT));
                if (key.form() == HashForm.SHA256) {
                    byte[] digest = HexFormat.of().parseHex(key.hex());
                    forbidden.add(Base64.getEncoder().encodeToString(digest));
                    forbidden.add(Base64.getEncoder().withoutPadding().encodeToString(digest));
                    forbidden.add(Base64.getUrlEncoder().encodeToString(digest));
                    forbidden.add(Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
                }
            }
        }
    }

    /** What the page must show for a quarantined contact point, recomputed here from its declared identifier. */
    private static String digestPrefix(ContactPoint c) {
        Normalization n = IdentifierNormalizer.normalize(IdentifierKind.valueOf(c.getIdentifierType().name()),
                c.getValue());
        assertThat(n).isInstanceOf(Normalization.Ok.class);
        MatchKeys keys = ((Normalization.Ok) n).keys();
        HashForm form = keys.get(HashForm.SHA256) != null ? HashForm.SHA256 : keys.arrivedAs();
        return form.name().toLowerCase(Locale.ROOT) + ":" + keys.get(form).substring(0, 8);
    }

    private static void assertRedacted(String what, String text, Set<String> forbidden) {
        assertThat(forbidden).as("identifier forms to look for").hasSizeGreaterThan(500);
        List<String> found = forbidden.stream().filter(text::contains).sorted().limit(5).toList();
        assertThat(found).as("identifiers or digests of them in %s", what).isEmpty();
        assertThat(LONG_HEX.matcher(text).results().map(r -> r.group()).toList())
                .as("digest-length hex in %s", what).isEmpty();
        assertThat(LONG_BASE64.matcher(text).results().map(r -> r.group()).toList())
                .as("digest-length base64 in %s", what).isEmpty();
        assertThat(USER_ID.matcher(text).results().map(r -> r.group()).toList())
                .as("user ids in %s", what).isEmpty();
    }

    private String get(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", url).isEqualTo(200);
        return response.body();
    }

    private static String text(WebDriver driver, String id) {
        return driver.findElement(By.id(id)).getText().replace(",", "");
    }

    /**
     * The body rows of one of the page's tables as cell texts, with the row's {@code data-label} first, read in one
     * script call: the page re-renders every 2 s, so element references would go stale between calls.
     */
    @SuppressWarnings("unchecked")
    private static List<List<String>> rows(WebDriver driver, String table) {
        Object rows = ((JavascriptExecutor) driver).executeScript(
                "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody tr'))"
                        + ".filter(r => !r.querySelector('td.empty'))"
                        + ".map(r => [r.dataset.label || ''].concat(Array.from(r.cells).map(c => c.textContent)));",
                table);
        return (List<List<String>>) rows;
    }

    /** Label to total of one of the page's count tables. */
    private static Map<String, Long> tableCounts(WebDriver driver, String table) {
        Map<String, Long> counts = new TreeMap<>();
        for (List<String> row : rows(driver, table)) {
            counts.put(row.get(0), Long.parseLong(row.get(2).replace(",", "")));
        }
        return counts;
    }
}
