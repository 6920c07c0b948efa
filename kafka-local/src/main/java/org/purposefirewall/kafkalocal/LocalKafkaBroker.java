package org.purposefirewall.kafkalocal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaRaftServer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker (KRaft, broker and controller in one node) running inside the current JVM.
 *
 * <p><strong>For tests, the demo and benchmarks only; never for production.</strong> It has one replica of
 * everything, no security, and Kafka's own fatal-error handling may halt the whole JVM it runs in.
 *
 * <h2>Lifecycle</h2>
 * {@link #start()} formats the log directory, starts the broker and returns only once the broker serves
 * clients on {@link #bootstrapServers()}. {@link #close()} stops the broker, waits for it to stop and, if the
 * log directory was a temporary one created by {@link #start(Options)}, deletes it. The broker runs on
 * non-daemon threads of its own, so a JVM that starts one must {@link #close()} it to exit normally;
 * use try-with-resources or a shutdown hook.
 *
 * <h2>Network</h2>
 * Both listeners bind 127.0.0.1 only, in plaintext. A port given as {@code 0} is replaced by a free
 * ephemeral port picked just before the broker starts; another process could take it in between, which is
 * improbable and then fails {@link #start(Options)} with Kafka's bind error.
 *
 * <h2>Threads</h2>
 * All methods are safe to call from any thread. {@link #start(Options)}, the topic methods and
 * {@link #close()} block the calling thread. The topic methods share one {@link Admin} client, created on
 * first use and closed by {@link #close()}.
 *
 * <h2>Defaults</h2>
 * Replication factor 1 and min-ISR 1 for every internal topic (without them Kafka Streams and transactions
 * wait forever for replicas that cannot exist), one partition for new and internal topics, no automatic topic
 * creation and no initial group-rebalance delay. {@link Options#brokerProperties()} override these.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    /** How long the topic methods wait, by default, for new topics to accept writes. */
    public static final Duration DEFAULT_TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    /** The only address the listeners bind and advertise. */
    public static final String HOST = KRaftNode.HOST;

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final short REPLICATION_FACTOR = 1;
    private static final long RETRY_BACKOFF_MS = 100;

    /**
     * The replication settings of a single node: one node can hold one replica only, so internal topics asking for
     * more are never created, and consumer groups, transactions and Kafka Streams then wait forever without an error.
     */
    private static final Map<String, String> SINGLE_NODE_DEFAULTS = singleNodeDefaults();

    /**
     * How to start a {@link LocalKafkaBroker}. Immutable; start from {@link #defaults()} and derive with the
     * {@code with…} methods.
     *
     * @param port             the client (PLAINTEXT) port on 127.0.0.1, or 0 for a free ephemeral port
     * @param controllerPort   the KRaft controller port on 127.0.0.1, or 0 for a free ephemeral port
     * @param logDir           the broker's log directory, kept on {@link LocalKafkaBroker#close()}; created if
     *                         missing and reused if already formatted. {@code null} means a new temporary
     *                         directory that {@link LocalKafkaBroker#close()} deletes
     * @param brokerProperties broker configuration applied over the defaults; may not contain the listener,
     *                         quorum, node-id or log-directory keys, which the other components determine
     */
    public record Options(int port, int controllerPort, Path logDir, Map<String, String> brokerProperties) {

        /**
         * @throws IllegalArgumentException if a port is outside 0–65535, both ports are the same non-zero
         *                                  port, or {@code brokerProperties} holds a reserved key, a null
         *                                  key or a null value
         */
        public Options {
            requirePort("port", port);
            requirePort("controllerPort", controllerPort);
            if (port != 0 && port == controllerPort) {
                throw new IllegalArgumentException("port and controllerPort must differ, both are " + port);
            }
            brokerProperties = ReservedProperties.validated("brokerProperties", brokerProperties, false,
                    "null keys or values", KRaftNode.RESERVED_PROPERTIES, "port, controllerPort and logDir");
        }

        /** Ephemeral ports, a temporary log directory, no extra broker properties. */
        public static Options defaults() {
            return new Options(0, 0, null, Map.of());
        }

        /** A copy with the given client port (0 = free ephemeral port). */
        public Options withPort(int newPort) {
            return new Options(newPort, controllerPort, logDir, brokerProperties);
        }

        /** A copy with the given controller port (0 = free ephemeral port). */
        public Options withControllerPort(int newControllerPort) {
            return new Options(port, newControllerPort, logDir, brokerProperties);
        }

        /** A copy with the given log directory ({@code null} = temporary directory deleted on close). */
        public Options withLogDir(Path newLogDir) {
            return new Options(port, controllerPort, newLogDir, brokerProperties);
        }

        /** A copy with one more broker property, replacing any previous value of {@code key}. */
        public Options withBrokerProperty(String key, String value) {
            return withBrokerProperties(Map.of(key, value));
        }

        /** A copy with the given broker properties added, replacing previous values of the same keys. */
        public Options withBrokerProperties(Map<String, String> more) {
            Map<String, String> merged = new HashMap<>(brokerProperties);
            merged.putAll(more);
            return new Options(port, controllerPort, logDir, merged);
        }

        private static void requirePort(String name, int value) {
            if (value < 0 || value > 65_535) {
                throw new IllegalArgumentException(name + " must be within 0..65535, was " + value);
            }
        }
    }

    private final KafkaRaftServer server;
    private final int port;
    private final int controllerPort;
    private final Path logDir;
    /** The temporary directory this broker created and must delete, or null when the caller owns logDir. */
    private final Path ownedTempDir;

    private final Object lock = new Object();
    private Admin admin;
    private boolean closed;

    private LocalKafkaBroker(KafkaRaftServer server, int port, int controllerPort, Path logDir, Path ownedTempDir) {
        this.server = server;
        this.port = port;
        this.controllerPort = controllerPort;
        this.logDir = logDir;
        this.ownedTempDir = ownedTempDir;
    }

    /**
     * Starts a broker with {@link Options#defaults()}: ephemeral ports and a temporary log directory.
     *
     * @see #start(Options)
     */
    public static LocalKafkaBroker start() {
        return start(Options.defaults());
    }

    /**
     * Formats the log directory (unless already formatted), starts the broker and returns once it serves
     * clients. Typically takes a few seconds. On failure nothing keeps running and a temporary log directory
     * is deleted.
     *
     * @param options ports, log directory and extra broker properties
     * @return the running broker, which the caller must {@link #close()}
     * @throws IllegalStateException if formatting the storage fails; the message holds the format tool's output
     * @throws UncheckedIOException  if the log directory or the configuration file cannot be written
     * @throws RuntimeException      whatever Kafka throws if the broker cannot start, e.g. a port in use
     */
    public static LocalKafkaBroker start(Options options) {
        Objects.requireNonNull(options, "options");
        long startNanos = System.nanoTime();
        int[] ports = KRaftNode.resolvePorts(options.port(), options.controllerPort());
        Path ownedTempDir = null;
        KafkaRaftServer server = null;
        try {
            Path logDir;
            if (options.logDir() == null) {
                ownedTempDir = Files.createTempDirectory("purpose-firewall-kafka-");
                logDir = ownedTempDir.resolve("logs");
            } else {
                logDir = options.logDir().toAbsolutePath();
            }
            Files.createDirectories(logDir);

            Map<String, String> properties = brokerProperties(ports[0], ports[1], logDir, options.brokerProperties());
            // A formatted directory carries its own cluster id, which a new format would contradict; reusing
            // it keeps a caller-owned log directory, and its topics, across restarts.
            if (!KRaftNode.isFormatted(logDir)) {
                KRaftNode.formatStorage(properties, Uuid.randomUuid().toString());
            }
            server = KRaftNode.startServer(properties);

            LocalKafkaBroker broker = new LocalKafkaBroker(server, ports[0], ports[1], logDir, ownedTempDir);
            LOG.info("Local Kafka broker serving on {} (log dir {}) after {} ms", broker.bootstrapServers(), logDir,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            return broker;
        } catch (IOException e) {
            cleanUpFailedStart(server, ownedTempDir, e);
            throw new UncheckedIOException("Cannot prepare the local Kafka broker's storage", e);
        } catch (RuntimeException | Error e) {
            cleanUpFailedStart(server, ownedTempDir, e);
            throw e;
        }
    }

    /** The {@code bootstrap.servers} value for clients of this broker, e.g. {@code 127.0.0.1:19092}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The client (PLAINTEXT) port this broker listens on. */
    public int port() {
        return port;
    }

    /** The KRaft controller port this broker listens on. */
    public int controllerPort() {
        return controllerPort;
    }

    /** The broker's log directory (absolute). It no longer exists after {@link #close()} if it was temporary. */
    public Path logDir() {
        return logDir;
    }

    /**
     * Creates one topic with replication factor 1 and the broker's default topic configuration, then waits until
     * every partition accepts writes.
     *
     * @see #createTopics(Map, Map)
     */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates one topic with replication factor 1 and the given topic configuration (e.g.
     * {@code cleanup.policy=compact}), then waits until every partition accepts writes.
     *
     * @param name         the topic name
     * @param partitions   the number of partitions
     * @param topicConfigs topic-level configuration; empty for the broker defaults
     * @see #createTopics(Map, Map)
     */
    public void createTopic(String name, int partitions, Map<String, String> topicConfigs) {
        createTopics(Map.of(name, partitions), topicConfigs);
    }

    /**
     * Creates topics with replication factor 1, all with the same topic configuration, then waits up to
     * {@link #DEFAULT_TOPIC_READY_TIMEOUT} until every partition accepts writes, so that a producer started
     * right after does not meet {@code NOT_LEADER_OR_FOLLOWER}.
     *
     * @param topicPartitions topic name to partition count
     * @param topicConfigs    topic-level configuration applied to each topic; empty for the broker defaults
     * @throws IllegalStateException if the broker rejects a topic (the cause says why, e.g. that it exists),
     *                               the topics are not ready in time, the thread is interrupted (its interrupt
     *                               flag is then set again) or this broker is closed
     */
    public void createTopics(Map<String, Integer> topicPartitions, Map<String, String> topicConfigs) {
        Objects.requireNonNull(topicPartitions, "topicPartitions");
        Objects.requireNonNull(topicConfigs, "topicConfigs");
        List<NewTopic> newTopics = new ArrayList<>();
        topicPartitions.forEach((name, partitions) ->
                newTopics.add(new NewTopic(name, partitions, REPLICATION_FACTOR).configs(topicConfigs)));
        Duration timeout = DEFAULT_TOPIC_READY_TIMEOUT;
        try {
            admin().createTopics(newTopics, new CreateTopicsOptions().timeoutMs((int) timeout.toMillis()))
                    .all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create topics " + topicPartitions.keySet() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Topics " + topicPartitions.keySet() + " not created within " + timeout, e);
        } catch (InterruptedException e) {
            throw interrupted("creating topics " + topicPartitions.keySet(), e);
        }
        awaitTopicsReady(topicPartitions.keySet(), timeout);
    }

    /**
     * Waits up to {@link #DEFAULT_TOPIC_READY_TIMEOUT} until every partition of the given topics accepts writes.
     *
     * @see #awaitTopicsReady(Collection, Duration)
     */
    public void awaitTopicsReady(Collection<String> topics) {
        awaitTopicsReady(topics, DEFAULT_TOPIC_READY_TIMEOUT);
    }

    /**
     * Waits until the given topics exist and every one of their partitions has a leader answering offset
     * requests. Use it for topics created by someone else (a Kafka Streams application, another Admin) before
     * producing to them.
     *
     * @param topics  the topics to wait for; returns at once if empty
     * @param timeout how long to wait in total
     * @throws IllegalStateException if the topics are not ready within {@code timeout} (the cause is the last
     *                               error seen), the thread is interrupted (its interrupt flag is then set
     *                               again) or this broker is closed
     */
    public void awaitTopicsReady(Collection<String> topics, Duration timeout) {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(timeout, "timeout");
        if (topics.isEmpty()) {
            return;
        }
        try {
            TopicReadiness.await(this::admin, topics, System.nanoTime() + timeout.toNanos(), timeout, Long.MAX_VALUE,
                    RETRY_BACKOFF_MS);
        } catch (InterruptedException e) {
            throw interrupted("waiting for topics " + topics, e);
        }
    }

    /**
     * Stops the broker and waits until it has stopped, then deletes the log directory if it is a temporary one
     * this broker created. Idempotent: later calls return at once; a call racing the first one waits for it.
     *
     * @throws RuntimeException the first error met while stopping; later steps still run
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            RuntimeException failure = null;
            if (admin != null) {
                try {
                    admin.close(Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                    failure = e;
                }
                admin = null;
            }
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                failure = addTo(failure, e);
            }
            if (ownedTempDir != null) {
                try {
                    Utils.delete(ownedTempDir.toFile());
                } catch (IOException e) {
                    failure = addTo(failure, new UncheckedIOException("Cannot delete " + ownedTempDir, e));
                }
            }
            LOG.info("Local Kafka broker on {} stopped", bootstrapServers());
            if (failure != null) {
                throw failure;
            }
        }
    }

    @Override
    public String toString() {
        return "LocalKafkaBroker[" + bootstrapServers() + ", controller port " + controllerPort + ", " + logDir + "]";
    }

    private Admin admin() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("This local Kafka broker is closed: " + this);
            }
            if (admin == null) {
                admin = Admin.create(Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                        AdminClientConfig.CLIENT_ID_CONFIG, "kafka-local-admin-" + port));
            }
            return admin;
        }
    }

    /** The broker configuration: the shared node settings, replication factor 1 everywhere, then the extras. */
    static Map<String, String> brokerProperties(int port, int controllerPort, Path logDir, Map<String, String> extra) {
        Map<String, String> overrides = new LinkedHashMap<>(SINGLE_NODE_DEFAULTS);
        overrides.putAll(extra);
        return KRaftNode.properties(NODE_ID, port, controllerPort, KRaftNode.voter(NODE_ID, controllerPort), logDir,
                overrides);
    }

    private static Map<String, String> singleNodeDefaults() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("default.replication.factor", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        return Map.copyOf(p);
    }

    private static void cleanUpFailedStart(KafkaRaftServer server, Path ownedTempDir, Throwable failure) {
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        if (ownedTempDir != null) {
            try {
                Utils.delete(ownedTempDir.toFile());
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
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
        return TopicReadiness.interrupted(activity, e);
    }
}
