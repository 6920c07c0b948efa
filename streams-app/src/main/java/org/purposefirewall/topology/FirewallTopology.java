package org.purposefirewall.topology;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.purposefirewall.policy.EventTimeBounds;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.consent.ConsentDecoder;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.serde.FirewallSerdes;
import org.purposefirewall.serde.GenericAvroDecoder;
import org.purposefirewall.serde.RegistryRetry;
import org.purposefirewall.serde.SafeAvroDeserializer;

/**
 * Builds the firewall topology. No I/O: the result is an inert description that {@code KafkaStreams} or
 * {@code TopologyTestDriver} runs.
 *
 * <pre>
 *   intake:   consent-source ───────► consent-intake ───────┐
 *             registrations-source ─► registrations-intake ─┴─► side-records-merge ─► side-records (repartition)
 *   deciding: side-records-repartition-source ─► side-records-dispatcher ─┬─► consent-updater      (SideRecordProcessor)
 *                                                                         ├─► registration-updater (SideRecordProcessor)
 *             contact-points-source ─────────────────────────────────────┴─► purpose-decider      (DataRecordProcessor)
 *             guarded-source-&lt;topic&gt; ───────────────────────────────────► guarded-decider-&lt;topic&gt; (DataRecordProcessor)
 *                  sinks: audience, quarantine, suppressed, dead-letter, recall, rehome (back into side-records),
 *                  shadow-decisions (shadow mode only: {@link ShadowDecider})
 *   stores (every deciding processor): consent-store (versioned), registration-store, registered-users-store,
 *                  exposure-store, consent-revocations-store, set-aside-store (every record that waits)
 * </pre>
 *
 * <p>Each processor is built from parts it is handed ({@link Arrival}, an input adapter, the policy through
 * {@link DataDecider} or an applier, {@link Outputs}, {@link SetAside}); see {@link DataRecordProcessor} for one
 * record's way from its source to its one output. Every side record reaches its user's home partition through the
 * internal topic, whatever partitioner wrote it; so does a data record read off its home partition.
 */
public final class FirewallTopology {

    private FirewallTopology() {
    }

    /**
     * The topology for {@code TopologyTestDriver}: one partition, and every side record applied as soon as it is
     * piped ({@link SideRecordBarrier#SYNCHRONOUS}).
     */
    public static Topology build(FirewallConfig config, FirewallSerdes serdes) {
        return build(config, serdes, 1, SideRecordBarrier.SYNCHRONOUS);
    }

    /**
     * @param partitions the input topics' common partition count, as checked at startup
     * @param barrier how far side records are applied per home partition
     */
    public static Topology build(FirewallConfig config, FirewallSerdes serdes, int partitions,
                                 SideRecordBarrier barrier) {
        return build(config, serdes, partitions, barrier, FirewallMetrics.Factory.KAFKA_SENSORS);
    }

    /**
     * @param partitions the input topics' common partition count, as checked at startup
     * @param barrier how far side records are applied per home partition
     * @param metrics opens each processor's metrics when its task starts (the topology itself stays inert)
     */
    public static Topology build(FirewallConfig config, FirewallSerdes serdes, int partitions,
                                 SideRecordBarrier barrier, FirewallMetrics.Factory metrics) {
        return build(config, serdes, partitions, barrier, metrics,
                normalizer -> ShadowDecider.of(config.shadow(), normalizer), null);
    }

    /**
     * The topology for {@code TopologyTestDriver} with an observer of every decision, for {@code replay} and
     * {@code explain}: one partition, side records applied as piped, and no shadow mode (a replay decides with the
     * policy it is given; a candidate is replayed as the policy, not beside it).
     *
     * @param observer sees each data record's decision with what it was taken on, or null
     */
    public static Topology build(FirewallConfig config, FirewallSerdes serdes, DecisionObserver observer) {
        return build(config, serdes, 1, SideRecordBarrier.SYNCHRONOUS, FirewallMetrics.Factory.KAFKA_SENSORS,
                normalizer -> null, observer);
    }

    /**
     * @param shadowMode shadow mode's candidate over the topology's normalizer (tests hand in one that fails), or
     *     null from it for none
     */
    static Topology build(FirewallConfig config, FirewallSerdes serdes, int partitions, SideRecordBarrier barrier,
                          FirewallMetrics.Factory metrics,
                          Function<IdentifierNormalizer.Configured, ShadowDecider> shadowMode) {
        return build(config, serdes, partitions, barrier, metrics, shadowMode, null);
    }

