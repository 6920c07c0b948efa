package org.purposefirewall.campaign;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.purposefirewall.app.ClassDataArchive;
import org.purposefirewall.app.PurposeFirewallMain;
import org.purposefirewall.config.Topics;

/**
 * One firewall instance: a JVM of its own running {@code run --config <its file>}, with its own config file (the
 * shipped {@code application.yaml} and {@code policy.yaml}, copied, with the campaign's cluster, topics, registry,
 * state directory and HTTP port), state directory and log file (appended across restarts, each start marked).
 * Not thread-safe: the campaign's main and chaos threads hand it over, never use it at once.
 */
final class FirewallInstance {

    /** What goes into every instance's config beyond the shipped file. */
    record Settings(String applicationId, String bootstrapServers, Topics topics, String registryUrl,
                    int replicationFactor, int sessionTimeoutMs, boolean staticMembership, int standbyReplicas,
                    boolean transactionalStateStores, String heap, List<String> javaOptions,
                    Map<String, String> streamsSettings, Path classDataArchive) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path dir;
    private final Path config;
    private final Path log;
    private final int httpPort;
    private final ChildJvm jvm;
    private final Settings settings;
    private Process process;
    private Instant startedAt;
    private int starts;

    FirewallInstance(int index, Path runDir, Path shippedConfigDir, Settings settings, ChildJvm jvm) {
        this.name = "firewall-" + index;
        this.dir = runDir.resolve(name);
        this.config = dir.resolve("application.yaml");
        this.log = dir.resolve(name + ".log");
        this.httpPort = SingleNodeCluster.freePorts(1)[0];
        this.jvm = jvm;
        this.settings = settings;
        writeConfig(shippedConfigDir);
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    int httpPort() {
        return httpPort;
    }

    int starts() {
        return starts;
    }

    Instant startedAt() {
        return startedAt;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the process (it must not run); returns at once. */
    void start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " already runs");
        }
        starts++;
        startedAt = Instant.now();
        try {
            Files.writeString(log, "==== campaign: start " + starts + " of " + name + " at " + startedAt + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The service's own logback.xml, whatever else the class path holds (a test's logback-test.xml would win and
        // hide the state lines the report reads).
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx" + settings.heap(), "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=logback.xml"));
        if (settings.classDataArchive() != null) {
            // Decided at each start: the archive appears a minute after an instance first runs, and later starts
            // of every instance map it.
            jvmArgs.addAll(ClassDataArchive.jvmOptions(settings.classDataArchive(), jvm.classPath()));
        }
        jvmArgs.addAll(settings.javaOptions());
        List<String> args = new ArrayList<>(List.of("run", "--config", config.toString()));
        String main = PurposeFirewallMain.class.getName();
        if (settings.registryUrl().startsWith("mock://")) {
            jvmArgs.add("-D" + FirewallLauncher.SCOPE_PROPERTY + "=" + settings.registryUrl().substring("mock://".length()));
            main = FirewallLauncher.class.getName();
            args.add("--allow-in-memory-registry");
        }
        process = jvm.start(jvmArgs, main, args, log);
    }

    /** kill -9, waiting for the process to end. */
    void kill() {
        if (process != null) {
            ChildJvm.kill(process);
        }
    }

    /** SIGTERM (the firewall closes Kafka Streams and exits 0), waiting up to 60 s, then -9. */
    void stop() {
        if (process != null) {
            ChildJvm.stop(process, 60);
        }
    }

    /** The exit code of a process that ended, or null while it runs or before the first start. */
    Integer exitCode() {
        return process == null || process.isAlive() ? null : process.exitValue();
    }

    /** True once {@code /health/ready} answers 200 (Kafka Streams RUNNING: tasks assigned, stores restored). */
    boolean ready() {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/health/ready")).timeout(Duration.ofSeconds(2))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** This instance's starts so far, read back from its log ({@link InstanceStart#parse}). */
    List<InstanceStart> startsFromLog() {
        try (java.util.stream.Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return InstanceStart.parse(lines, java.time.ZoneId.systemDefault());
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    private void writeConfig(Path shippedConfigDir) {
        try {
            Files.createDirectories(dir.resolve("state"));
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
            @SuppressWarnings("unchecked")
            Map<String, Object> root = yaml.readValue(shippedConfigDir.resolve("application.yaml").toFile(),
                    LinkedHashMap.class);
            Files.copy(shippedConfigDir.resolve("policy.yaml"), dir.resolve("policy.yaml"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            root.put("application-id", settings.applicationId());
            root.put("bootstrap-servers", settings.bootstrapServers());
            root.put("policy-file", "policy.yaml");
            root.remove("shadow-policy-file");
            Map<String, Object> registry = section(root, "schema-registry");
            registry.put("schema.registry.url", settings.registryUrl());
            Topics t = settings.topics();
            Map<String, Object> topics = section(root, "topics");
            topics.put("contact-points", t.contactPoints());
            topics.put("consent", t.consent());
            topics.put("registrations", t.registrations());
            topics.put("audience", t.audience());
            topics.put("quarantine", t.quarantine());
            topics.put("suppressed", t.suppressed());
            topics.put("dead-letter", t.deadLetter());
            topics.put("recalls", t.recalls());
            topics.put("shadow-decisions", t.shadowDecisions());
            topics.put("guarded", List.of());
            Map<String, Object> processing = section(root, "processing");
            processing.put("state-dir", dir.resolve("state").toString());
            processing.put("group-instance-id", settings.staticMembership() ? name : "none");
            if (settings.standbyReplicas() > 0) {
                processing.put("num-standby-replicas", settings.standbyReplicas());
            }
            processing.put("transactional-state-stores", settings.transactionalStateStores());
            Map<String, Object> http = section(root, "http");
            http.put("bind-address", "127.0.0.1");
            http.put("port", httpPort);
            Map<String, Object> streams = section(root, "streams");
            if (settings.sessionTimeoutMs() > 0) {
                streams.put("session.timeout.ms", settings.sessionTimeoutMs());
                streams.put("heartbeat.interval.ms", Math.max(500, settings.sessionTimeoutMs() / 4));
            }
            streams.putAll(settings.streamsSettings());
            if (settings.replicationFactor() > 1) {
                streams.put("replication.factor", settings.replicationFactor());
                streams.put("topic.min.insync.replicas", Math.min(2, settings.replicationFactor()));
            }
            yaml.writeValue(config.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> root, String key) {
        Object value = root.get(key);
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) map);
            root.put(key, copy);
            return copy;
        }
        Map<String, Object> fresh = new LinkedHashMap<>();
        root.put(key, fresh);
        return fresh;
    }
}
