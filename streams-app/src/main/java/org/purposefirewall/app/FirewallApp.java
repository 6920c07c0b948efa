package org.purposefirewall.app;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.StreamsConfig;
import org.purposefirewall.topology.Names;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Processing;
import org.purposefirewall.config.Topics;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.serde.AvroSerde;
import org.purposefirewall.registry.RegistryUnavailableException;
import org.purposefirewall.serde.FirewallSerdes;
import org.purposefirewall.serde.RegistryRetry;
import org.purposefirewall.topology.FirewallTopology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One running firewall: serdes, topology and {@link KafkaStreams}, started and stopped together.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()} (idempotent). A stream thread that dies on an error
 * shuts the whole client down ({@code SHUTDOWN_CLIENT}) rather than skip records: an orchestrator restarts the
 * process, and exactly-once processing resumes from the last committed transaction.
 */
public final class FirewallApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FirewallApp.class);

    /** The most the startup topic check may take: the cluster must answer within it. */
    static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(30);
    /** How far back an output record's event time may be: any distance (replays, late records). */
    static final long MAX_EVENT_TIME_PAST_MS = Long.MAX_VALUE;

    private final FirewallConfig config;
    private final FirewallSerdes serdes;
    private final FirewallMetrics.Factory metrics;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Volatile: the barrier's thread reads it for {@link ThreadActivity}. */
    private volatile KafkaStreams streams;
    /** Logs restores, and knows which are under way for the barrier's warning ({@link TaskPlaces}). */
    private final RestoreLog restoreLog = new RestoreLog();
    private BrokerSideRecordBarrier barrier;
    private volatile boolean failed;
    private int inputPartitions;

    public FirewallApp(FirewallConfig config, FirewallSerdes serdes) {
        this(config, serdes, FirewallMetrics.Factory.KAFKA_SENSORS);
    }

    /** @param metrics opens each processor's metrics ({@link FirewallService} adds the Prometheus ones) */
    public FirewallApp(FirewallConfig config, FirewallSerdes serdes, FirewallMetrics.Factory metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.serdes = Objects.requireNonNull(serdes, "serdes");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Builds serdes from the config's {@code schema-registry} settings. */
    public static FirewallApp fromConfig(FirewallConfig config) {
        return new FirewallApp(config, FirewallSerdes.fromSettings(config.schemaRegistry()));
    }

    /** The topology as {@code TopologyTestDriver} runs it: one partition, side records applied synchronously. */
    public Topology topology() {
        return FirewallTopology.build(config, serdes);
    }

    /**
     * Checks the topics ({@link TopicCheck}: inputs co-partitioned, outputs present and accepting the firewall's
     * timestamps), registers (or checks) the output schemas, then starts processing. Any of these failing fails
     * here, with an {@link IllegalStateException} that says what to fix, before any record is read. The topic check
     * comes first so that nothing is registered anywhere for a cluster the firewall cannot run on.
     */
    public synchronized void start() {
        if (streams != null) {
            throw new IllegalStateException("already started");
        }
        logEffectiveConfig();
        inputPartitions = TopicCheck.verify(config, config.processing().maxEventTimeSkew().toMillis(),
                MAX_EVENT_TIME_PAST_MS, TOPIC_CHECK_TIMEOUT);
        serdes.health().registerJmx(config.applicationId());
        registerOutputSchemas();
        Properties props = StreamsSettings.of(config);
        Admin admin = Admin.create(new StreamsConfig(props).getAdminConfigs(config.applicationId() + "-barrier"));
        int partitions = inputPartitions;
        barrier = new BrokerSideRecordBarrier(admin, config.applicationId(),
                List.of(config.topics().consent(), config.topics().registrations()),
                Names.sideRecordsTopic(config.applicationId()), partitions,
                config.processing().sideBarrierPoll(), this::threadActivity, this::taskPlaces);
        barrier.start();
        Topology topology = FirewallTopology.build(config, serdes, partitions, barrier, metrics);
        LOG.atInfo().addKeyValue("applicationId", config.applicationId())
                .addKeyValue("policyVersion", config.policy().version())
                .addKeyValue("policyHash", config.policy().contentHash())
                .addKeyValue("shadowPolicyVersion",
                        config.shadow() == null ? "none" : config.shadow().policy().version())
                .addKeyValue("guarantee", config.processing().guarantee().kafkaValue())
                .log("starting purpose firewall");
        if (config.processing().transactionalStateStores()) {
            // Once per start: the operator chose the less measured setting, and should find it in the log.
            LOG.atInfo().addKeyValue("key", Processing.TRANSACTIONAL_STATE_STORES.qualifiedName())
                    .log("transactional state stores are on: a kill -9 keeps the local state; measured in fewer "
                            + "failure campaigns than the default (README, Restarts and failover)");
        }
        streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(exception -> {
            if (causedByRegistryOutage(exception)) {
                // Not the record's fault and nothing to skip: the new thread resumes from the last committed
                // offset, so the record that needed the registry is read again from its place.
                serdes.health().threadReplaced();
                LOG.atWarn().addKeyValue("maxBlockMs", config.processing().registryOutageMaxBlock().toMillis())
                        .log("schema registry unreachable for longer than the outage budget; replacing stream thread");
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            failed = true;
            LOG.atError().addKeyValue("errorClass", exception.getClass().getName())
                    .setCause(exception)
                    .log("stream thread failed; shutting the client down");
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setGlobalStateRestoreListener(restoreLog);
        streams.setStateListener((next, previous) -> {
            LOG.atInfo().addKeyValue("from", previous).addKeyValue("to", next).log("streams state changed");
            if (next == KafkaStreams.State.NOT_RUNNING || next == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        streams.start();
    }

    private String threadActivity() {
        KafkaStreams running = streams;
        return running == null ? "none" : ThreadActivity.describe(running.metrics());
    }

    private String taskPlaces(List<Integer> homePartitions) {
        KafkaStreams running = streams;
        return running == null ? "none" : TaskPlaces.describe(homePartitions, running.metadataForLocalThreads(),
                Names.sideRecordsTopic(config.applicationId()), restoreLog.restoring());
    }

    /** Every effective setting, once, as key-values of one line (secrets hidden: {@link EffectiveConfig}). */
    private void logEffectiveConfig() {
        LoggingEventBuilder event = LOG.atInfo();
        EffectiveConfig.of(config).forEach(event::addKeyValue);
        event.log("effective configuration");
    }

    private void registerOutputSchemas() {
        Topics topics = config.topics();
        List<Output> outputs = List.of(
                new Output(topics.audience(), serdes.audience()),
                new Output(topics.quarantine(), serdes.quarantine()),
                new Output(topics.suppressed(), serdes.suppressed()),
                new Output(topics.deadLetter(), serdes.deadLetter()),
                new Output(topics.recalls(), serdes.recall()));
        if (config.shadow() != null) {
            outputs = new java.util.ArrayList<>(outputs);
            outputs.add(new Output(topics.shadowDecisions(), serdes.shadowDecision()));
        }
        RegistryRetry retry = RegistryRetry.upTo(config.processing().registryOutageMaxBlock(),
                serdes.health());
        for (Output output : outputs) {
            String subject = output.serde().subject(output.topic());
            try {
                int id = retry.call(() -> output.serde().schemaIdFor(output.topic()));
                LOG.atInfo().addKeyValue("subject", subject).addKeyValue("schemaId", id).log("output schema ready");
            } catch (RuntimeException e) {
                if (causedByRegistryOutage(e)) {
                    throw new IllegalStateException("the schema registry at " + config.schemaRegistry().url()
                            + " did not answer within " + config.processing().registryOutageMaxBlock().toMillis()
                            + " ms (processing.registry-outage-max-block-ms) to register or look up subject "
                            + subject + ": is it running, and is schema-registry.schema.registry.url right?", e);
                }
                throw new IllegalStateException("output schema for subject " + subject + " cannot be used: "
                        + e.getMessage(), e);
            }
        }
    }

    static boolean causedByRegistryOutage(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof RegistryUnavailableException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The running client, for state queries and metrics; null before {@link #start()}. */
    public KafkaStreams streams() {
        return streams;
    }

    /** The common partition count of the input topics, as checked at {@link #start()}; 0 before. */
    public synchronized int inputPartitions() {
        return inputPartitions;
    }

    /** True once a stream thread failed and the client shut down. */
    public boolean failed() {
        return failed;
    }

    /** Blocks until the client stops (closed, or shut down after an error). */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (streams != null) {
            // Leave the group, static member or not: a successor with another member id (a scale-down, a new host
            // or state directory) would otherwise wait out the session time-out (45 s) for these partitions. A
            // clean restart with the same id then rebalances once, in seconds; only an unclean stop keeps the
            // membership (README, Restarts and failover).
            streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
        if (barrier != null) {
            barrier.close();
        }
        serdes.health().unregisterJmx();
        serdes.registry().close();
        stopped.countDown();
    }

    private record Output(String topic, AvroSerde<?> serde) {
    }
}
