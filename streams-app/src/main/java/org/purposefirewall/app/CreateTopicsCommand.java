package org.purposefirewall.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code create-topics}: creates every topic of the configuration that does not exist, the way {@link TopicCheck}
 * (and so {@code run}) accepts them, and checks the ones that do. Idempotent: a second run creates nothing.
 *
 * <ul>
 *   <li>Inputs (contact points, consent, registrations, every guarded topic): {@code --partitions} each, because
 *       they are co-partitioned by user id; consent compacted (it is a table of the latest state per user).</li>
 *   <li>Outputs (audience, quarantine, suppressed, dead-letter, recalls): {@code --partitions} each, with
 *       {@code message.timestamp.after.max.ms} at least the accepted event-time skew (and at least Kafka's default
 *       hour) and {@code message.timestamp.before.max.ms} unbounded, set on the topic so that a broker-wide
 *       override cannot make them refuse the firewall's records.</li>
 *   <li>An existing input with another partition count, or an existing consent topic that is not compacted, is an
 *       error naming it (exit 2), and then nothing is created. An existing output is kept with whatever count it
 *       has: outputs need not be co-partitioned.</li>
 * </ul>
 *
 * <p>Then the topics are checked exactly as {@code run} checks them at startup. Retention and ACLs are left to the
 * operator: the quarantine and dead-letter topics hold personal data (README, "Topics and schemas").
 */
@Command(name = "create-topics", mixinStandardHelpOptions = true,
        description = "create the configured topics that are missing (inputs co-partitioned, consent compacted), "
                + "check the ones that exist, exit")
final class CreateTopicsCommand extends ConfiguredCommand {

