package org.purposefirewall.topology;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.purposefirewall.policy.EventTimeBounds;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Topics;
import org.purposefirewall.consent.ConsentDecoder;
import org.purposefirewall.identity.IdentifierNormalizer;
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
 *   consent-source ───────► consent-updater ──────► [consent-store, versioned] ─┐
 *   registrations-source ─► registration-updater ─► [registration-store] ───────┤
 *   contact-points-source ─► purpose-decider ◄─────────────────────────────────┘
 *                             ├─► audience-sink     (ads.audience-identifiers)
 *                             ├─► quarantine-sink   (privacy.quarantine)
 *                             ├─► suppressed-sink   (privacy.suppressed)
 *                             └─► dead-letter-sink  (privacy.dead-letter; the updaters also feed it)
 *   guarded-source-&lt;topic&gt; ─► guarded-decider-&lt;topic&gt;  (one pair per guarded topic; same stores and sinks)
 *   [parked-store]: records set aside while the schema registry is unreachable (every processor)
 * </pre>
 *
 * <p>The three inputs share one sub-topology (they share stores), so each task reads the same partition of every
 * input, and Kafka Streams hands it records in timestamp order across them (bounded by {@code max.task.idle.ms}).
 * Inputs must therefore be co-partitioned by user id; no repartition topic exists.
 */
public final class FirewallTopology {

    /**
     * The most records of one input topic one task parks while the registry is unreachable; past it the outage
     * goes to Kafka Streams (the stream thread is replaced and resumes from its last commit).
     */
    public static final long MAX_PARKED_PER_TOPIC = 100_000;

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
        Topics topics = config.topics();
        StringDeserializer keys = new StringDeserializer();
        StringSerializer keyWriter = new StringSerializer();
        EventTimeBounds bounds = config.processing().eventTimeBounds();
        RegistryRetry retry = RegistryRetry.upTo(config.processing().registryOutageMaxBlock(),
                serdes.health());
        // One normalizer for every processor, so registrations, contact points and guarded records are keyed alike.
        IdentifierNormalizer.Configured normalizer = IdentifierNormalizer.of(config.identity());
        ConsentDecoder consentDecoder = new ConsentDecoder(config.consentSignals());
        InputProcessor.Routing direct = new InputProcessor.Routing(partitions, true, bounds);
        InputProcessor.Routing rehomed = new InputProcessor.Routing(partitions, false, bounds);
        DecidingProcessor.Deciding deciding = new DecidingProcessor.Deciding(config.policy(), normalizer,
                config.honeytokens(), topics.consent(), topics.registrations(), topics.audience(),
                config.processing().consentHold().toMillis(), config.processing().maxHeldRecords(), direct, barrier,
                config.processing().settle().toMillis());

