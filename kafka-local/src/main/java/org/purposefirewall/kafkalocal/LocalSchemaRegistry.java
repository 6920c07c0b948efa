package org.purposefirewall.kafkalocal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Confluent-compatible schema registry (Apicurio Registry 2.4.2.Final, built by the {@code test-registry}
 * module) running as a child process of the current JVM on 127.0.0.1.
 *
 * <p><strong>For tests, the demo and scripts only; never for production.</strong> It has no authentication and
 * keeps its schemas in an H2 database in memory or in a temporary directory.
 *
 * <h2>Lifecycle</h2>
 * {@link #start(Path, Options)} launches {@code java -jar quarkus-run.jar} and returns only once
 * {@code GET /health/ready} answers 200. {@link #stop()} ends the process (SIGTERM, then a forced kill after
 * {@value #STOP_TIMEOUT_SECONDS} s) and {@link #restart()} starts it again on the same port, for outage tests.
 * {@link #close()} stops it for good and deletes its temporary directory (log file and any persistent storage).
 * A shutdown hook kills the process should the JVM exit without {@link #close()}; still, use
 * try-with-resources.
 *
 * <h2>Storage</h2>
 * {@link Storage#IN_MEMORY} (the default) keeps schemas in an in-memory H2 database: a {@link #restart()} comes
 * back <em>empty</em>, and the ids it hands out start again at 1, so ids cached by clients before the restart may
 * then name different schemas. {@link Storage#PERSISTENT} keeps them in a file-based H2 database in this
 * registry's temporary directory, written through on every commit, so that schemas and ids survive
 * {@link #restart()}, even after a forced kill, until {@link #close()}.
 *
 * <h2>Network and environment</h2>
 * The registry binds 127.0.0.1 only. A port given as {@code 0} is replaced by a free ephemeral port picked just
 * before launch; should another process take it in between, the launch is retried on another free port. The child
 * process gets a minimal environment ({@code PATH}, {@code HOME}, locale, time zone, temporary directory) so that
 * variables the registry reads, such as {@code REGISTRY_AUTH_ENABLED}, {@code KAFKA_BOOTSTRAP_SERVERS} or
 * {@code SENTRY_DSN}, cannot reconfigure it, and its error reporting to Sentry is pinned to a no-op. Its output
 * goes to {@link #logFile()}, not to this JVM's console.
 *
 * <h2>Threads</h2>
 * All methods are safe to call from any thread; {@link #start(Path, Options)}, {@link #stop()},
 * {@link #restart()} and {@link #close()} block the calling thread.
 */
public final class LocalSchemaRegistry implements AutoCloseable {

    /** The only address the registry binds. */
    public static final String HOST = "127.0.0.1";

    /** The system property naming the registry jar, read first by {@link #locateJar()}. */
    public static final String JAR_PROPERTY = "purposefirewall.registry.jar";

    /** Where the {@code test-registry} module builds the jar, relative to the repository root. */
    public static final Path JAR_IN_REPOSITORY = Path.of("test-registry", "target", "quarkus-app", "quarkus-run.jar");

    /** How long {@link #start(Path, Options)} and {@link #restart()} wait, by default, for readiness. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(90);

    /** Base path of the Confluent-compatible API. */
    public static final String CONFLUENT_PATH = "/apis/ccompat/v7";

    /** Base path of Apicurio's own v2 API, used by Apicurio's serdes. */
    public static final String APICURIO_V2_PATH = "/apis/registry/v2";

    static final long STOP_TIMEOUT_SECONDS = 15;

    private static final Logger LOG = LoggerFactory.getLogger(LocalSchemaRegistry.class);
    private static final String HEAP = "-Xmx256m";
    private static final String READY_PATH = "/health/ready";
    private static final long POLL_INTERVAL_MS = 200;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final int LOG_TAIL_LINES = 40;
    private static final int PORT_ATTEMPTS = 3;
    private static final String IN_MEMORY_URL = "jdbc:h2:mem:registry_db";

    /** Environment variables passed on to the child; it needs none, these only keep locale and paths sane. */
    private static final Set<String> INHERITED_ENVIRONMENT = Set.of(
            "PATH", "HOME", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TEMP", "TMP",
            "SystemRoot", "WINDIR");

    /**
     * System properties this class sets itself. {@code REGISTRY_DATASOURCE_URL} is the variable Apicurio's own
     * configuration expands into {@code %prod.quarkus.datasource.jdbc.url}; Quarkus reads it from system
     * properties as well, and a plain {@code -Dquarkus.datasource.jdbc.url} would lose to that profile entry.
     */
    private static final Set<String> RESERVED_PROPERTIES = Set.of(
            "quarkus.http.host",
            "quarkus.http.port",
            "REGISTRY_DATASOURCE_URL",
            "quarkus.datasource.jdbc.url",
            "%prod.quarkus.datasource.jdbc.url");

    /** Where the registry keeps its schemas. */
    public enum Storage {
        /** An in-memory H2 database: fast, and empty again after every {@link LocalSchemaRegistry#restart()}. */
        IN_MEMORY,
        /** A file-based H2 database in the registry's temporary directory: kept across restarts until close. */
        PERSISTENT
    }

    /**
     * How to start a {@link LocalSchemaRegistry}. Immutable; start from {@link #defaults()} and derive with the
     * {@code with…} methods.
     *
     * @param port             the HTTP port on 127.0.0.1, or 0 for a free ephemeral port
     * @param storage          where the schemas live; see {@link Storage}
     * @param readyTimeout     how long a start or restart waits for {@code /health/ready}
     * @param systemProperties extra {@code -D} settings for the registry (Quarkus or Apicurio configuration, e.g.
     *                         {@code registry.ccompat.use-canonical-hash=true}); may not set the host, the port or
     *                         the datasource URL, which the other components determine
     */
    public record Options(int port, Storage storage, Duration readyTimeout, Map<String, String> systemProperties) {

        /**
         * @throws IllegalArgumentException if the port is outside 0–65535, the timeout is not positive, or
         *                                  {@code systemProperties} holds a reserved, null or empty key or a null
         *                                  value
         */
        public Options {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be within 0..65535, was " + port);
            }
            Objects.requireNonNull(storage, "storage");
            Objects.requireNonNull(readyTimeout, "readyTimeout");
            if (readyTimeout.isNegative() || readyTimeout.isZero()) {
                throw new IllegalArgumentException("readyTimeout must be positive, was " + readyTimeout);
            }
            systemProperties = ReservedProperties.validated("systemProperties", systemProperties, true,
                    "null or empty keys or null values", RESERVED_PROPERTIES, "port and storage");
        }

        /** An ephemeral port, in-memory storage, {@link #DEFAULT_READY_TIMEOUT}, no extra properties. */
        public static Options defaults() {
            return new Options(0, Storage.IN_MEMORY, DEFAULT_READY_TIMEOUT, Map.of());
        }

        /** A copy with the given port (0 = free ephemeral port). */
        public Options withPort(int newPort) {
            return new Options(newPort, storage, readyTimeout, systemProperties);
        }

        /** A copy with the given storage. */
        public Options withStorage(Storage newStorage) {
            return new Options(port, newStorage, readyTimeout, systemProperties);
        }

        /** A copy with the given readiness timeout. */
        public Options withReadyTimeout(Duration newReadyTimeout) {
            return new Options(port, storage, newReadyTimeout, systemProperties);
        }

        /** A copy with one more system property for the registry, replacing any previous value of {@code key}. */
        public Options withSystemProperty(String key, String value) {
            Map<String, String> merged = new HashMap<>(systemProperties);
            merged.put(key, value);
            return new Options(port, storage, readyTimeout, merged);
        }
    }

    private final Path jar;
    private final Options options;
    private final int port;
    /** This registry's own temporary directory: the log file and, if persistent, the database. */
    private final Path tempDir;
    private final Path logFile;
    private final HttpClient http;
    private final Thread shutdownHook;

    private final Object lock = new Object();
    private Process process;
    private boolean closed;

    private LocalSchemaRegistry(Path jar, Options options, int port, Path tempDir, HttpClient http) {
        this.jar = jar;
        this.options = options;
        this.port = port;
        this.tempDir = tempDir;
        this.logFile = tempDir.resolve("registry.log");
        this.http = http;
        this.shutdownHook = new Thread(this::killOnJvmExit, "local-schema-registry-shutdown-" + port);
    }

    /**
     * Starts a registry from the given jar on a free port with in-memory storage.
     *
     * @see #start(Path, Options)
     */
    public static LocalSchemaRegistry start(Path quarkusRunJar) {
        return start(quarkusRunJar, Options.defaults());
    }

    /**
     * Starts a registry from the given jar on the given port (0 = free port) with in-memory storage.
     *
     * @see #start(Path, Options)
     */
    public static LocalSchemaRegistry start(Path quarkusRunJar, int port) {
        return start(quarkusRunJar, Options.defaults().withPort(port));
    }

    /**
     * Launches the registry as a child process and returns once it is ready; typically 4–10 s. On failure nothing
     * keeps running and the temporary directory is deleted.
     *
     * @param quarkusRunJar the {@code quarkus-run.jar} of the {@code test-registry} module; see {@link #locateJar()}
     * @param options       port, storage, readiness timeout and extra settings
     * @return the running registry, which the caller must {@link #close()}
     * @throws IllegalArgumentException if the jar does not exist
     * @throws IllegalStateException    if the registry exits or is not ready in time (the message holds the last
     *                                  lines of its log), or the thread is interrupted (its flag is then set again)
     * @throws UncheckedIOException     if the temporary directory or the process cannot be created
     */
    public static LocalSchemaRegistry start(Path quarkusRunJar, Options options) {
        Objects.requireNonNull(quarkusRunJar, "quarkusRunJar");
        Objects.requireNonNull(options, "options");
        Path jar = quarkusRunJar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("No registry jar at " + jar + "; build it with "
                    + "`mvn -pl test-registry package` from the repository root");
        }
        Path tempDir;
        try {
            tempDir = Files.createTempDirectory("purpose-firewall-registry-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory for the registry", e);
        }
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(PROBE_TIMEOUT)
                .build();
        try {
            int attempts = options.port() == 0 ? PORT_ATTEMPTS : 1;
            for (int attempt = 1; ; attempt++) {
                int port = options.port() == 0 ? freePort() : options.port();
                LocalSchemaRegistry registry = new LocalSchemaRegistry(jar, options, port, tempDir, http);
                // Registered before the launch so that no moment exists where the process could outlive the JVM.
                Runtime.getRuntime().addShutdownHook(registry.shutdownHook);
                try {
                    registry.launch();
                    return registry;
                } catch (RuntimeException | Error e) {
                    removeShutdownHook(registry.shutdownHook);
                    if (!(e instanceof PortTakenException)) {
                        throw e;
                    }
                    if (attempt >= attempts) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                    LOG.info("Port {} was taken before the registry could bind it; trying another", port);
                }
            }
        } catch (RuntimeException | Error e) {
            try {
                deleteRecursively(tempDir);
            } catch (UncheckedIOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Finds the registry jar: the path in system property {@value #JAR_PROPERTY} if set, otherwise
     * {@code test-registry/target/quarkus-app/quarkus-run.jar} in the working directory or the nearest parent
     * holding it (tests run with their module directory as working directory).
     *
     * @throws IllegalStateException if the property names a missing file or no parent holds the jar; the message
     *                               says how to build it
     */
    public static Path locateJar() {
        String configured = System.getProperty(JAR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path jar = Path.of(configured).toAbsolutePath().normalize();
            if (Files.isRegularFile(jar)) {
                return jar;
            }
            throw new IllegalStateException("System property " + JAR_PROPERTY + " names " + jar
                    + ", which does not exist; build it with `mvn -pl test-registry package` from the repository root");
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(JAR_IN_REPOSITORY);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("No Apicurio Registry jar (" + JAR_IN_REPOSITORY + ") in " + start
                + " or any parent directory, and system property " + JAR_PROPERTY + " is not set; build it with "
                + "`mvn -pl test-registry package` from the repository root");
    }

    /** The registry's root URL, e.g. {@code http://127.0.0.1:18081}. */
    public String baseUrl() {
        return "http://" + HOST + ":" + port;
    }

    /** The Confluent-compatible API, e.g. {@code http://127.0.0.1:18081/apis/ccompat/v7}. */
    public String confluentUrl() {
        return baseUrl() + CONFLUENT_PATH;
    }

    /** Apicurio's own v2 API (for {@code apicurio.registry.url}), e.g. {@code http://127.0.0.1:18081/apis/registry/v2}. */
    public String apicurioV2Url() {
        return baseUrl() + APICURIO_V2_PATH;
    }

    /** The HTTP port; the same across {@link #restart()}. */
    public int port() {
        return port;
    }

    /** Where the schemas live. */
    public Storage storage() {
        return options.storage();
    }

    /**
     * The registry's combined stdout and stderr, appended to by every start. Deleted by {@link #close()}.
     */
    public Path logFile() {
        return logFile;
    }

    /** Whether the registry process is running (it may not be ready yet, or no longer). */
    public boolean isRunning() {
        synchronized (lock) {
            return process != null && process.isAlive();
        }
    }

    /**
     * Stops the registry process: SIGTERM, then a forced kill if it has not exited within
     * {@value #STOP_TIMEOUT_SECONDS} s. The port and, with {@link Storage#PERSISTENT}, the schemas stay reserved
     * for {@link #restart()}. Does nothing if already stopped.
     *
     * @throws IllegalStateException if the thread is interrupted (its flag is then set again); the process is
     *                               killed forcibly first
     */
    public void stop() {
        synchronized (lock) {
            if (process == null) {
                return;
            }
            Process stopping = process;
            process = null;
            long startNanos = System.nanoTime();
            try {
                terminate(stopping);
            } catch (InterruptedException e) {
                stopping.destroyForcibly();
                throw interrupted("stopping the registry on port " + port, e);
            }
            LOG.info("Local schema registry on port {} stopped in {} ms (exit code {})", port,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), stopping.exitValue());
        }
    }

    /**
     * Stops the registry if it runs, then starts it again on the same port and waits until it is ready. With
     * {@link Storage#IN_MEMORY} the registry comes back empty; with {@link Storage#PERSISTENT} it keeps its
     * schemas and ids.
     *
     * @throws IllegalStateException if this registry is closed, the restarted registry exits or is not ready in
     *                               time (e.g. another process took the port meanwhile; the registry is then left
     *                               stopped and may be restarted again), or the thread is interrupted
     */
    public void restart() {
        synchronized (lock) {
            requireOpen();
            stop();
            try {
                launch();
            } catch (PortTakenException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    /**
     * Stops the registry and deletes its temporary directory: the log file and any persistent storage.
     * Idempotent: later calls return at once.
     *
     * @throws RuntimeException the first error met; later steps still run
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            RuntimeException failure = null;
            try {
                stop();
            } catch (RuntimeException e) {
                failure = e;
            }
            removeShutdownHook(shutdownHook);
            try {
                deleteRecursively(tempDir);
            } catch (UncheckedIOException e) {
                failure = addTo(failure, e);
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    @Override
    public String toString() {
        return "LocalSchemaRegistry[" + baseUrl() + ", " + options.storage() + ", " + tempDir + "]";
    }

    /** The child's command line. */
    List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add(HEAP);
        command.add("-Dquarkus.http.host=" + HOST);
        command.add("-Dquarkus.http.port=" + port);
        command.add("-DREGISTRY_DATASOURCE_URL=" + datasourceUrl());
        // Apicurio calls Sentry's static API; without a DSN Sentry 1.x looks one up (JNDI, SENTRY_DSN, files)
        // and would report errors to whatever it found. A no-op DSN ends the lookup.
        command.add("-Dsentry.dsn=noop://localhost");
        command.add("-Dsentry.stacktrace.app.packages=io.apicurio");
        new TreeMap<>(options.systemProperties()).forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    private String datasourceUrl() {
        if (options.storage() == Storage.IN_MEMORY) {
            return IN_MEMORY_URL;
        }
        // WRITE_DELAY=0 writes every commit through, so schemas survive even a forced kill.
        return "jdbc:h2:file:" + tempDir.resolve("h2").resolve("registry") + ";WRITE_DELAY=0";
    }

    /** Starts the process and waits for readiness; on failure the process is killed and nothing is left running. */
    private void launch() {
        synchronized (lock) {
            long startNanos = System.nanoTime();
            // Otherwise whatever holds the port could answer the readiness probe in the registry's place.
            requirePortFree();
            ProcessBuilder builder = new ProcessBuilder(command())
                    .directory(tempDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            Map<String, String> environment = builder.environment();
            environment.keySet().retainAll(INHERITED_ENVIRONMENT);
            long logOffset;
            Process started;
            try {
                logOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
                started = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot launch the registry: " + String.join(" ", builder.command()), e);
            }
            try {
                awaitReady(started, logOffset);
            } catch (RuntimeException | Error e) {
                started.destroyForcibly();
                try {
                    started.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw e;
            }
            process = started;
            LOG.info("Local schema registry ready on {} ({} storage, pid {}) after {} ms", baseUrl(),
                    options.storage(), started.pid(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        }
    }

    private void awaitReady(Process started, long logOffset) {
        Duration timeout = options.readyTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(baseUrl() + READY_PATH))
                .timeout(PROBE_TIMEOUT)
                .GET()
                .build();
        String lastAnswer = "no answer yet";
        try {
            while (true) {
                if (!started.isAlive()) {
                    String tail = logTail(logOffset);
                    String message = "The registry exited with code " + started.exitValue() + " before it was ready on "
                            + baseUrl() + "; last lines of " + logFile + ":\n" + tail;
                    if (tail.contains("seems to be in use by another process") || tail.contains("Port already bound")
                            || tail.contains("Address already in use")) {
                        throw new PortTakenException(message);
                    }
                    throw new IllegalStateException(message);
                }
                try {
                    HttpResponse<String> response = http.send(probe, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200 && started.isAlive()) {
                        return;
                    }
                    lastAnswer = "HTTP " + response.statusCode() + " " + response.body().strip();
                } catch (ConnectException e) {
                    lastAnswer = "connection refused";
                } catch (IOException e) {
                    lastAnswer = e.toString();
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("The registry was not ready on " + baseUrl() + " within "
                            + timeout + " (last answer of " + READY_PATH + ": " + lastAnswer + "); killed it. Last lines of "
                            + logFile + ":\n" + logTail(logOffset));
                }
                Thread.sleep(POLL_INTERVAL_MS);
            }
        } catch (InterruptedException e) {
            throw interrupted("waiting for the registry on " + baseUrl(), e);
        }
    }

    /** The last {@value #LOG_TAIL_LINES} lines the current run wrote to the log file. */
    private String logTail(long fromOffset) {
        try {
            byte[] bytes = Files.readAllBytes(logFile);
            int from = (int) Math.min(fromOffset, bytes.length);
            String text = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
            Deque<String> tail = new ArrayDeque<>();
            text.lines().forEach(line -> {
                tail.addLast(line);
                if (tail.size() > LOG_TAIL_LINES) {
                    tail.removeFirst();
                }
            });
            return tail.isEmpty() ? "(empty)" : String.join("\n", tail);
        } catch (IOException e) {
            return "(cannot read the log: " + e + ")";
        }
    }

    private void requirePortFree() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port), 1);
        } catch (IOException e) {
            throw new PortTakenException("Port " + port + " on " + HOST + " is in use by another process: " + e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("This local schema registry is closed: " + this);
        }
    }

    /** The shutdown hook: no logging (the logging system may be gone), just make sure nothing outlives the JVM. */
    private void killOnJvmExit() {
        Process running;
        synchronized (lock) {
            running = process;
            process = null;
        }
        if (running != null) {
            try {
                terminate(running);
            } catch (InterruptedException e) {
                running.destroyForcibly();
            }
        }
        try {
            deleteRecursively(tempDir);
        } catch (UncheckedIOException ignored) {
            // Best effort while the JVM exits.
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook runs anyway and finds nothing left to do.
        }
    }

    private static void terminate(Process running) throws InterruptedException {
        running.destroy();
        if (!running.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            running.destroyForcibly();
            running.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** The java launcher of the running JVM, so that the registry runs on the same Java as the caller. */
    private static String javaExecutable() {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        Path fromHome = Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
        if (Files.isExecutable(fromHome)) {
            return fromHome.toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + HOST, e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }

    private static RuntimeException addTo(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private static IllegalStateException interrupted(String activity, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new IllegalStateException("Interrupted while " + activity, e);
    }

    /** The registry exited because its port was taken: worth another free port when the caller asked for any. */
    private static final class PortTakenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }
}