    /**
     * @param held the records' heap budget in place of {@code processing.max-held-heap-percent} (tests of spilling
     *     hand in one that keeps nothing in memory)
     */
    static Topology build(FirewallConfig config, FirewallSerdes serdes, int partitions, SideRecordBarrier barrier,
                          FirewallMetrics.Factory metrics, HeldBudget held) {
        return build(config, serdes, partitions, barrier, metrics,
                normalizer -> ShadowDecider.of(config.shadow(), normalizer), null, held);
    }

    private static Topology build(FirewallConfig config, FirewallSerdes serdes, int partitions,
                                  SideRecordBarrier barrier, FirewallMetrics.Factory metrics,
                                  Function<IdentifierNormalizer.Configured, ShadowDecider> shadowMode,
                                  DecisionObserver observer) {
        // One budget for the whole instance (this topology is built once per Kafka Streams client).
        return build(config, serdes, partitions, barrier, metrics, shadowMode, observer,
                HeldBudget.ofHeapPercent(config.processing().maxHeldHeapPercent()));
    }

    private static Topology build(FirewallConfig config, FirewallSerdes serdes, int partitions,
                                  SideRecordBarrier barrier, FirewallMetrics.Factory metrics,
                                  Function<IdentifierNormalizer.Configured, ShadowDecider> shadowMode,
                                  DecisionObserver observer, HeldBudget held) {
        Topics topics = config.topics();
        StringDeserializer keys = new StringDeserializer();
        StringSerializer keyWriter = new StringSerializer();
        EventTimeBounds bounds = config.processing().eventTimeBounds();
        RegistryRetry retry = RegistryRetry.upTo(config.processing().registryOutageMaxBlock(),
                serdes.health());
        // One normalizer for every processor, so registrations, contact points and guarded records are keyed alike.
        IdentifierNormalizer.Configured normalizer = IdentifierNormalizer.of(config.identity());
        ShadowDecider shadow = shadowMode.apply(normalizer);
        ConsentDecoder consentDecoder = new ConsentDecoder(config.consentSignals());
        Arrival.Routing direct = new Arrival.Routing(partitions, true);
        Arrival.Routing rehomed = new Arrival.Routing(partitions, false);
        int maxWaiting = config.processing().maxHeldRecords();
        DataRecordProcessor.Shared shared = new DataRecordProcessor.Shared(config.policy(), normalizer,
                config.honeytokens(), List.of(topics.consent(), topics.registrations()), topics.audience(),
                config.processing().consentHold().toMillis(), maxWaiting, held, direct, bounds, barrier,
                config.processing().settle().toMillis(), metrics, shadow, observer);

        // Every processor records enter a task through is paced: its task asks for commits (CommitPacer says how often).
        CommitPacer pacer = CommitPacer.between(config.processing().commitInterval(),
                config.processing().commitIntervalMax());

        // Intake: every side record, whole, to its user's home partition, whatever partitioner wrote it.
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, ParkedRecord> consentIntake = builder
                .stream(topics.consent(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName(Names.CONSENT_SOURCE).withOffsetResetPolicy(AutoOffsetReset.earliest())
                        .withTimestampExtractor(EventTimeExtractor.kafkaTimestamp(bounds)))
                .process(pacer.<String, byte[], String, ParkedRecord>around(
                        () -> new SideRecordIntake(partitions, bounds)), Named.as(Names.CONSENT_INTAKE));
        KStream<String, ParkedRecord> registrationsIntake = builder
                .stream(topics.registrations(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName(Names.REGISTRATIONS_SOURCE).withOffsetResetPolicy(AutoOffsetReset.earliest())
                        .withTimestampExtractor(EventTimeExtractor.kafkaTimestamp(bounds)))
                .process(pacer.<String, byte[], String, ParkedRecord>around(
                        () -> new SideRecordIntake(partitions, bounds)), Named.as(Names.REGISTRATIONS_INTAKE));
        consentIntake.merge(registrationsIntake, Named.as(Names.SIDE_RECORDS_MERGE))
                .repartition(Repartitioned.<String, ParkedRecord>as(Names.SIDE_RECORDS)
                        .withKeySerde(Serdes.String()).withValueSerde(ParkedRecord.serde()));
        Topology topology = builder.build();

        EventTimeExtractor<ConsentState> consentTime = new EventTimeExtractor<>(ConsentState.class,
                s -> s.getEffectiveTime().toEpochMilli(), bounds);
        EventTimeExtractor<PurposeRegistration> registrationTime = new EventTimeExtractor<>(
                PurposeRegistration.class, r -> r.getEventTime().toEpochMilli(), bounds);
        EventTimeExtractor<ContactPoint> contactTime = new EventTimeExtractor<>(ContactPoint.class,
                c -> c.getEventTime().toEpochMilli(), bounds);
        SafeAvroDeserializer<ContactPoint> contactDecoder = new SafeAvroDeserializer<>(serdes.contactPoint(), retry);
        Map<String, SideRecordDispatcher.Route> routes = new HashMap<>();
        routes.put(topics.consent(), new SideRecordDispatcher.Route(Names.CONSENT_UPDATER,
                new SafeAvroDeserializer<>(serdes.consentState(), retry), consentTime));
        routes.put(topics.registrations(), new SideRecordDispatcher.Route(Names.REGISTRATION_UPDATER,
                new SafeAvroDeserializer<>(serdes.registration(), retry), registrationTime));
        routes.put(topics.contactPoints(), new SideRecordDispatcher.Route(Names.DECIDER, contactDecoder,
                contactTime));
        GenericAvroDecoder generic = new GenericAvroDecoder(serdes.registry());
        SafeAvroDeserializer<GenericRecord> genericDecoder = new SafeAvroDeserializer<>(generic, retry);
        for (String guarded : topics.guarded()) {
            routes.put(guarded, new SideRecordDispatcher.Route(Names.guardedDecider(guarded), genericDecoder,
                    EventTimeExtractor.kafkaTimestampAsWritten(bounds)));
        }
        topology.addProcessor(Names.DISPATCHER, pacer.around(() -> new SideRecordDispatcher(routes, Names.DECIDER)),
                Names.SIDE_RECORDS_SOURCE);

        topology.addSource(AutoOffsetReset.earliest(), Names.CONTACT_POINTS_SOURCE, contactTime,
                keys, contactDecoder, topics.contactPoints());

        String policyVersion = config.policy().version();
        String policyHash = config.policy().contentHash();
        topology.addProcessor(Names.CONSENT_UPDATER,
                () -> new SideRecordProcessor<>(new SideRecordProcessor.Parts<>(topics.consent(),
                        (stores, outputs) -> new ConsentApplier(new ConsentAdapter(consentDecoder, bounds),
                                config.policy(), stores, outputs),
                        SetAside.Decoder.of(serdes.consentState(), serdes.health()), policyVersion,
                        policyHash, topics.audience(), bounds, maxWaiting, held, rehomed, metrics)),
                Names.DISPATCHER);
        topology.addProcessor(Names.REGISTRATION_UPDATER,
                () -> new SideRecordProcessor<>(new SideRecordProcessor.Parts<>(topics.registrations(),
                        (stores, outputs) -> new RegistrationApplier(new RegistrationAdapter(normalizer, bounds),
                                config.policy(), stores, outputs),
                        SetAside.Decoder.of(serdes.registration(), serdes.health()), policyVersion,
                        policyHash, topics.audience(), bounds, maxWaiting, held, rehomed, metrics)),
                Names.DISPATCHER);
        topology.addProcessor(Names.DECIDER,
                pacer.around(() -> new DataRecordProcessor<>(topics.contactPoints(),
                        new ContactPointAdapter(normalizer, bounds),
                        SetAside.Decoder.of(serdes.contactPoint(), serdes.health()), shared)),
                Names.CONTACT_POINTS_SOURCE, Names.DISPATCHER);
        List<String> deciders = new ArrayList<>(List.of(Names.DECIDER));
        for (String guarded : topics.guarded()) {
            String source = Names.guardedSource(guarded);
            String decider = Names.guardedDecider(guarded);
            topology.addSource(AutoOffsetReset.earliest(), source, EventTimeExtractor.kafkaTimestampAsWritten(bounds),
                    keys, genericDecoder, guarded);
            topology.addProcessor(decider,
                    pacer.around(() -> new DataRecordProcessor<>(guarded, new GuardedRecordAdapter(normalizer, bounds),
                            SetAside.Decoder.of(generic, serdes.health()), shared)),
                    source, Names.DISPATCHER);
            deciders.add(decider);
        }
        String[] decidersArray = deciders.toArray(String[]::new);
        List<String> all = new ArrayList<>(List.of(Names.CONSENT_UPDATER, Names.REGISTRATION_UPDATER));
        all.addAll(deciders);
        String[] every = all.toArray(String[]::new);

        // Every store is connected to every processor of the deciding sub-topology: they are one task's state.
        // With transactional stores, a kill -9 keeps each store's flushed state: PositionedStores says why it is
        // needed for Kafka to use it.
        boolean keepsState = config.processing().transactionalStateStores();
        // ReopenedHistory: Kafka 4.4.0's versioned store forgets its older versions when it reopens kept state.
        VersionedBytesStoreSupplier consent = ReopenedHistory.of(Stores.persistentVersionedKeyValueStore(
                Names.CONSENT_STORE, config.processing().consentHistoryRetention()));
        topology.addStateStore(Stores.versionedKeyValueStoreBuilder(
                        keepsState ? PositionedStores.versioned(consent) : consent,
                        Serdes.String(), ConsentStoreSerde.serde()),
                every);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                        persistent(Names.REGISTRATION_STORE, keepsState),
                        Serdes.Bytes(), RegistrationHistory.serde()),
                every);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                        persistent(Names.REGISTERED_USERS_STORE, keepsState), Serdes.String(),
                        Serdes.ByteArray()).withCachingEnabled(),
                every);
        // What the ad side holds, for recalls: written by the data processors, read by the side processors.
        topology.addStateStore(Stores.keyValueStoreBuilder(
                        persistent(Names.EXPOSURE_STORE, keepsState), Serdes.Bytes(), Exposure.serde()),
                every);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                        persistent(Names.REVOCATION_STORE, keepsState), Serdes.String(), Revocations.serde()),
                every);
        // Persistent, cached and changelogged: SetAside writes waiting records in chunks, so the cache folds a
        // chunk's writes between two commits into one changelog record, and the short waits never leave the cache;
        // a backlog past the heap budget's first half lives on disk, not the heap (HeldBudget says why).
        topology.addStateStore(Stores.keyValueStoreBuilder(persistent(Names.SET_ASIDE_STORE, keepsState),
                        Serdes.String(), Serdes.ByteArray()).withCachingEnabled(),
                every);

        topology.addSink(Names.AUDIENCE_SINK, topics.audience(), keyWriter, serdes.audience().serializer(),
                decidersArray);
        topology.addSink(Names.QUARANTINE_SINK, topics.quarantine(), keyWriter, serdes.quarantine().serializer(),
                decidersArray);
        topology.addSink(Names.SUPPRESSED_SINK, topics.suppressed(), keyWriter, serdes.suppressed().serializer(),
                decidersArray);
        topology.addSink(Names.RECALL_SINK, topics.recalls(), keyWriter, serdes.recall().serializer(),
                every);
        // Data records read off their home partition go home through the internal topic (Kafka Streams names it
        // <application.id>-side-records-repartition; the default partitioner puts each user on its home partition).
        topology.addSink(Names.REHOME_SINK, Names.SIDE_RECORDS_TOPIC, keyWriter, ParkedRecord.serde().serializer(),
                decidersArray);
        topology.addSink(Names.DEAD_LETTER_SINK, topics.deadLetter(), keyWriter, serdes.deadLetter().serializer(),
                every);
        if (shadow != null) {
            topology.addSink(Names.SHADOW_SINK, topics.shadowDecisions(), keyWriter,
                    serdes.shadowDecision().serializer(), decidersArray);
        }
        return topology;
    }

    private static String[] concat(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** A persistent key-value store, {@link PositionedStores positioned} where the state is kept across a kill. */
    private static KeyValueBytesStoreSupplier persistent(String name, boolean keepsState) {
        KeyValueBytesStoreSupplier store = Stores.persistentKeyValueStore(name);
        return keepsState ? PositionedStores.keyValue(store) : store;
    }

}
