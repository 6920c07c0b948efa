package org.purposefirewall.campaign;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one campaign does. Immutable; {@link #parse} reads the command line (the IT's short campaign too).
 *
 * @param instances                firewall instances, separate processes (at least 2)
 * @param contactPoints            contact points (their consent and registrations come on top)
 * @param kills                    kill -9s of firewall instances, each restarted
 * @param brokerRestarts           broker events: the first of the active controller (SIGTERM), the second a kill -9
 * @param brokers                  brokers: 1 runs one broker process; more run a KRaft cluster of that many nodes, one JVM each
 * @param partitions               partitions of every input (and output) topic
 * @param rate                     contact points produced per second (0: as fast as the producers go)
 * @param starvationSeconds        length of the CPU-starvation stretch (0: none)
 * @param starvationThreads        busy threads during it (0: two per core)
 * @param seed                     seeds the traffic and the chaos schedule
 * @param deadlineSeconds          the whole campaign's bound: past it, the campaign stops and reports what it has
 * @param workDir                  where run directories go (a new one per campaign)
 * @param configDir                the shipped {@code application.yaml} and {@code policy.yaml}
 * @param registryUrl              {@code mock://SCOPE} (seeded identically in every process) or a real registry
 * @param sessionTimeoutMs         the instances' consumer {@code session.timeout.ms} (0: Kafka's default, 45 s)
 * @param staticMembership         true: each instance's {@code processing.group-instance-id} is its name (static
 *                                 membership, as the shipped default derives one); false: {@code none}, dynamic
 *                                 membership, so a dead member's tasks move once its session times out
 * @param standbyReplicas          write {@code processing.num-standby-replicas} when above 0
 * @param transactionalStateStores {@code processing.transactional-state-stores} (false as shipped: every deciding
 *                                 task is wiped and restored whole after a kill -9; true: the local state is kept)
 * @param instanceHeap             {@code -Xmx} of every instance
 * @param instanceJavaOptions      further JVM options of every instance, after the harness's own (e.g. a JFR
 *                                 recording); none by default
 * @param classPath                the child JVMs' class path (null: this JVM's)
 * @param streamsSettings          further {@code streams:} settings of every instance (Kafka's own keys), to try a
 *                                 tuning (e.g. {@code producer.transaction.timeout.ms}); none by default
 * @param classDataArchive         a class-data-sharing archive every instance maps once it exists and is newer than
 *                                 the class path, and otherwise writes ({@code ClassDataArchive}, as
 *                                 {@code CDS_ARCHIVE} in {@code bin/purpose-firewall}); null: none, as shipped
 */
public record CampaignOptions(int instances, int contactPoints, int kills, int brokerRestarts, int brokers, int partitions,
                       int rate, int starvationSeconds, int starvationThreads, long seed, int deadlineSeconds,
                       Path workDir, Path configDir, String registryUrl, int sessionTimeoutMs,
                       boolean staticMembership, int standbyReplicas, boolean transactionalStateStores,
                       String instanceHeap, List<String> instanceJavaOptions, String classPath,
                       java.util.Map<String, String> streamsSettings, Path classDataArchive) {

    static final String USAGE = String.join("\n",
            "Usage: scripts/campaign.sh [options]",
            "  --instances N            firewall instances, separate processes (default 2, at least 2)",
            "  --contact-points N       contact points (default 1000000), with consent and registrations",
            "  --kills N                kill -9s of firewall instances, each restarted (default 20)",
            "  --broker-restarts N      broker restarts: controller, then a kill -9, then others (default 3)",
            "  --brokers N              brokers (default 3, one JVM each; 1 for a single broker)",
            "  --partitions N           partitions per topic (default 6)",
            "  --rate N                 contact points produced per second (default 2000; 0 = unpaced)",
            "  --starvation-s N         CPU-starvation stretch in seconds (default 20; 0 = none)",
            "  --starvation-threads N   busy threads during it (default 0 = two per core)",
            "  --seed N                 traffic and chaos seed (default 1)",
            "  --deadline-s N           bound of the whole campaign in seconds (default 3600)",
            "  --work-dir DIR           where the run directory goes (default campaign/target/runs)",
            "  --config-dir DIR         the shipped application.yaml and policy.yaml (default config)",
            "  --registry-url URL       mock://SCOPE (default, seeded alike in every process) or a real registry",
            "  --session-timeout-ms N   instances' session.timeout.ms (default 6000; 0 = Kafka's default)",
            "  --membership M           static (default, as shipped: group-instance-id per instance) or dynamic",
            "                           (group-instance-id none: a dead member's tasks move after its session)",
            "  --standby-replicas N     processing.num-standby-replicas (default 0, as shipped)",
            "  --transactional-state-stores B  processing.transactional-state-stores (default false, as shipped)",
            "  --instance-heap SIZE     -Xmx of each instance (default 512m)",
            "  --instance-java-option O a further JVM option of each instance (repeatable), e.g.",
            "                           -XX:StartFlightRecording=settings=profile,filename=DIR/ (JFR names a file per",
            "                           process in a directory; a killed one leaves its finished chunks in",
            "                           -XX:FlightRecorderOptions=repository=DIR)",
            "  --class-path CP          class path of the child JVMs (default: this JVM's)",
            "  --streams-setting K=V    a further streams: setting of every instance (repeatable), e.g.",
            "                           producer.transaction.timeout.ms=5000",
            "  --cds-archive FILE       class-data-sharing archive of the instances (default none, as shipped):",
            "                           mapped once newer than their jars, else written a minute after RUNNING");

    public CampaignOptions {
        if (instances < 2) {
            throw new IllegalArgumentException("--instances must be at least 2, was " + instances);
        }
        if (contactPoints < 100) {
            throw new IllegalArgumentException("--contact-points must be at least 100, was " + contactPoints);
        }
        if (kills < 0 || brokerRestarts < 0 || starvationSeconds < 0 || rate < 0 || standbyReplicas < 0) {
            throw new IllegalArgumentException("counts, rates and durations must not be negative");
        }
        if (partitions < 1 || brokers < 1 || deadlineSeconds < 10) {
            throw new IllegalArgumentException("--partitions and --brokers at least 1, --deadline-s at least 10");
        }
        try {
            // The firewall's own rule, so that a run fails here rather than after the cluster has started.
            org.purposefirewall.config.Processing.builder().numStandbyReplicas(standbyReplicas)
                    .transactionalStateStores(transactionalStateStores).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the firewall refuses these processing settings: " + e.getMessage(),
                    e);
        }
        streamsSettings = java.util.Map.copyOf(streamsSettings);
        instanceJavaOptions = List.copyOf(instanceJavaOptions);
    }

    static CampaignOptions defaults() {
        return new CampaignOptions(2, 1_000_000, 20, 3, 3, 6, 2000, 20, 0, 1L, 3600, Path.of("campaign/target/runs"),
                Path.of("config"), null, 6000, true, 0,
                org.purposefirewall.config.Processing.TRANSACTIONAL_STATE_STORES.defaultValue(), "512m", List.of(), null,
                java.util.Map.of(), null);
    }

    /** The effective registry URL: the given one or a scope of this campaign's seed. */
    String registry() {
        return registryUrl != null ? registryUrl : "mock://campaign-" + seed;
    }

    /**
     * @return the options, or null if help was asked for
     * @throws IllegalArgumentException naming the offending argument
     */
    public static CampaignOptions parse(String... args) {
        CampaignOptions d = defaults();
        int instances = d.instances;
        int contactPoints = d.contactPoints;
        int kills = d.kills;
        int brokerRestarts = d.brokerRestarts;
        int brokers = d.brokers;
        int partitions = d.partitions;
        int rate = d.rate;
        int starvation = d.starvationSeconds;
        int starvationThreads = d.starvationThreads;
        long seed = d.seed;
        int deadline = d.deadlineSeconds;
        Path workDir = d.workDir;
        Path configDir = d.configDir;
        String registry = d.registryUrl;
        int session = d.sessionTimeoutMs;
        boolean staticMembership = d.staticMembership;
        int standby = d.standbyReplicas;
        boolean transactional = d.transactionalStateStores;
        String heap = d.instanceHeap;
        List<String> javaOptions = new ArrayList<>();
        String classPath = null;
        java.util.Map<String, String> streams = new java.util.LinkedHashMap<>();
        Path classDataArchive = d.classDataArchive;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String name = rest.remove(0);
            switch (name) {
                case "--help", "-h" -> {
                    return null;
                }
                default -> {
                    if (rest.isEmpty()) {
                        throw new IllegalArgumentException("missing value after " + name);
                    }
                    String v = rest.remove(0);
                    switch (name) {
                        case "--instances" -> instances = integer(name, v);
                        case "--contact-points" -> contactPoints = integer(name, v);
                        case "--kills" -> kills = integer(name, v);
                        case "--broker-restarts" -> brokerRestarts = integer(name, v);
                        case "--brokers" -> brokers = integer(name, v);
                        case "--partitions" -> partitions = integer(name, v);
                        case "--rate" -> rate = integer(name, v);
                        case "--starvation-s" -> starvation = integer(name, v);
                        case "--starvation-threads" -> starvationThreads = integer(name, v);
                        case "--seed" -> seed = Long.parseLong(v);
                        case "--deadline-s" -> deadline = integer(name, v);
                        case "--work-dir" -> workDir = Path.of(v);
                        case "--config-dir" -> configDir = Path.of(v);
                        case "--registry-url" -> registry = v;
                        case "--session-timeout-ms" -> session = integer(name, v);
                        case "--standby-replicas" -> standby = integer(name, v);
                        case "--transactional-state-stores" -> transactional = switch (v) {
                            case "true" -> true;
                            case "false" -> false;
                            default -> throw new IllegalArgumentException(
                                    "--transactional-state-stores is true or false, got '" + v + "'");
                        };
                        case "--membership" -> staticMembership = switch (v) {
                            case "static" -> true;
                            case "dynamic" -> false;
                            default -> throw new IllegalArgumentException(
                                    "--membership is static or dynamic, got '" + v + "'");
                        };
                        case "--instance-heap" -> heap = v;
                        case "--instance-java-option" -> javaOptions.add(v);
                        case "--class-path" -> classPath = v;
                        case "--cds-archive" -> classDataArchive = Path.of(v);
                        case "--streams-setting" -> {
                            int eq = v.indexOf('=');
                            if (eq <= 0) {
                                throw new IllegalArgumentException("--streams-setting needs KEY=VALUE, got '" + v + "'");
                            }
                            streams.put(v.substring(0, eq), v.substring(eq + 1));
                        }
                        default -> throw new IllegalArgumentException("unknown option " + name);
                    }
                }
            }
        }
        return new CampaignOptions(instances, contactPoints, kills, brokerRestarts, brokers, partitions, rate,
                starvation, starvationThreads, seed, deadline, workDir, configDir, registry, session,
                staticMembership, standby, transactional, heap, javaOptions, classPath, streams, classDataArchive);
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a whole number, got '" + value + "'", e);
        }
    }
}
