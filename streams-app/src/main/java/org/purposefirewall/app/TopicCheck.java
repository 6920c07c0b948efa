package org.purposefirewall.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The startup check of the firewall's topics, run before Kafka Streams starts so that a cluster the firewall cannot
 * work on stops it with one message naming every problem, rather than failing later (or, worse, not failing).
 *
 * <p>What is checked:
 * <ul>
 *   <li><b>Inputs</b> (contact points, consent, registrations, every guarded topic) exist and have one partition
 *       count: the topology joins them without a repartition, so they must be co-partitioned by user id. That
 *       count is the result.</li>
 *   <li><b>Outputs</b> (audience, quarantine, suppressed, dead-letter, recalls) exist: the firewall does not create
 *       them (their ACLs and retention are the operator's decision; two of them hold personal data).</li>
 *   <li>Each output accepts every timestamp the firewall writes. Output records carry their input's event time;
 *       with {@code message.timestamp.type=CreateTime} the broker rejects a record more than
 *       {@code message.timestamp.after.max.ms} ahead of its clock or {@code message.timestamp.before.max.ms} behind
 *       it, and a rejected write kills the stream thread. So {@code after.max} must be at least the event-time skew
 *       the firewall accepts and {@code before.max} at least how far back it may write. With
 *       {@code LogAppendTime} the broker stamps records itself and rejects none, so nothing is checked.</li>
 * </ul>
 *
 * <p>{@link #check(Topics, Map, Map, long, long)} is the whole rule, pure and testable without a broker;
 * {@link #check(Admin, String, Topics, long, long, Duration)} asks the cluster and applies it;
 * {@link #verify(FirewallConfig, long, long, Duration)} builds the admin client from the firewall's own settings and
 * fails startup. Messages name topics, config keys and numbers only: nothing here is personal data.
 */
public final class TopicCheck {

    /** The firewall's key for the event-time skew it accepts, named in messages. */
    public static final String MAX_SKEW_KEY = "processing.max-event-time-skew-ms";

    /** The pre-3.6 broker setting that bounded both directions; read when the broker reports neither new one. */
    static final String LEGACY_DIFFERENCE_MAX_MS = "message.timestamp.difference.max.ms";

    private static final Logger LOG = LoggerFactory.getLogger(TopicCheck.class);

    /** The most one connection attempt of {@link #requireReachable} takes. */
    private static final long PROBE_CONNECT_MS = 5_000L;

    private TopicCheck() {
    }

    /**
     * The outcome of a check.
     *
     * @param valid true if the firewall can start on these topics
     * @param errorMessage every problem found, in one message; null if valid
     * @param inputPartitions the common partition count of the inputs if valid; otherwise 0
     */
    public record Result(boolean valid, String errorMessage, int inputPartitions) {

        public Result {
            if (valid == (errorMessage != null)) {
                throw new IllegalArgumentException("a result is valid exactly when it has no error message");
            }
        }

        static Result ok(int inputPartitions) {
            return new Result(true, null, inputPartitions);
        }

        static Result invalid(String errorMessage) {
            return new Result(false, errorMessage, 0);
        }
    }

    /**
     * Checks what the cluster says about the topics.
     *
     * @param topics the firewall's topics
     * @param partitions partition count per topic that exists; a topic absent here is missing
     * @param outputConfigs the effective configs of each existing output topic (at least the
     *     {@code message.timestamp.*} entries); an output absent here reports none
     * @param maxFutureSkewMs how far ahead of the broker's clock an event time the firewall writes may be
     * @param maxPastMs how far behind it an event time the firewall writes may be; {@link Long#MAX_VALUE}: any
     */
    public static Result check(Topics topics, Map<String, Integer> partitions,
                               Map<String, Map<String, String>> outputConfigs, long maxFutureSkewMs, long maxPastMs) {
        return check(topics, false, partitions, outputConfigs, maxFutureSkewMs, maxPastMs);
    }

    /**
     * Checks what the cluster says about the topics, the shadow-decisions output among them in shadow mode.
     *
     * @param shadow a shadow policy is set: {@code topics.shadow-decisions} is an output that must exist
     * @see #check(Topics, Map, Map, long, long)
     */
    public static Result check(Topics topics, boolean shadow, Map<String, Integer> partitions,
                               Map<String, Map<String, String>> outputConfigs, long maxFutureSkewMs, long maxPastMs) {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(partitions, "partitions");
        Objects.requireNonNull(outputConfigs, "outputConfigs");
        List<String> problems = new ArrayList<>();

        List<String> inputs = distinct(topics.inputs());
        List<String> missingInputs = inputs.stream().filter(t -> !partitions.containsKey(t)).toList();
        if (!missingInputs.isEmpty()) {
            problems.add("input topics missing: " + String.join(", ", missingInputs));
        }
        Map<String, Integer> present = new LinkedHashMap<>();
        inputs.stream().filter(partitions::containsKey).forEach(t -> present.put(t, partitions.get(t)));
        Set<Integer> counts = new LinkedHashSet<>(present.values());
        if (counts.size() > 1) {
            problems.add("input topics must have the same number of partitions (they are co-partitioned by user id): "
                    + present.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining(", ")));
        }

        List<String> outputs = outputs(topics, shadow);
        List<String> missingOutputs = outputs.stream().filter(t -> !partitions.containsKey(t)).toList();
        if (!missingOutputs.isEmpty()) {
            problems.add("output topics missing: " + String.join(", ", missingOutputs));
        }
        for (String output : outputs) {
            if (partitions.containsKey(output)) {
                timestampProblems(output, outputConfigs.getOrDefault(output, Map.of()), maxFutureSkewMs, maxPastMs,
                        problems);
            }
        }

        if (!problems.isEmpty()) {
            return Result.invalid(String.join("; ", problems));
        }
        return Result.ok(counts.iterator().next());
    }

    /**
     * Describes the firewall's topics and their timestamp settings on the cluster {@code admin} talks to, then
     * {@linkplain #check(Topics, Map, Map, long, long) checks} them.
     *
     * @param bootstrapServers the cluster's bootstrap servers, for the message when it does not answer
     * @param timeout the most the whole check may take
     * @throws IllegalStateException if the cluster does not answer within {@code timeout}, or refuses to describe a
     *     topic (e.g. not authorized); the message says which
     */
    public static Result check(Admin admin, String bootstrapServers, Topics topics, long maxFutureSkewMs,
                               long maxPastMs, Duration timeout) {
        return check(admin, bootstrapServers, topics, false, maxFutureSkewMs, maxPastMs, timeout);
    }

    /**
     * As {@link #check(Admin, String, Topics, long, long, Duration)}, the shadow-decisions output among the outputs
     * when {@code shadow} (a shadow policy is set).
     */
    public static Result check(Admin admin, String bootstrapServers, Topics topics, boolean shadow,
                               long maxFutureSkewMs, long maxPastMs, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> names = distinct(concat(topics.inputs(), outputs(topics, shadow)));
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(names,
                new DescribeTopicsOptions().timeoutMs(remainingMs(deadline))).topicNameValues();
        Map<String, Integer> partitions = new HashMap<>();
        for (String topic : names) {
            TopicDescription description = await(described.get(topic), topic, deadline, bootstrapServers, timeout);
            if (description != null) {
                partitions.put(topic, description.partitions().size());
            }
        }
        List<ConfigResource> resources = outputs(topics, shadow).stream().filter(partitions::containsKey)
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<String, Map<String, String>> configs = new HashMap<>();
        if (!resources.isEmpty()) {
            Map<ConfigResource, KafkaFuture<Config>> futures = admin.describeConfigs(resources,
                    new DescribeConfigsOptions().timeoutMs(remainingMs(deadline))).values();
            for (ConfigResource resource : resources) {
                Config config = await(futures.get(resource), resource.name(), deadline, bootstrapServers, timeout);
                Map<String, String> entries = new HashMap<>();
                if (config != null) {
                    for (ConfigEntry entry : config.entries()) {
                        if (entry.name().startsWith("message.timestamp.") && entry.value() != null) {
                            entries.put(entry.name(), entry.value());
                        }
                    }
                }
                configs.put(resource.name(), entries);
            }
        }
        return check(topics, shadow, partitions, configs, maxFutureSkewMs, maxPastMs);
    }

    /**
     * Checks the firewall's topics with an admin client built from its settings ({@link #adminProperties}).
     *
     * @return the common partition count of the input topics
     * @throws IllegalStateException if a check fails or the cluster cannot be reached; the message says what to fix
     */
    public static int verify(FirewallConfig config, long maxFutureSkewMs, long maxPastMs, Duration timeout) {
        requireReachable(config.bootstrapServers(), timeout);
        Admin admin;
        try {
            admin = Admin.create(adminProperties(config));
        } catch (KafkaException e) {
            throw new IllegalStateException("cannot create a Kafka admin client for bootstrap servers "
                    + config.bootstrapServers() + " to check the firewall's topics: " + e.getMessage(), e);
        }
        Result result;
        try {
            result = check(admin, config.bootstrapServers(), config.topics(), config.shadow() != null,
                    maxFutureSkewMs, maxPastMs, timeout);
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
        if (!result.valid()) {
            throw new IllegalStateException(result.errorMessage());
        }
        LOG.atInfo().addKeyValue("inputs", config.topics().inputs())
                .addKeyValue("inputPartitions", result.inputPartitions())
                .log("input and output topics checked");
        return result.inputPartitions();
    }

    /**
     * Fails at once, with one message naming the bootstrap servers, when none of them accepts a TCP connection: a
     * broker that is not running, a wrong port, an unknown host. Without it the admin client would retry (and log a
     * warning per attempt) until {@code timeout}. A server that accepts connections passes, whatever it is: the
     * admin client's own check, bounded by its time-out, follows.
     *
     * @param timeout the most one connection attempt may take (at most 5 s is used per address)
     * @throws IllegalStateException if no bootstrap server accepts a connection
     */
    static void requireReachable(String bootstrapServers, Duration timeout) {
        int connectMs = (int) Math.max(1, Math.min(timeout.toMillis(), PROBE_CONNECT_MS));
        List<String> failures = new ArrayList<>();
        for (String entry : bootstrapServers.split(",")) {
            String address = entry.strip();
            int scheme = address.indexOf("://");
            String hostPort = scheme < 0 ? address : address.substring(scheme + 3);
            String host = Utils.getHost(hostPort);
            Integer port = Utils.getPort(hostPort);
            if (host == null || port == null) {
                failures.add(address + ": not host:port");
                continue;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), connectMs);
                return;
            } catch (UnknownHostException e) {
                failures.add(hostPort + ": unknown host");
            } catch (SocketTimeoutException e) {
                failures.add(hostPort + ": no answer within " + seconds(Duration.ofMillis(connectMs)));
            } catch (IOException e) {
                failures.add(hostPort + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                failures.add(hostPort + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException("no Kafka broker accepts connections at bootstrap servers " + bootstrapServers
                + " (" + String.join("; ", failures) + "): is it running, and is bootstrap-servers right?");
    }

    /**
     * The admin client settings Kafka Streams itself would use for this config: bootstrap servers and the
     * {@code streams:} pass-through (security settings, {@code admin.}-prefixed overrides), without settings that
     * are not the admin client's.
     */
    static Map<String, Object> adminProperties(FirewallConfig config) {
        // StreamsConfig's own derivation of its admin client's settings, so that the check connects exactly as
        // Kafka Streams will. The protected constructor skips logging every Streams setting a second time.
        StreamsConfig streams = new StreamsConfig(StreamsSettings.of(config), false) {
        };
        return streams.getAdminConfigs(config.applicationId() + "-topic-check");
    }

    private static void timestampProblems(String topic, Map<String, String> configs, long maxFutureSkewMs,
                                          long maxPastMs, List<String> problems) {
        if ("LogAppendTime".equalsIgnoreCase(configs.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG))) {
            return; // the broker stamps records itself and rejects none for their timestamp
        }
        Long after = limit(topic, configs, TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, problems);
        if (after != null && after < maxFutureSkewMs) {
            problems.add("output topic " + topic + " has " + TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG + "="
                    + after + ", below " + MAX_SKEW_KEY + "=" + maxFutureSkewMs + ": the broker would reject records "
                    + "the firewall writes with event times that far ahead (raise the topic's setting to at least "
                    + maxFutureSkewMs + ", or use message.timestamp.type=LogAppendTime)");
        }
        Long before = limit(topic, configs, TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, problems);
        if (before != null && before < maxPastMs) {
            problems.add("output topic " + topic + " has " + TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG + "="
                    + before + ", below the " + (maxPastMs == Long.MAX_VALUE ? "unbounded (" + maxPastMs + ")"
                            : String.valueOf(maxPastMs)) + " the firewall requires: its records keep their input's "
                    + "event time, which a replay or a late record puts that far back (raise or remove the topic's "
                    + "setting, or use message.timestamp.type=LogAppendTime)");
        }
    }

    /** The limit {@code key} as the topic reports it (or the pre-3.6 setting); null, with a problem, if unreadable. */
    private static Long limit(String topic, Map<String, String> configs, String key, List<String> problems) {
        String value = configs.containsKey(key) ? configs.get(key) : configs.get(LEGACY_DIFFERENCE_MAX_MS);
        if (value == null) {
            // Fail closed: a limit that cannot be read cannot be shown to accept the firewall's records.
            problems.add("output topic " + topic + " reports no " + key + ": cannot tell whether the broker accepts "
                    + "the firewall's record timestamps");
            return null;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            problems.add("output topic " + topic + " has " + key + "=" + value + ", which is not a number of ms");
            return null;
        }
    }

    /** The value of {@code future}, or null if its topic does not exist. */
    private static <T> T await(KafkaFuture<T> future, String topic, long deadline, String bootstrapServers,
                               Duration timeout) {
        try {
            return future.get(Math.max(1, remainingMs(deadline)), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(bootstrapServers, timeout, cause);
            }
            throw new IllegalStateException("cannot check topic " + topic + " on the Kafka cluster at "
                    + bootstrapServers + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        } catch (java.util.concurrent.TimeoutException e) {
            throw unreachable(bootstrapServers, timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the firewall's topics", e);
        }
    }

    private static IllegalStateException unreachable(String bootstrapServers, Duration timeout, Throwable cause) {
        return new IllegalStateException("the Kafka cluster at " + bootstrapServers + " did not answer within "
                + seconds(timeout) + " to check the firewall's topics (is it running, and are bootstrap-servers and "
                + "the security settings under streams: right?)", cause);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static int remainingMs(long deadline) {
        long ms = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    /** Audience, quarantine, suppressed, dead-letter, recalls. */
    /** The outputs run writes: the shadow decisions only in shadow mode. */
    private static List<String> outputs(Topics topics, boolean shadow) {
        List<String> outputs = new ArrayList<>(List.of(topics.audience(), topics.quarantine(), topics.suppressed(),
                topics.deadLetter(), topics.recalls()));
        if (shadow) {
            outputs.add(topics.shadowDecisions());
        }
        return outputs;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<String> distinct(List<String> names) {
        return List.copyOf(new LinkedHashSet<>(names));
    }
}
