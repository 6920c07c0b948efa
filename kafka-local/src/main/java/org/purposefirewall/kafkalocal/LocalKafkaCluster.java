package org.purposefirewall.kafkalocal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeMetadataQuorumOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N combined broker+controller KRaft nodes, each a separate JVM ({@link LocalKafkaNodeMain}), on 127.0.0.1 with free
 * ports, one quorum: a real cluster to kill nodes of, for failure tests and campaigns.
 *
 * <p><strong>For tests only; never for production.</strong> No security, small heaps, plaintext on loopback.
 *
 * <h2>Lifecycle</h2>
 * {@link #start(int, Path)} formats every node's storage with one cluster id, launches one JVM per node and returns
 * once every node is up. A node is <em>up</em> when its JVM has printed its ready line (its broker is registered
 * and unfenced) and Admin {@code describeCluster} lists it. {@link #stop(int)} (SIGTERM: controlled shutdown) and
 * {@link #kill(int)} (SIGKILL) end one node and wait for its JVM to exit; {@link #restart(int)} starts it again on
 * the same ports and log directory and returns once it is up and back in the ISR of its partitions.
 * {@link #close()} kills every node and deletes the directory if {@link #start(int, Path)} created it. A shutdown
 * hook kills the nodes should the JVM exit without {@link #close()}, and a node halts by itself once this JVM is
 * gone, even after a {@code kill -9} of it; still, use try-with-resources.
 *
 * <h2>Layout</h2>
 * Node {@code i} (ids 1..N) lives in {@code dir/node-i}: its data in {@code data/}, its broker settings in
 * {@code node.properties}, its JVM's stdout and stderr in {@code node.log} (appended to by every start; Kafka's
 * warnings, quorum transitions and the node's own lines), and its logging configuration in {@code logback.xml}.
 *
 * <h2>Defaults</h2>
 * {@link #DEFAULT_BROKER_PROPERTIES}: replication factor 3 (or N if smaller) and min-ISR 2 (or N) for new and
 * internal topics, no unclean leader election, small segments, few threads (3 nodes and a few clients share a
 * 2-core machine), on top of the settings every local node shares (no automatic topic creation, no initial
 * rebalance delay). The {@code brokerProperties} of {@link #start(int, Path, Map)} override them.
 *
 * <h2>What a failure costs</h2>
 * Kafka's own timings are kept, so that a test sees what a real cluster does: after a {@code kill -9} a new active
 * controller is elected within about 2 s ({@code controller.quorum.fetch.timeout.ms} 2 s), but the partitions the
 * killed node led accept no write until its broker session expires ({@code broker.session.timeout.ms}, 9 s) and
 * it is fenced; a graceful {@link #stop(int)} moves them first. Override those keys to test other settings.
 *
 * <h2>Threads</h2>
 * All methods are safe to call from any thread; operations on different nodes may run concurrently. The waiting
 * methods block the calling thread and share one {@link Admin} client, bootstrapped on every node, closed by
 * {@link #close()}.
 */
public final class LocalKafkaCluster implements AutoCloseable {

    /** How long {@link #start(int, Path)} waits, by default, for every node to be up. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(180);

    /** How long {@link #restart(int)} waits, by default, for the node to be up and caught up. */
    public static final Duration DEFAULT_RESTART_TIMEOUT = Duration.ofSeconds(180);

    /** How long {@link #stop(int)} waits for a graceful exit before it kills the node. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    /** The JVM options of every node: a small heap, one GC thread, and an exit rather than a limp on OOM. */
    public static final List<String> NODE_JVM_OPTIONS = List.of(
            "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true");

    /** The broker settings of a 3-node cluster; see the class comment. */
    public static final Map<String, String> DEFAULT_BROKER_PROPERTIES = clusterDefaults(3);

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaCluster.class);
    private static final long POLL_INTERVAL_MS = 200;
    private static final int PROBE_TIMEOUT_MS = 3_000;
    private static final int LOG_TAIL_LINES = 40;
    /** The most of a run's log read at once: enough for its ready line, which comes early. */
    private static final long MAX_LOG_READ_BYTES = 4L * 1024 * 1024;
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(60);

    /** One node: fixed identity, ports and files; the process changes with every start. */
    private static final class NodeProcess {
        final int id;
        final int port;
        final int controllerPort;
        final Path home;
        final Path dataDir;
        final Path logFile;
        final Path propertiesFile;
        final Path logbackFile;
        /** Written under the node's monitor; read anywhere. */
        volatile Process process;
        /** Where the current run's output starts in {@link #logFile}. */
        volatile long logOffset;

        NodeProcess(int id, int port, int controllerPort, Path home) {
            this.id = id;
            this.port = port;
            this.controllerPort = controllerPort;
            this.home = home;
            this.dataDir = home.resolve("data");
            this.logFile = home.resolve("node.log");
            this.propertiesFile = home.resolve("node.properties");
            this.logbackFile = home.resolve("logback.xml");
        }

        boolean isAlive() {
            Process p = process;
            return p != null && p.isAlive();
        }
    }

    /** By id, in id order, never changed after {@link #start(int, Path, Map)}. */
    private final Map<Integer, NodeProcess> nodes;
    private final Path dir;
    private final boolean ownsDir;
    private final String quorumVoters;
    private final Thread shutdownHook;
    private volatile boolean closed;
    /** Created on first use, once the nodes run, so that it does not log failed connections while they start. */
    private Admin admin;

    private LocalKafkaCluster(Map<Integer, NodeProcess> nodes, Path dir, boolean ownsDir, String quorumVoters) {
        this.nodes = nodes;
        this.dir = dir;
        this.ownsDir = ownsDir;
        this.quorumVoters = quorumVoters;
        this.shutdownHook = new Thread(this::killOnJvmExit, "local-kafka-cluster-shutdown");
    }

    /**
     * Starts {@code nodes} nodes with {@link #DEFAULT_BROKER_PROPERTIES}.
     *
     * @see #start(int, Path, Map)
     */
    public static LocalKafkaCluster start(int nodes, Path dir) {
        return start(nodes, dir, Map.of());
    }

    /**
     * Formats and starts {@code nodes} nodes, ids 1..{@code nodes}, and returns once every one is up; typically
     * 8–60 s for three on two busy cores. On failure nothing keeps running and a directory created here is deleted.
     *
     * @param nodes            how many nodes, at least 1; all are voters of the one quorum
     * @param dir              the cluster's directory; must be empty or absent ({@code null}: a new temporary
     *                         directory). Deleted by {@link #close()} if this method created it
     * @param brokerProperties broker settings over {@link #DEFAULT_BROKER_PROPERTIES}; may not set the listener,
     *                         quorum, node-id or log-directory keys
     * @throws IllegalArgumentException if {@code nodes < 1}, {@code dir} is not empty or the properties are invalid
     * @throws IllegalStateException    if a node exits or is not up within {@link #DEFAULT_START_TIMEOUT}; the
     *                                  message names the node and holds the last lines of its log file
     */
    public static LocalKafkaCluster start(int nodes, Path dir, Map<String, String> brokerProperties) {
        if (nodes < 1) {
            throw new IllegalArgumentException("nodes must be at least 1, was " + nodes);
        }
        Map<String, String> extra = ReservedProperties.validated("brokerProperties", brokerProperties, true,
                "null or empty keys or null values", KRaftNode.RESERVED_PROPERTIES, "the cluster's own settings");
        long startNanos = System.nanoTime();
        // Before the directory exists, so that running out of ports leaves nothing behind.
        int[] ports = KRaftNode.resolvePorts(new int[2 * nodes]);
        Path root;
        boolean owned;
        try {
            if (dir == null) {
                root = Files.createTempDirectory("purpose-firewall-cluster-");
                owned = true;
            } else {
                root = dir.toAbsolutePath().normalize();
                owned = !Files.exists(root);
                if (!owned && !isEmptyDirectory(root)) {
                    throw new IllegalArgumentException("The cluster directory " + root + " must be empty or absent");
                }
                Files.createDirectories(root);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the cluster directory " + dir, e);
        }

        Map<Integer, NodeProcess> byId = new LinkedHashMap<>();
        List<String> voters = new ArrayList<>();
        for (int id = 1; id <= nodes; id++) {
            NodeProcess node = new NodeProcess(id, ports[2 * (id - 1)], ports[2 * (id - 1) + 1],
                    root.resolve("node-" + id));
            byId.put(id, node);
            voters.add(KRaftNode.voter(id, node.controllerPort));
        }
        LocalKafkaCluster cluster = new LocalKafkaCluster(Collections.unmodifiableMap(byId), root, owned,
                String.join(",", voters));
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            Map<String, String> settings = new LinkedHashMap<>(clusterDefaults(nodes));
            settings.putAll(extra);
            String clusterId = Uuid.randomUuid().toString();
            for (NodeProcess node : byId.values()) {
                cluster.prepare(node, settings, clusterId);
            }
            for (NodeProcess node : byId.values()) {
                cluster.launch(node);
            }
            long deadline = System.nanoTime() + DEFAULT_START_TIMEOUT.toNanos();
            for (NodeProcess node : byId.values()) {
                cluster.awaitUp(node, deadline, DEFAULT_START_TIMEOUT);
            }
        } catch (RuntimeException | Error e) {
            try {
                cluster.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        LOG.info("Local Kafka cluster of {} nodes up on {} (dir {}) after {} ms", nodes, cluster.bootstrapServers(),
                root, elapsedMs(startNanos));
        return cluster;
    }

    /** The {@code bootstrap.servers} value naming every node, e.g. {@code 127.0.0.1:40001,127.0.0.1:40003,...}. */
    public String bootstrapServers() {
        return bootstrapServersOf(nodes.values());
    }

    /** How many nodes the cluster has, running or not. */
    public int size() {
        return nodes.size();
    }

    /** The node ids, ascending: 1..{@link #size()}. */
    public List<Integer> nodeIds() {
        return nodes.keySet().stream().sorted().toList();
    }

    /** Whether the node's JVM is running (it may not be up yet, or no longer). */
    public boolean isRunning(int nodeId) {
        return node(nodeId).isAlive();
    }

    /** The node's client port on 127.0.0.1; the same across restarts. */
    public int port(int nodeId) {
        return node(nodeId).port;
    }

    /** The process id of the node's JVM, or empty if it is not running (e.g. for {@code kill -STOP}). */
    public OptionalLong pid(int nodeId) {
        Process running = node(nodeId).process;
        return running != null && running.isAlive() ? OptionalLong.of(running.pid()) : OptionalLong.empty();
    }

    /** The node's stdout and stderr, appended to by every start. */
    public Path logFile(int nodeId) {
        return node(nodeId).logFile;
    }

    /** The cluster's directory, holding one {@code node-<id>} directory per node. */
    public Path dir() {
        return dir;
    }

    /**
     * The id of the active controller, the leader of the metadata quorum, as Admin {@code describeMetadataQuorum}
     * reports it; waits up to 30 s for a leader while an election runs.
     *
     * @throws IllegalStateException if no node answers with a leader in time, or the thread is interrupted
     */
    public int activeController() {
        requireOpen();
        Duration timeout = Duration.ofSeconds(30);
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable lastError = null;
        try {
            while (true) {
                try {
                    int leader = admin().describeMetadataQuorum(
                                    new DescribeMetadataQuorumOptions().timeoutMs(PROBE_TIMEOUT_MS))
                            .quorumInfo().get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS).leaderId();
                    if (leader >= 0) {
                        return leader;
                    }
                    lastError = new IllegalStateException("quorum has no leader");
                } catch (ExecutionException e) {
                    lastError = e.getCause();
                } catch (TimeoutException e) {
                    lastError = e;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("No active controller within " + timeout + "; last error: "
                            + lastError, lastError);
                }
                Thread.sleep(POLL_INTERVAL_MS);
            }
        } catch (InterruptedException e) {
            throw interrupted("looking up the active controller", e);
        }
    }

    /**
     * Stops the node gracefully: SIGTERM, so that it hands over its leaderships and leaves the quorum cleanly, and
     * waits for its JVM to exit. Does nothing if it is not running.
     *
     * @throws IllegalStateException if it has not exited within {@link #STOP_TIMEOUT} (it is then killed), or the
     *                               thread is interrupted (the node is then killed too)
     */
    public void stop(int nodeId) {
        NodeProcess node = node(nodeId);
        synchronized (node) {
            Process running = node.process;
            if (running == null || !running.isAlive()) {
                return;
            }
            long startNanos = System.nanoTime();
            running.destroy();
            try {
                if (!running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    running.destroyForcibly();
                    running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    throw new IllegalStateException("Node " + nodeId + " did not stop within " + STOP_TIMEOUT
                            + " of SIGTERM and was killed; see " + node.logFile);
                }
            } catch (InterruptedException e) {
                running.destroyForcibly();
                throw interrupted("stopping node " + nodeId, e);
            }
            LOG.info("Node {} stopped (SIGTERM) in {} ms, exit code {}", nodeId, elapsedMs(startNanos),
                    running.exitValue());
        }
    }

    /**
     * Kills the node: SIGKILL, as a crash or a power cut would, and waits for its JVM to exit. Does nothing if it
     * is not running.
     *
     * @throws IllegalStateException if the thread is interrupted
     */
    public void kill(int nodeId) {
        NodeProcess node = node(nodeId);
        synchronized (node) {
            Process running = node.process;
            if (running == null || !running.isAlive()) {
                return;
            }
            running.destroyForcibly();
            try {
                running.waitFor();
            } catch (InterruptedException e) {
                throw interrupted("killing node " + nodeId, e);
            }
            LOG.info("Node {} killed (SIGKILL)", nodeId);
        }
    }

    /**
     * Restarts the node within {@link #DEFAULT_RESTART_TIMEOUT}.
     *
     * @see #restart(int, Duration)
     */
    public void restart(int nodeId) {
        restart(nodeId, DEFAULT_RESTART_TIMEOUT);
    }

    /**
     * Starts the node again on the same ports and log directory (stopping it gracefully first if it runs) and
     * returns once it is up and back in the ISR of every partition it replicates, i.e. has caught up.
     *
     * @throws IllegalStateException if the node exits or is not up within {@code timeout} (it is then killed), is
     *                               up but not caught up in time (it is left running), the cluster is closed or
     *                               the thread is interrupted; the message names the node and its log file
     */
    public void restart(int nodeId, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        NodeProcess node = node(nodeId);
        long startNanos = System.nanoTime();
        long deadline = startNanos + timeout.toNanos();
        synchronized (node) {
            requireOpen();
            stop(nodeId);
            launch(node);
        }
        awaitUp(node, deadline, timeout);
        long upMs = elapsedMs(startNanos);
        awaitNoPartitions(deadline, timeout, "node " + nodeId + " to catch up (rejoin the ISR)",
                partition -> partition.replicas().stream().anyMatch(r -> r.id() == nodeId)
                        && partition.isr().stream().noneMatch(r -> r.id() == nodeId),
                " (node " + nodeId + " log: " + node.logFile + ")");
        LOG.info("Node {} restarted: up after {} ms, caught up after {} ms", nodeId, upMs, elapsedMs(startNanos));
    }

    /**
     * Waits until every node is up and no partition, internal ones included, is under-replicated.
     *
     * @throws IllegalStateException at once if a node is not running (restart it first); if the cluster is not
     *                               healthy within {@code timeout} (the message names what is missing); if the
     *                               thread is interrupted
     */
    public void awaitHealthy(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        requireOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (NodeProcess node : nodes.values()) {
            if (!node.isAlive()) {
                throw new IllegalStateException("Node " + node.id + " is not running, so the cluster cannot become "
                        + "healthy; restart it first (log: " + node.logFile + ")");
            }
        }
        for (NodeProcess node : nodes.values()) {
            awaitUp(node, deadline, timeout);
        }
        awaitNoPartitions(deadline, timeout, "no under-replicated partitions",
                partition -> partition.isr().size() < partition.replicas().size(), "");
    }

    /**
     * Creates topics, all with the same replication factor and topic configuration, then waits until every
     * partition has a leader that answers offset requests.
     *
     * @param partitions        topic name to partition count
     * @param replicationFactor replicas per partition, at most {@link #size()}
     * @param configs           topic-level configuration (e.g. {@code min.insync.replicas}); empty for the defaults
     * @throws IllegalStateException if the cluster rejects a topic (the cause says why), the topics are not ready
     *                               within 60 s, the thread is interrupted or the cluster is closed
     */
    public void createTopics(Map<String, Integer> partitions, short replicationFactor, Map<String, String> configs) {
        Objects.requireNonNull(partitions, "partitions");
        Objects.requireNonNull(configs, "configs");
        requireOpen();
        List<NewTopic> newTopics = new ArrayList<>();
        partitions.forEach((name, count) ->
                newTopics.add(new NewTopic(name, count, replicationFactor).configs(configs)));
        Duration timeout = TOPIC_READY_TIMEOUT;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            admin().createTopics(newTopics, new CreateTopicsOptions().timeoutMs((int) timeout.toMillis()))
                    .all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create topics " + partitions.keySet() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Topics " + partitions.keySet() + " not created within " + timeout, e);
        } catch (InterruptedException e) {
            throw interrupted("creating topics " + partitions.keySet(), e);
        }
        awaitWritable(partitions.keySet(), deadline, timeout);
    }

    /**
     * Kills every node, closes the Admin client and deletes the cluster directory if {@link #start(int, Path)}
     * created it. Idempotent.
     *
     * @throws RuntimeException the first error met; later steps still run
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RuntimeException failure = null;
        Admin client;
        synchronized (this) {
            client = admin;
            admin = null;
        }
        if (client != null) {
            try {
                client.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        for (NodeProcess node : nodes.values()) {
            try {
                kill(node.id);
            } catch (RuntimeException e) {
                failure = addTo(failure, e);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook runs anyway and finds nothing left to do.
        }
        if (ownsDir) {
            try {
                deleteRecursively(dir);
            } catch (UncheckedIOException e) {
                failure = addTo(failure, e);
            }
        }
        LOG.info("Local Kafka cluster on {} closed", bootstrapServers());
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "LocalKafkaCluster[" + nodes.size() + " nodes, " + bootstrapServers() + ", " + dir + "]";
    }

    /** The broker settings for a cluster of {@code nodes}: replication and min-ISR capped by the node count. */
    static Map<String, String> clusterDefaults(int nodes) {
        String replicas = String.valueOf(Math.min(3, nodes));
        String minIsr = String.valueOf(Math.min(2, nodes));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("default.replication.factor", replicas);
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", replicas);
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("share.coordinator.state.topic.replication.factor", replicas);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        // Never elect an out-of-sync replica: a failure test must see acknowledged records survive, or fail.
        p.put("unclean.leader.election.enable", "false");
        // Several coordinator partitions so that a node failure moves some group and transaction coordinators.
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.num.partitions", "3");
        // Small segments and few threads: 3 nodes and the clients under test share a 2-core machine.
        p.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.replica.fetchers", "1");
        p.put("background.threads", "2");
        p.put("log.cleaner.threads", "1");
        p.put("num.recovery.threads.per.data.dir", "1");
        return Map.copyOf(p);
    }

    /** The child's command line. */
    List<String> command(NodeProcess node) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(NODE_JVM_OPTIONS);
        command.add("-Dlogback.configurationFile=" + node.logbackFile);
        command.add("-cp");
        command.add(absoluteClassPath());
        command.add(LocalKafkaNodeMain.class.getName());
        command.addAll(List.of(
                "--node-id", String.valueOf(node.id),
                "--port", String.valueOf(node.port),
                "--controller-port", String.valueOf(node.controllerPort),
                "--quorum-voters", quorumVoters,
                "--log-dir", node.dataDir.toString(),
                "--properties", node.propertiesFile.toString(),
                "--owner-pid", String.valueOf(ProcessHandle.current().pid())));
        return command;
    }

    /** Writes the node's files and formats its storage. */
    private void prepare(NodeProcess node, Map<String, String> settings, String clusterId) {
        try {
            Files.createDirectories(node.dataDir);
            KRaftNode.writeProperties(settings, node.propertiesFile, "Broker settings of local Kafka node " + node.id);
            Files.writeString(node.logbackFile, NODE_LOGBACK, StandardCharsets.UTF_8);
            KRaftNode.formatStorage(KRaftNode.properties(node.id, node.port, node.controllerPort, quorumVoters,
                    node.dataDir, settings), clusterId);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare node " + node.id + " in " + node.home, e);
        }
    }

    /** Starts the node's JVM; does not wait. */
    private void launch(NodeProcess node) {
        synchronized (node) {
            requireOpen();
            ProcessBuilder builder = new ProcessBuilder(command(node))
                    .directory(node.home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(node.logFile.toFile()));
            try {
                node.logOffset = Files.exists(node.logFile) ? Files.size(node.logFile) : 0;
                node.process = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot launch node " + node.id + ": "
                        + String.join(" ", builder.command()), e);
            }
            LOG.info("Node {} launched (pid {}, port {}, controller port {})", node.id, node.process.pid(), node.port,
                    node.controllerPort);
        }
    }

    /**
     * Waits until the node's current run printed its ready line and {@code describeCluster} lists it. The ready
     * line tells a new run from a registration the previous, killed run left behind until its session expires.
     * On timeout the node is killed.
     */
    private void awaitUp(NodeProcess node, long deadline, Duration timeout) {
        long startNanos = System.nanoTime();
        Process started = node.process;
        String lastAnswer = "not ready yet";
        try {
            while (true) {
                requireOpen();
                if (started == null || !started.isAlive()) {
                    throw new IllegalStateException("Node " + node.id + " exited"
                            + (started == null ? "" : " with code " + started.exitValue())
                            + " before it was up; last lines of " + node.logFile + ":\n" + logTail(node));
                }
                if (logSinceStart(node, false).contains(LocalKafkaNodeMain.READY_MARKER + node.id)) {
                    try {
                        Set<Integer> listed = admin().describeCluster(
                                        new DescribeClusterOptions().timeoutMs(PROBE_TIMEOUT_MS))
                                .nodes().get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                                .stream().map(Node::id).collect(Collectors.toSet());
                        if (listed.contains(node.id)) {
                            LOG.info("Node {} up after {} ms", node.id, elapsedMs(startNanos));
                            return;
                        }
                        lastAnswer = "describeCluster lists " + new TreeSet<>(listed);
                    } catch (ExecutionException e) {
                        lastAnswer = e.getCause().toString();
                    } catch (TimeoutException e) {
                        lastAnswer = "describeCluster timed out";
                    }
                }
                if (System.nanoTime() - deadline >= 0) {
                    // Waited for, so that isRunning() is already false when this throws.
                    started.destroyForcibly().waitFor();
                    throw new IllegalStateException("Node " + node.id + " was not up within " + timeout + " ("
                            + lastAnswer + "); killed it. Last lines of " + node.logFile + ":\n" + logTail(node));
                }
                Thread.sleep(POLL_INTERVAL_MS);
            }
        } catch (InterruptedException e) {
            throw interrupted("waiting for node " + node.id, e);
        }
    }

    /** Waits until no partition of any topic, internal ones included, matches {@code bad}. */
    private void awaitNoPartitions(long deadline, Duration timeout, String goal, Predicate<TopicPartitionInfo> bad,
                                   String context) {
        String last = "not checked yet";
        try {
            while (true) {
                requireOpen();
                try {
                    Set<String> topics = admin().listTopics(new ListTopicsOptions().listInternal(true)
                                    .timeoutMs(PROBE_TIMEOUT_MS))
                            .names().get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    Map<String, TopicDescription> descriptions = admin().describeTopics(topics,
                                    new DescribeTopicsOptions().timeoutMs(PROBE_TIMEOUT_MS))
                            .allTopicNames().get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    List<String> offending = new ArrayList<>();
                    descriptions.forEach((topic, description) -> description.partitions().stream()
                            .filter(bad)
                            .forEach(p -> offending.add(topic + "-" + p.partition() + " replicas " + ids(p.replicas())
                                    + " isr " + ids(p.isr()))));
                    if (offending.isEmpty()) {
                        return;
                    }
                    last = offending.size() + " partitions, e.g. " + offending.subList(0, Math.min(5, offending.size()));
                } catch (ExecutionException e) {
                    last = e.getCause().toString();
                } catch (TimeoutException e) {
                    last = "metadata request timed out";
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("Timed out after " + timeout + " waiting for " + goal + ": "
                            + last + context);
                }
                Thread.sleep(POLL_INTERVAL_MS);
            }
        } catch (InterruptedException e) {
            throw interrupted("waiting for " + goal, e);
        }
    }

    /** Waits until every partition of the topics has a leader answering offset requests. */
    private void awaitWritable(Set<String> topics, long deadline, Duration timeout) {
        try {
            TopicReadiness.await(() -> {
                requireOpen();
                return admin();
            }, topics, deadline, timeout, PROBE_TIMEOUT_MS, POLL_INTERVAL_MS);
        } catch (InterruptedException e) {
            throw interrupted("waiting for topics " + topics, e);
        }
    }

    private synchronized Admin admin() {
        requireOpen();
        if (admin == null) {
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.CLIENT_ID_CONFIG, "kafka-local-cluster-admin",
                    AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000"));
        }
        return admin;
    }

    private NodeProcess node(int nodeId) {
        NodeProcess node = nodes.get(nodeId);
        if (node == null) {
            throw new IllegalArgumentException("No node " + nodeId + "; the nodes are " + nodeIds());
        }
        return node;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("This local Kafka cluster is closed: " + this);
        }
    }

    /** The shutdown hook: no logging (the logging system may be gone), just make sure no node outlives the JVM. */
    private void killOnJvmExit() {
        closed = true;
        for (NodeProcess node : nodes.values()) {
            Process running = node.process;
            if (running != null) {
                running.destroyForcibly();
            }
        }
        for (NodeProcess node : nodes.values()) {
            Process running = node.process;
            if (running != null) {
                try {
                    running.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
        if (ownsDir) {
            try {
                deleteRecursively(dir);
            } catch (UncheckedIOException ignored) {
                // Best effort while the JVM exits.
            }
        }
    }

    private static String bootstrapServersOf(Iterable<NodeProcess> nodes) {
        List<String> servers = new ArrayList<>();
        nodes.forEach(node -> servers.add(KRaftNode.HOST + ":" + node.port));
        return String.join(",", servers);
    }

    private static List<Integer> ids(List<Node> replicas) {
        return replicas.stream().map(Node::id).toList();
    }

    /**
     * What the node's current run wrote to its log file so far, at most {@link #MAX_LOG_READ_BYTES} of it: its
     * beginning (where the ready line is), or with {@code end} its end. Never reads what earlier runs wrote, so that
     * a log grown over a long campaign is not read again on every poll.
     */
    private static String logSinceStart(NodeProcess node, boolean end) {
        try (FileChannel channel = FileChannel.open(node.logFile, StandardOpenOption.READ)) {
            long from = Math.min(node.logOffset, channel.size());
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size() - from, MAX_LOG_READ_BYTES));
            channel.position(end ? Math.max(from, channel.size() - MAX_LOG_READ_BYTES) : from);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // Reads until the buffer is full or the file ends.
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last {@value #LOG_TAIL_LINES} lines of the node's current run. */
    private static String logTail(NodeProcess node) {
        Deque<String> tail = new ArrayDeque<>();
        logSinceStart(node, true).lines().forEach(line -> {
            tail.addLast(line);
            if (tail.size() > LOG_TAIL_LINES) {
                tail.removeFirst();
            }
        });
        return tail.isEmpty() ? "(empty)" : String.join("\n", tail);
    }

    /**
     * The class path of this JVM with every entry made absolute, because a node runs in its own directory. Surefire
     * and Failsafe set {@code java.class.path} to the real test class path even with their manifest-only jar.
     */
    private static String absoluteClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** The java launcher of the running JVM, so that the nodes run on the same Java as the caller. */
    private static String javaExecutable() {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        Path fromHome = Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
        if (Files.isExecutable(fromHome)) {
            return fromHome.toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static boolean isEmptyDirectory(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(path)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted((a, b) -> b.compareTo(a))::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + root, e);
        }
    }

    private static long elapsedMs(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
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

    /**
     * A node's logging, when logback is on the class path: Kafka's warnings, the quorum's elections and the
     * broker's registration, not the hundreds of INFO lines of every start.
     */
    private static final String NODE_LOGBACK = """
            <configuration>
              <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder>
                  <pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern>
                </encoder>
              </appender>
              <logger name="org.apache.kafka.raft.QuorumState" level="INFO"/>
              <logger name="kafka.server.BrokerLifecycleManager" level="INFO"/>
              <logger name="org.purposefirewall" level="INFO"/>
              <root level="WARN">
                <appender-ref ref="STDOUT"/>
              </root>
            </configuration>
            """;
}
