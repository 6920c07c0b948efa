package org.purposefirewall.kafkalocal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import kafka.server.KafkaRaftServer;

/**
 * One node of a {@link LocalKafkaCluster}: a combined broker+controller KRaft node in a JVM of its own, so that the
 * cluster can stop it with SIGTERM and kill it with SIGKILL like a real server. Started by the cluster; not meant
 * to be run by hand.
 *
 * <pre>
 * java -cp ... org.purposefirewall.kafkalocal.LocalKafkaNodeMain --node-id 1 --port P --controller-port C
 *     --quorum-voters 1@127.0.0.1:C1,2@127.0.0.1:C2,3@127.0.0.1:C3 --log-dir DIR --properties FILE
 * </pre>
 *
 * <p>The log directory must already be formatted (the cluster formats every node with one cluster id, so that the
 * nodes agree). The properties file holds the broker settings applied over the shared node defaults of
 * {@link KRaftNode#properties}; it may not set the keys the other arguments determine.
 *
 * <p>Once the node serves, and its broker is registered and unfenced, it prints one line
 * {@value #READY_MARKER}{@code <node id>} to standard output, which the cluster waits for. SIGTERM shuts the node
 * down cleanly (controlled shutdown: its partition leaderships move first). Exit status: 1 if the node cannot
 * start, 2 for bad arguments, 3 when the owner process given by {@code --owner-pid} has exited; after a signal,
 * 143 (SIGTERM) once the node has stopped.
 */
public final class LocalKafkaNodeMain {

    /** The start of the line printed once the node is up, followed by its node id. */
    static final String READY_MARKER = "LocalKafkaNodeMain READY node=";

    static final String USAGE = "Usage: LocalKafkaNodeMain --node-id N --port P --controller-port C"
            + " --quorum-voters ID@HOST:PORT,... --log-dir DIR --properties FILE [--owner-pid PID]";

    /** The parsed command line. */
    record Arguments(int nodeId, int port, int controllerPort, String quorumVoters, Path logDir, Path properties,
                     long ownerPid) {
    }

    private LocalKafkaNodeMain() {
    }

    /** Starts the node, prints the ready line and blocks until the node has stopped. */
    public static void main(String[] args) {
        Arguments arguments;
        try {
            arguments = parseArguments(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        long startNanos = System.nanoTime();
        haltWhenOwnerExits(arguments);
        KafkaRaftServer server;
        try {
            Map<String, String> extra = KRaftNode.readProperties(arguments.properties());
            ReservedProperties.validated("the properties file", extra, true, "empty keys",
                    KRaftNode.RESERVED_PROPERTIES, "the command-line arguments");
            if (!KRaftNode.isFormatted(arguments.logDir())) {
                throw new IllegalStateException("The log directory " + arguments.logDir() + " is not formatted");
            }
            Map<String, String> properties = KRaftNode.properties(arguments.nodeId(), arguments.port(),
                    arguments.controllerPort(), arguments.quorumVoters(), arguments.logDir(), extra);
            server = KRaftNode.startServer(properties);
        } catch (IOException | RuntimeException e) {
            System.err.println("Cannot start local Kafka node " + arguments.nodeId() + ": " + e);
            e.printStackTrace();
            System.err.flush();
            // Kafka may leave non-daemon threads behind after a failed start; they must not keep the JVM alive.
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("LocalKafkaNodeMain node=" + arguments.nodeId() + " stopping");
            server.shutdown();
            server.awaitShutdown();
            System.out.println("LocalKafkaNodeMain node=" + arguments.nodeId() + " stopped");
            System.out.flush();
        }, "kafka-node-shutdown"));

        System.out.println(READY_MARKER + arguments.nodeId() + " after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) + " ms");
        System.out.flush();
        server.awaitShutdown();
    }

    /**
     * Parses the command line; every argument is required.
     *
     * @throws IllegalArgumentException naming the offending or missing argument
     */
    static Arguments parseArguments(String... args) {
        Integer nodeId = null;
        Integer port = null;
        Integer controllerPort = null;
        String voters = null;
        Path logDir = null;
        Path properties = null;
        long ownerPid = -1;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value after " + name);
            }
            String value = args[++i];
            switch (name) {
                case "--node-id" -> nodeId = parseInt(name, value);
                case "--port" -> port = parseInt(name, value);
                case "--controller-port" -> controllerPort = parseInt(name, value);
                case "--quorum-voters" -> voters = value;
                case "--log-dir" -> logDir = Path.of(value).toAbsolutePath();
                case "--properties" -> properties = Path.of(value);
                case "--owner-pid" -> ownerPid = parseLong(name, value);
                default -> throw new IllegalArgumentException("Unknown argument " + name);
            }
        }
        return new Arguments(required("--node-id", nodeId), required("--port", port),
                required("--controller-port", controllerPort), required("--quorum-voters", voters),
                required("--log-dir", logDir), required("--properties", properties), ownerPid);
    }

    /**
     * With {@code --owner-pid}, halts this node as soon as the owning JVM is gone, so that no node outlives a test
     * JVM that was itself killed before it could close its cluster. A halt, not a clean stop: nobody is left to
     * wait for one.
     */
    private static void haltWhenOwnerExits(Arguments arguments) {
        if (arguments.ownerPid() < 0) {
            return;
        }
        ProcessHandle.of(arguments.ownerPid()).ifPresentOrElse(
                owner -> owner.onExit().thenRun(() -> {
                    System.err.println("LocalKafkaNodeMain node=" + arguments.nodeId() + ": owner process "
                            + arguments.ownerPid() + " exited; halting");
                    Runtime.getRuntime().halt(3);
                }),
                () -> {
                    System.err.println("LocalKafkaNodeMain node=" + arguments.nodeId() + ": owner process "
                            + arguments.ownerPid() + " is not running; exiting");
                    System.exit(3);
                });
    }

    private static <T> T required(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException("Missing " + name);
        }
        return value;
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number, got '" + value + "'", e);
        }
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number, got '" + value + "'", e);
        }
    }
}
