package org.purposefirewall.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.AutoOffsetReset;
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

    public static Topology build(FirewallConfig config, FirewallSerdes serdes) {
        Topics topics = config.topics();
        StringDeserializer keys = new StringDeserializer();
        StringSerializer keyWriter = new StringSerializer();
        Topology topology = new Topology();
        RegistryRetry retry = RegistryRetry.upTo(Duration.ofMillis(config.processing().registryOutageMaxBlockMs()),
                serdes.health());
        // One normalizer for every processor, so registrations, contact points and guarded records are keyed alike.
        IdentifierNormalizer.Configured normalizer = IdentifierNormalizer.of(config.identity());
        ConsentDecoder consentDecoder = new ConsentDecoder(config.consentSignals());
        DecidingProcessor.Deciding deciding = new DecidingProcessor.Deciding(config.policy(), normalizer,
                config.honeytokens(), topics.consent(), topics.registrations(), topics.audience(),
                config.processing().consentHoldMs(), config.processing().maxHeldRecords());

        topology.addSource(AutoOffsetReset.earliest(), Names.CONSENT_SOURCE,
                new EventTimeExtractor<>(ConsentState.class, s -> s.getEffectiveTime().toEpochMilli()),
                keys, new SafeAvroDeserializer<>(serdes.consentState(), retry), topics.consent());
        topology.addSource(AutoOffsetReset.earliest(), Names.REGISTRATIONS_SOURCE,
                new EventTimeExtractor<>(PurposeRegistration.class, r -> r.getEventTime().toEpochMilli()),
                keys, new SafeAvroDeserializer<>(serdes.registration(), retry), topics.registrations());
        topology.addSource(AutoOffsetReset.earliest(), Names.CONTACT_POINTS_SOURCE,
                new EventTimeExtractor<>(ContactPoint.class, c -> c.getEventTime().toEpochMilli()),
                keys, new SafeAvroDeserializer<>(serdes.contactPoint(), retry), topics.contactPoints());

        topology.addProcessor(Names.CONSENT_UPDATER,
                () -> new ConsentUpdater(topics.consent(), serdes.consentState(), MAX_PARKED_PER_TOPIC,
                        serdes.health(), consentDecoder, config.policy(), topics.audience()),
                Names.CONSENT_SOURCE);
        topology.addProcessor(Names.REGISTRATION_UPDATER,
                () -> new RegistrationUpdater(topics.registrations(), serdes.registration(),
                        MAX_PARKED_PER_TOPIC, serdes.health(), normalizer, config.policy(), topics.audience()),
                Names.REGISTRATIONS_SOURCE);
        topology.addProcessor(Names.DECIDER,
                () -> new PurposeDecider(topics.contactPoints(), serdes.contactPoint(), MAX_PARKED_PER_TOPIC,
                        serdes.health(), deciding),
                Names.CONTACT_POINTS_SOURCE);
        List<String> deciders = new ArrayList<>(List.of(Names.DECIDER));
        GenericAvroDecoder generic = new GenericAvroDecoder(serdes.registry());
        for (String guarded : topics.guarded()) {
            String source = Names.guardedSource(guarded);
            String decider = Names.guardedDecider(guarded);
            topology.addSource(AutoOffsetReset.earliest(), source, EventTimeExtractor.kafkaTimestamp(), keys,
                    new SafeAvroDeserializer<>(generic, retry), guarded);
            topology.addProcessor(decider,
                    () -> new GuardedDecider(guarded, generic, MAX_PARKED_PER_TOPIC, serdes.health(), deciding),
                    source);
            deciders.add(decider);
        }
        String[] decidersArray = deciders.toArray(String[]::new);
        List<String> all = new ArrayList<>(List.of(Names.CONSENT_UPDATER, Names.REGISTRATION_UPDATER));
        all.addAll(deciders);

        topology.addStateStore(Stores.versionedKeyValueStoreBuilder(
                        Stores.persistentVersionedKeyValueStore(Names.CONSENT_STORE,
                                Duration.ofMillis(config.processing().consentHistoryRetentionMs())),
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