    /** How long the cluster has to answer each step. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Kafka's default {@code message.timestamp.after.max.ms}: one hour. */
    static final long KAFKA_DEFAULT_AFTER_MAX_MS = 3_600_000L;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "6",
            description = "partitions of each topic created (default: ${DEFAULT-VALUE}); existing inputs must "
                    + "have this many")
    int partitions;

    @Option(names = "--replication-factor", paramLabel = "R", defaultValue = "-1",
            description = "replication factor of each topic created (default: the broker's "
                    + "default.replication.factor)")
    short replicationFactor;

    /** One topic the firewall needs, with how it must be created. */
    record Wanted(String name, boolean input, Map<String, String> configs) {

        boolean compacted() {
            return TopicConfig.CLEANUP_POLICY_COMPACT.equals(configs.get(TopicConfig.CLEANUP_POLICY_CONFIG));
        }
    }

    @Override
    int run(FirewallConfig config) {
        if (partitions < 1) {
            err().println("--partitions must be at least 1, not " + partitions);
            return PurposeFirewallMain.USAGE_ERROR;
        }
        if (replicationFactor == 0 || replicationFactor < -1) {
            err().println("--replication-factor must be at least 1, or -1 for the broker's default");
            return PurposeFirewallMain.USAGE_ERROR;
        }
        try {
            TopicCheck.requireReachable(config.bootstrapServers(), TIMEOUT);
            try (Admin admin = Admin.create(TopicCheck.adminProperties(config))) {
                return createAndCheck(admin, config);
            }
        } catch (IllegalStateException | KafkaException e) {
            err().println("create-topics failed: " + e.getMessage());
            return PurposeFirewallMain.USAGE_ERROR;
        }
    }

    private int createAndCheck(Admin admin, FirewallConfig config) {
        List<Wanted> wanted = wanted(config.topics(), config.processing().maxEventTimeSkew().toMillis());
        Map<String, Integer> existing = describe(admin, wanted, config.bootstrapServers());
        List<String> problems = problems(wanted, existing, partitions);
        String consent = config.topics().consent();
        if (existing.containsKey(consent) && !compacted(admin, consent, config.bootstrapServers())) {
            problems.add("consent topic " + consent + " exists but is not compacted (cleanup.policy=compact): the "
                    + "firewall reads it as the latest state per user; recreate it, or alter its cleanup.policy");
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> err().println("create-topics: " + p));
            err().println("create-topics: nothing created");
            return PurposeFirewallMain.USAGE_ERROR;
        }
        List<NewTopic> create = new ArrayList<>();
        for (Wanted w : wanted) {
            if (!existing.containsKey(w.name())) {
                create.add(new NewTopic(w.name(), Optional.of(partitions),
                        replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor))
                        .configs(w.configs()));
            }
        }
        Map<String, KafkaFuture<Void>> results = create.isEmpty() ? Map.of() : admin.createTopics(create).values();
        for (Wanted w : wanted) {
            String kind = (w.input() ? "input" : "output") + (w.compacted() ? ", compacted" : "");
            Integer count = existing.get(w.name());
            if (count != null) {
                out().println("exists   " + w.name() + " (" + kind + ", " + count + " partitions)");
            } else if (await(results.get(w.name()), w.name(), config.bootstrapServers())) {
                out().println("created  " + w.name() + " (" + kind + ", " + partitions + " partitions)");
            } else {
                out().println("exists   " + w.name() + " (" + kind + ", created meanwhile by someone else)");
            }
        }
        TopicCheck.Result check = TopicCheck.check(admin, config.bootstrapServers(), config.topics(),
                config.shadow() != null, config.processing().maxEventTimeSkew().toMillis(),
                FirewallApp.MAX_EVENT_TIME_PAST_MS, TIMEOUT);
        if (!check.valid()) {
            err().println("create-topics: the topics do not pass run's startup check: " + check.errorMessage());
            return PurposeFirewallMain.USAGE_ERROR;
        }
        out().println("topics ready for run: inputs co-partitioned with " + check.inputPartitions()
                + " partitions; retention and ACLs are yours to set (quarantine and dead-letter hold personal data)");
        out().flush();
        return PurposeFirewallMain.OK;
    }

    /** The topics of {@code topics}, inputs first, each once, with the settings it is created with. */
    static List<Wanted> wanted(Topics topics, long maxEventTimeSkewMs) {
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        Map<String, String> output = Map.of(
                TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG,
                String.valueOf(Math.max(KAFKA_DEFAULT_AFTER_MAX_MS, maxEventTimeSkewMs)),
                TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, String.valueOf(Long.MAX_VALUE));
        Map<String, Wanted> all = new LinkedHashMap<>();
        for (String input : new LinkedHashSet<>(topics.inputs())) {
            all.put(input, new Wanted(input, true, input.equals(topics.consent()) ? compacted : Map.of()));
        }
        // The shadow decisions too, shadow policy or not: a candidate can then be rolled out without a topic change.
        for (String out : List.of(topics.audience(), topics.quarantine(), topics.suppressed(), topics.deadLetter(),
                topics.recalls(), topics.shadowDecisions())) {
            all.putIfAbsent(out, new Wanted(out, false, output));
        }
        return List.copyOf(all.values());
    }

    /** Existing inputs with another partition count than {@code partitions}, each named. */
    static List<String> problems(List<Wanted> wanted, Map<String, Integer> existing, int partitions) {
        List<String> problems = new ArrayList<>();
        for (Wanted w : wanted) {
            Integer count = existing.get(w.name());
            if (w.input() && count != null && count != partitions) {
                problems.add("input topic " + w.name() + " exists with " + count + " partitions, not " + partitions
                        + " (--partitions): inputs are co-partitioned by user id, so give --partitions " + count
                        + " to create the others alike, or recreate it");
            }
        }
        return problems;
    }

    /** Partition count of each wanted topic that exists. */
    private static Map<String, Integer> describe(Admin admin, List<Wanted> wanted, String bootstrapServers) {
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(
                wanted.stream().map(Wanted::name).toList()).topicNameValues();
        Map<String, Integer> existing = new LinkedHashMap<>();
        for (Wanted w : wanted) {
            try {
                existing.put(w.name(), get(described.get(w.name()), bootstrapServers).partitions().size());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failed("describe topic " + w.name(), bootstrapServers, e.getCause());
                }
            }
        }
        return existing;
    }

    private static boolean compacted(Admin admin, String topic, String bootstrapServers) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config = get(admin.describeConfigs(List.of(resource)).values().get(resource), bootstrapServers);
            ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            return policy != null && policy.value() != null
                    && policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT);
        } catch (ExecutionException e) {
            throw failed("describe the configs of topic " + topic, bootstrapServers, e.getCause());
        }
    }

    /** True if the topic was created; false if it came to exist meanwhile. */
    private static boolean await(KafkaFuture<Void> created, String topic, String bootstrapServers) {
        try {
            get(created, bootstrapServers);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw failed("create topic " + topic, bootstrapServers, e.getCause());
        }
    }

    private static <T> T get(KafkaFuture<T> future, String bootstrapServers) throws ExecutionException {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the Kafka cluster at " + bootstrapServers + " did not answer within "
                    + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static IllegalStateException failed(String what, String bootstrapServers, Throwable cause) {
        return new IllegalStateException("cannot " + what + " on the Kafka cluster at " + bootstrapServers + ": "
                + cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
    }
}
