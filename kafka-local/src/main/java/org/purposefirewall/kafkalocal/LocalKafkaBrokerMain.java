package org.purposefirewall.kafkalocal;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link LocalKafkaBroker} as a process of its own, for scripts and people who want a local broker to
 * point tools at. For tests, demos and benchmarks only; never production.
 *
 * <pre>
 * java -cp ... org.purposefirewall.kafkalocal.LocalKafkaBrokerMain [--port 19092] [--controller-port 19093] [--log-dir DIR]
 * </pre>
 *
 * <p>When the broker serves, exactly one line goes to standard output, {@code bootstrap.servers=127.0.0.1:19092},
 * so a script can wait for it. The broker stops cleanly on SIGTERM or Ctrl-C. Without {@code --log-dir} the data
 * lives in a temporary directory deleted on exit; with it the data is kept and reused on the next start.
 *
 * <p>Exit status: 1 if the broker cannot start, 2 for bad arguments, 0 for {@code --help}; after a signal, the
 * JVM's usual 128 + signal number (143 for SIGTERM, 130 for SIGINT), once the broker has stopped.
 * Defaults avoid 9092/9093 so that a broker the user already runs is left alone.
 */
public final class LocalKafkaBrokerMain {

    /** Client port used when {@code --port} is not given. */
    public static final int DEFAULT_PORT = 19092;

    /** Controller port used when {@code --controller-port} is not given. */
    public static final int DEFAULT_CONTROLLER_PORT = 19093;

    static final String USAGE = "Usage: LocalKafkaBrokerMain [--port N (default " + DEFAULT_PORT + ", 0 = free port)]"
            + " [--controller-port N (default " + DEFAULT_CONTROLLER_PORT + ", 0 = free port)]"
            + " [--log-dir DIR (default: a temporary directory deleted on exit)]";

    private LocalKafkaBrokerMain() {
    }

    /** Starts the broker, prints its bootstrap servers line and blocks until the JVM is asked to stop. */
    public static void main(String[] args) throws InterruptedException {
        LocalKafkaBroker.Options options;
        try {
            options = parseArguments(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(USAGE);
            return;
        }

        LocalKafkaBroker broker;
        try {
            broker = LocalKafkaBroker.start(options);
        } catch (RuntimeException e) {
            System.err.println("Cannot start the local Kafka broker: " + e);
            e.printStackTrace();
            // Kafka may leave non-daemon threads behind after a failed start; they must not keep the JVM alive.
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } finally {
                stopped.countDown();
            }
        }, "kafka-local-shutdown"));

        System.out.println("bootstrap.servers=" + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }

    /**
     * Parses the command line.
     *
     * @return the options, or {@code null} if help was asked for
     * @throws IllegalArgumentException naming the offending argument
     */
    static LocalKafkaBroker.Options parseArguments(String... args) {
        // Collected first and validated together, so that the order of the flags never matters.
        int port = DEFAULT_PORT;
        int controllerPort = DEFAULT_CONTROLLER_PORT;
        Path logDir = null;
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
                case "--port" -> port = parsePort(name, value);
                case "--controller-port" -> controllerPort = parsePort(name, value);
                case "--log-dir" -> logDir = Path.of(value);
                default -> throw new IllegalArgumentException("Unknown argument " + name);
            }
        }
        return new LocalKafkaBroker.Options(port, controllerPort, logDir, Map.of());
    }

    private static int parsePort(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a port number, got '" + value + "'", e);
        }
    }
}