        // Intake: every side record, whole, to its user's home partition, whatever partitioner wrote it.
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, ParkedRecord> consentIntake = builder
                .stream(topics.consent(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName(Names.CONSENT_SOURCE).withOffsetResetPolicy(AutoOffsetReset.earliest())
                        .withTimestampExtractor(EventTimeExtractor.kafkaTimestamp(bounds)))
                .process(() -> new SideRecordIntake(partitions, bounds), Named.as(Names.CONSENT_INTAKE));
        KStream<String, ParkedRecord> registrationsIntake = builder
                .stream(topics.registrations(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName(Names.REGISTRATIONS_SOURCE).withOffsetResetPolicy(AutoOffsetReset.earliest())
                        .withTimestampExtractor(EventTimeExtractor.kafkaTimestamp(bounds)))
                .process(() -> new SideRecordIntake(partitions, bounds), Named.as(Names.REGISTRATIONS_INTAKE));
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
        topology.addProcessor(Names.DISPATCHER, () -> new SideRecordDispatcher(routes, Names.DECIDER),
                Names.SIDE_RECORDS_SOURCE);

        topology.addSource(AutoOffsetReset.earliest(), Names.CONTACT_POINTS_SOURCE, contactTime,
                keys, contactDecoder, topics.contactPoints());

        topology.addProcessor(Names.CONSENT_UPDATER,
                () -> new ConsentUpdater(topics.consent(), serdes.consentState(), MAX_PARKED_PER_TOPIC,
                        serdes.health(), consentDecoder, config.policy(), topics.audience(), rehomed),
                Names.DISPATCHER);
        topology.addProcessor(Names.REGISTRATION_UPDATER,
                () -> new RegistrationUpdater(topics.registrations(), serdes.registration(),
                        MAX_PARKED_PER_TOPIC, serdes.health(), normalizer, config.policy(), topics.audience(),
                        rehomed),
                Names.DISPATCHER);
        topology.addProcessor(Names.DECIDER,
                () -> new PurposeDecider(topics.contactPoints(), serdes.contactPoint(), MAX_PARKED_PER_TOPIC,
                        serdes.health(), deciding),
                Names.CONTACT_POINTS_SOURCE, Names.DISPATCHER);
        List<String> deciders = new ArrayList<>(List.of(Names.DECIDER));
        for (String guarded : topics.guarded()) {
            String source = Names.guardedSource(guarded);
            String decider = Names.guardedDecider(guarded);
            topology.addSource(AutoOffsetReset.earliest(), source, EventTimeExtractor.kafkaTimestampAsWritten(bounds),
                    keys, genericDecoder, guarded);
            topology.addProcessor(decider,
                    () -> new GuardedDecider(guarded, generic, MAX_PARKED_PER_TOPIC, serdes.health(), deciding),
                    source, Names.DISPATCHER);
            deciders.add(decider);
        }
        String[] decidersArray = deciders.toArray(String[]::new);
        List<String> all = new ArrayList<>(List.of(Names.CONSENT_UPDATER, Names.REGISTRATION_UPDATER));
        all.addAll(deciders);

        topology.addStateStore(Stores.versionedKeyValueStoreBuilder(
                        Stores.persistentVersionedKeyValueStore(Names.CONSENT_STORE,
                                config.processing().consentHistoryRetention()),
                        Serdes.String(), ConsentStoreSerde.serde()),
                concat(Names.CONSENT_UPDATER, decidersArray));
        topology.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(Names.REGISTRATION_STORE),
                        Serdes.Bytes(), RegistrationHistory.serde()),
                concat(Names.REGISTRATION_UPDATER, decidersArray));

        // What the ad side holds, for recalls: written by the deciders, read by the updaters.
        topology.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(Names.EXPOSURE_STORE), Serdes.Bytes(), Exposure.serde()),
                all.toArray(String[]::new));

        topology.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(Names.REVOCATION_STORE), Serdes.String(), Revocations.serde()),
                all.toArray(String[]::new));

        // In memory, changelogged and cached: a record usually waits less than a commit interval, so its put and
        // delete mostly meet in the cache and the changelog sees one tombstone, not the record.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.SETTLE_STORE),
                        Serdes.String(), ParkedRecord.serde()).withCachingEnabled(),
                decidersArray);

        // In memory and changelogged, like parked records: held records are bounded and short-lived.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.HELD_STORE),
                        Serdes.String(), ParkedRecord.serde()),
                decidersArray);

        // In memory and changelogged: parked records are few and short-lived, and must survive a restart.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.PARKED_STORE),
                        Serdes.String(), ParkedRecord.serde()),
                all.toArray(String[]::new));

        topology.addSink(Names.AUDIENCE_SINK, topics.audience(), keyWriter, serdes.audience().serializer(),
                decidersArray);
        topology.addSink(Names.QUARANTINE_SINK, topics.quarantine(), keyWriter, serdes.quarantine().serializer(),
                decidersArray);
        topology.addSink(Names.SUPPRESSED_SINK, topics.suppressed(), keyWriter, serdes.suppressed().serializer(),
                decidersArray);
        topology.addSink(Names.RECALL_SINK, topics.recalls(), keyWriter, serdes.recall().serializer(),
                all.toArray(String[]::new));
        // Data records read off their home partition go home through the internal topic (Kafka Streams names it
        // <application.id>-side-records-repartition; the default partitioner puts each user on its home partition).
        topology.addSink(Names.REHOME_SINK, Names.SIDE_RECORDS_TOPIC, keyWriter, ParkedRecord.serde().serializer(),
                decidersArray);
        topology.addSink(Names.DEAD_LETTER_SINK, topics.deadLetter(), keyWriter, serdes.deadLetter().serializer(),
                all.toArray(String[]::new));
        return topology;
    }

    private static String[] concat(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
