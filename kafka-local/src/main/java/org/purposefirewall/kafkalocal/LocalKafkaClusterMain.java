package org.purposefirewall.kafkalocal;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link LocalKafkaCluster} from the command line, for trying failures by hand: each node is a JVM of its
 * own, so {@code kill -9} of a node's pid (see {@code dir/node-<id>/node.log}, or {@code ps}) is a real crash. For
 * tests and experiments only; never production.
 *
 * <pre>
 * java -cp ... org.purposefirewall.kafkalocal.LocalKafkaClusterMain [--nodes 3] [--dir DIR]
 * </pre>
 *
 * <p>When every node is up, exactly one line goes to standard output, {@code READY kafka=<bootstrap servers>}, so
 * that a script can wait for it. SIGTERM or Ctrl-C kills every node and, without {@code --dir}, deletes the
 * temporary cluster directory. {@code --dir} must be empty or absent; it is kept on exit.
 *
 * <p>Exit status: 1 if the cluster cannot start, 2 for bad arguments, 0 for {@code --help}; after a signal, the
 * JVM's usual 128 + signal number once the nodes are gone.
 */
public final class LocalKafkaClusterMain {

    /** Nodes started when {@code --nodes} is not given. */
    public static final int DEFAULT_NODES = 3;

    static final String USAGE = "Usage: LocalKafkaClusterMain [--nodes N (default " + DEFAULT_NODES + ")]"
            + " [--dir DIR (empty or absent; default: a temporary directory deleted on exit)]";

    /** The parsed command line; {@code dir} may be null. */
    record Arguments(int nodes, Path dir) {
    }

    private LocalKafkaClusterMain() {
    }

    /** Starts the cluster, prints the ready line and blocks until the JVM is asked to stop. */
    public static void main(String[] args) throws InterruptedException {
        Arguments arguments;
        try {
            arguments = parseArguments(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (arguments == null) {
            System.out.println(USAGE);
            return;
        }
        LocalKafkaCluster cluster;
        try {
            cluster = LocalKafkaCluster.start(arguments.nodes(), arguments.dir());
        } catch (RuntimeException e) {
            System.err.println("Cannot start the local Kafka cluster: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                cluster.close();
            } finally {
                stopped.countDown();
            }
        }, "kafka-local-cluster-main-shutdown"));
        for (int id : cluster.nodeIds()) {
            System.err.println("node " + id + ": pid " + cluster.pid(id).orElse(-1) + ", port " + cluster.port(id)
                    + ", log " + cluster.logFile(id));
        }
        System.out.println("READY kafka=" + cluster.bootstrapServers());
        System.out.flush();
        stopped.await();
    }

    /**
     * Parses the command line.
     *
     * @return the arguments, or {@code null} if help was asked for
     * @throws IllegalArgumentException naming the offending argument
     */
    static Arguments parseArguments(String... args) {
        int nodes = DEFAULT_NODES;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--help") || name.equals("-h")) {
                return null;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value after " + name);
            }
            String value = args[++i];
            switch (name) {
                case "--nodes" -> nodes = parseNodes(value);
                case "--dir" -> dir = Path.of(value);
                default -> throw new IllegalArgumentException("Unknown argument " + name);
            }
        }
        return new Arguments(nodes, dir);
    }

    private static int parseNodes(String value) {
        int nodes;
        try {
            nodes = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--nodes needs a number, got '" + value + "'", e);
        }
        if (nodes < 1) {
            throw new IllegalArgumentException("--nodes must be at least 1, got " + nodes);
        }
        return nodes;
    }
}
