package org.purposefirewall.kafkalocal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one combined broker+controller KRaft node is configured, formatted and started: the single mechanism behind
 * {@link LocalKafkaBroker} (one node in this JVM) and {@link LocalKafkaCluster} (one {@link LocalKafkaNodeMain}
 * JVM per node). Package-private; stateless.
 */
final class KRaftNode {

    /** The only address the listeners bind and advertise. */
    static final String HOST = "127.0.0.1";

    /**
     * Keys derived from the node id, ports, quorum and log directory; overriding them would make a node disagree
     * with its advertised address, its quorum or its storage.
     */
    static final Set<String> RESERVED_PROPERTIES = Set.of(
            "process.roles",
            "node.id",
            "broker.id",
            "controller.quorum.voters",
            "controller.quorum.bootstrap.servers",
            "listeners",
            "advertised.listeners",
            "controller.listener.names",
            "inter.broker.listener.name",
            "listener.security.protocol.map",
            "log.dirs",
            "log.dir",
            "metadata.log.dir");

    private static final Logger LOG = LoggerFactory.getLogger(KRaftNode.class);

    private KRaftNode() {
    }

    /** One entry of {@code controller.quorum.voters}: {@code id@127.0.0.1:controllerPort}. */
    static String voter(int nodeId, int controllerPort) {
        return nodeId + "@" + HOST + ":" + controllerPort;
    }

    /**
     * A node's whole configuration: the keys its identity, ports, quorum and storage determine, the defaults every
     * local node shares, then {@code extra} (which may override the shared defaults but not the derived keys; the
     * callers validate that with {@link #RESERVED_PROPERTIES}).
     *
     * @param quorumVoters the {@code controller.quorum.voters} value, the same on every node of a quorum
     * @param extra        the replication defaults of the topology (single node or cluster) and the user's overrides
     */
    static Map<String, String> properties(int nodeId, int port, int controllerPort, String quorumVoters, Path logDir,
                                          Map<String, String> extra) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", quorumVoters);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());

        // Fewer partitions for internal topics make the first group or transaction much faster to set up.
        p.put("num.partitions", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");

        // Tests should fail on a misspelt topic instead of writing to an auto-created one.
        p.put("auto.create.topics.enable", "false");
        // The default 3 s delay only helps groups whose members join one by one, and slows every test.
        p.put("group.initial.rebalance.delay.ms", "0");

        p.putAll(extra);
        return p;
    }

    /** Whether {@code logDir} holds a formatted KRaft storage, whose cluster id a new format would contradict. */
    static boolean isFormatted(Path logDir) {
        return Files.exists(logDir.resolve("meta.properties"));
    }

    /**
     * Runs {@code kafka-storage format} on the (unformatted) log directory of {@code properties}. Every node of one
     * quorum must be formatted with the same {@code clusterId}.
     *
     * @throws IllegalStateException if the tool fails; the message holds its output
     * @throws IOException           if the temporary configuration file cannot be written
     */
    static void formatStorage(Map<String, String> properties, String clusterId) throws IOException {
        Path configFile = Files.createTempFile("purpose-firewall-kafka-", ".properties");
        try {
            writeProperties(properties, configFile, "Purpose Firewall local Kafka node");
            String[] args = {"format", "--cluster-id", clusterId, "--config", configFile.toString()};
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            int exitCode;
            try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
                exitCode = StorageTool.execute(args, out);
            } catch (RuntimeException e) {
                // The tool reports most failures by throwing, not by its return code.
                throw new IllegalStateException("Formatting the Kafka storage in " + properties.get("log.dirs")
                        + " failed: " + e.getMessage() + outputSuffix(captured), e);
            }
            if (exitCode != 0) {
                throw new IllegalStateException("Formatting the Kafka storage in " + properties.get("log.dirs")
                        + " returned " + exitCode + outputSuffix(captured));
            }
            LOG.debug("Kafka storage format output: {}", captured.toString(StandardCharsets.UTF_8).strip());
        } finally {
            Files.deleteIfExists(configFile);
        }
    }

    /** Starts a node in this JVM on a formatted log directory; returns once {@link KafkaRaftServer#startup()} has. */
    static KafkaRaftServer startServer(Map<String, String> properties) {
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties), Time.SYSTEM);
        server.startup();
        return server;
    }

    static void writeProperties(Map<String, String> properties, Path file, String comment) throws IOException {
        Properties config = new Properties();
        config.putAll(properties);
        try (OutputStream out = Files.newOutputStream(file)) {
            config.store(out, comment);
        }
    }

    static Map<String, String> readProperties(Path file) throws IOException {
        Properties config = new Properties();
        try (var in = Files.newInputStream(file)) {
            config.load(in);
        }
        Map<String, String> map = new LinkedHashMap<>();
        config.stringPropertyNames().forEach(key -> map.put(key, config.getProperty(key)));
        return map;
    }

    /**
     * Free ports on {@link #HOST}, one for each zero in {@code wanted}; the non-zero ones are kept. All picked
     * sockets are held open together so that no two picks collide; another process could still take a port
     * between this call and the bind, which is improbable.
     */
    static int[] resolvePorts(int... wanted) {
        List<ServerSocket> held = new ArrayList<>();
        List<Integer> taken = new ArrayList<>();
        for (int port : wanted) {
            if (port != 0) {
                taken.add(port);
            }
        }
        try {
            int[] resolved = new int[wanted.length];
            for (int i = 0; i < wanted.length; i++) {
                resolved[i] = wanted[i] != 0 ? wanted[i] : freePort(held, taken);
                taken.add(resolved[i]);
            }
            return resolved;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + HOST, e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // The port is released either way once the socket is unreachable.
                }
            }
        }
    }

    private static int freePort(List<ServerSocket> held, Collection<Integer> avoid) throws IOException {
        while (true) {
            ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST));
            held.add(socket);
            if (!avoid.contains(socket.getLocalPort())) {
                return socket.getLocalPort();
            }
        }
    }

    private static String outputSuffix(ByteArrayOutputStream captured) {
        String output = captured.toString(StandardCharsets.UTF_8).strip();
        return output.isEmpty() ? "" : "; output: " + output;
    }
}
