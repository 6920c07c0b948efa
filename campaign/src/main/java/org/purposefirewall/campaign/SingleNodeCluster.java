package org.purposefirewall.campaign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;
import org.purposefirewall.kafkalocal.LocalKafkaBrokerMain;

/**
 * A single broker for campaigns run with {@code --brokers 1}: one KRaft node (broker and controller) in a process of
 * its own ({@link LocalKafkaBrokerMain}), so that it can be stopped with SIGTERM, killed with -9 and restarted on
 * the same ports and log directory. Node id 1, always the active controller. Replication factor and
 * {@code min.insync.replicas} are capped at 1; a restart is a whole-cluster outage, harsher than what a
 * three-node cluster gives.
 */
final class SingleNodeCluster implements KafkaCluster {

    private static final int NODE = 1;

    private final ChildJvm jvm;
    private final int port;
    private final int controllerPort;
    private final Path logDir;
    private final Path processLog;
    private Process process;

    private SingleNodeCluster(ChildJvm jvm, int port, int controllerPort, Path dir) {
        this.jvm = jvm;
        this.port = port;
        this.controllerPort = controllerPort;
        this.logDir = dir.resolve("node-" + NODE + "/data");
        this.processLog = dir.resolve("node-" + NODE + ".log");
    }

    static SingleNodeCluster start(Path dir) {
        int[] ports = freePorts(2);
        SingleNodeCluster cluster = new SingleNodeCluster(new ChildJvm(Campaign.childClassPath()), ports[0],
                ports[1], dir);
        cluster.launch();
        return cluster;
    }

    @Override
    public String bootstrapServers() {
        return LocalKafkaBroker.HOST + ":" + port;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public List<Integer> nodeIds() {
        return List.of(NODE);
    }

    @Override
    public synchronized boolean isRunning(int id) {
        check(id);
        return process != null && process.isAlive();
    }

    @Override
    public int activeController() {
        return NODE;
    }

    @Override
    public synchronized void stop(int id) {
        check(id);
        if (process != null) {
            ChildJvm.stop(process, 60);
            process = null;
        }
    }

    @Override
    public synchronized void kill(int id) {
        check(id);
        if (process != null) {
            ChildJvm.kill(process);
            process = null;
        }
    }

    @Override
    public synchronized void restart(int id) {
        check(id);
        if (process != null) {
            ChildJvm.stop(process, 60);
        }
        launch();
    }

    @Override
    public void awaitHealthy(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    if (System.nanoTime() > end) {
                        throw new IllegalStateException("cluster not healthy within " + timeout, e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void createTopics(Map<String, Integer> partitions, short rf, Map<String, String> configs) {
        Map<String, String> capped = new java.util.HashMap<>(configs);
        capped.computeIfPresent(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, (k, v) -> "1");
        List<NewTopic> topics = new ArrayList<>();
        partitions.forEach((name, count) -> topics.add(new NewTopic(name, count, (short) 1).configs(capped)));
        try (Admin admin = admin()) {
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create topics " + partitions.keySet() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            ChildJvm.stop(process, 60);
            process = null;
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "campaign-cluster-admin"));
    }

    /** Starts the node's process and returns once it printed its bootstrap line (it then serves clients). */
    private void launch() {
        try {
            Files.createDirectories(logDir);
            long from = Files.exists(processLog) ? Files.size(processLog) : 0;
            process = jvm.start(List.of("-Xmx768m", "-XX:+UseParallelGC", "-Dlogback.configurationFile=logback.xml"), LocalKafkaBrokerMain.class.getName(),
                    List.of("--port", String.valueOf(port), "--controller-port", String.valueOf(controllerPort),
                            "--log-dir", logDir.toString()), processLog);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < end) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("broker exited with " + process.exitValue() + "; see " + processLog);
                }
                byte[] all = Files.readAllBytes(processLog);
                String tail = new String(all, (int) Math.min(from, all.length), (int) (all.length - Math.min(from,
                        all.length)), StandardCharsets.UTF_8);
                if (tail.contains("bootstrap.servers=")) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("broker did not start within 120 s; see " + processLog);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void check(int id) {
        if (id != NODE) {
            throw new IllegalArgumentException("no node " + id + " (the stand-in has node " + NODE + " only)");
        }
    }

    /** Free ports on 127.0.0.1, held together while picked so that no two are the same. */
    static int[] freePorts(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LocalKafkaBroker.HOST));
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // released either way
                }
            }
        }
    }
}
