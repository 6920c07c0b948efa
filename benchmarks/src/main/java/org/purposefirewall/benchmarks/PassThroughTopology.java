package org.purposefirewall.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.identity.Sha256;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.serde.Decoded;
import org.purposefirewall.serde.FirewallSerdes;
import org.purposefirewall.serde.SafeAvroDeserializer;

/**
 * The baseline: what any service between {@code contact-points} and the ad side has to do anyway. It reads contact
 * points exactly as the firewall does (String keys, {@link SafeAvroDeserializer} over the same serde, event time from
 * the payload) and writes one {@link AudienceIdentifier} per input with the same serializer, but has no policy, no
 * normalization, no consent or registration inputs and no state stores.
 *
 * <p>Every input produces exactly one output (undecodable ones too, hashed from their raw bytes), so that the run's
 * output count equals its input count, as the firewall's does across its four outputs.
 */
final class PassThroughTopology {

    static final String SOURCE = "pass-through-source";
    static final String PROCESSOR = "pass-through-hasher";
    static final String SINK = "pass-through-audience-sink";
    static final String POLICY_VERSION = "pass-through";
    static final String SIDE_SOURCE = "pass-through-consent-source";
    static final String REGISTRATION_SOURCE = "pass-through-registrations-source";
    static final String SIDE_READER = "pass-through-side-reader";

    private PassThroughTopology() {
    }

    static Topology build(FirewallConfig config, FirewallSerdes serdes) {
        return build(config, serdes, false);
    }

    /**
     * As {@link #build(FirewallConfig, FirewallSerdes)}; with {@code readSideInputs} it also reads the consent and
     * registration topics, decoding each record with the firewall's deserializer and keeping nothing (the realistic
     * mode: it reads what the firewall reads).
     */
    static Topology build(FirewallConfig config, FirewallSerdes serdes, boolean readSideInputs) {
        String adPurpose = config.policy().adPurpose().value();
        Topology topology = new Topology();
        if (readSideInputs) {
            topology.addSource(AutoOffsetReset.earliest(), SIDE_SOURCE, new StringDeserializer(),
                    new SafeAvroDeserializer<>(serdes.consentState()), config.topics().consent());
            topology.addSource(AutoOffsetReset.earliest(), REGISTRATION_SOURCE, new StringDeserializer(),
                    new SafeAvroDeserializer<>(serdes.registration()), config.topics().registrations());
            topology.addProcessor(SIDE_READER, Discard::new, SIDE_SOURCE, REGISTRATION_SOURCE);
        }
        topology.addSource(AutoOffsetReset.earliest(), SOURCE, new ContactPointTime(), new StringDeserializer(),
                new SafeAvroDeserializer<>(serdes.contactPoint()), config.topics().contactPoints());
        topology.addProcessor(PROCESSOR, () -> new Hasher(adPurpose), SOURCE);
        topology.addSink(SINK, config.topics().audience(), new StringSerializer(), serdes.audience().serializer(),
                PROCESSOR);
        return topology;
    }

    /** SHA-256 of the raw identifier, no normalization, no lookups. */
    static final class Hasher implements Processor<String, Decoded<ContactPoint>, String, AudienceIdentifier> {

        private final String adPurpose;
        private ProcessorContext<String, AudienceIdentifier> context;

        Hasher(String adPurpose) {
            this.adPurpose = adPurpose;
        }

        @Override
        public void init(ProcessorContext<String, AudienceIdentifier> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, Decoded<ContactPoint>> record) {
            Decoded<ContactPoint> value = record.value();
            String key = record.key();
            AudienceIdentifier.Builder out = AudienceIdentifier.newBuilder()
                    .setPurpose(adPurpose)
                    .setPolicyVersion(POLICY_VERSION)
                    .setDecisionId(coordinates());
            if (value instanceof Decoded.Ok<ContactPoint> ok) {
                ContactPoint contact = ok.value();
                out.setUserId(key != null ? key : contact.getUserId())
                        .setIdentifierType(contact.getIdentifierType())
                        .setIdentifierHash(Sha256.hex(contact.getValue()))
                        .setEventTime(contact.getEventTime());
            } else {
                byte[] raw = value == null ? new byte[0] : value.raw();
                out.setUserId(key != null ? key : "")
                        .setIdentifierType(IdentifierType.UNKNOWN)
                        .setIdentifierHash(Sha256.hex(new String(raw, StandardCharsets.ISO_8859_1)))
                        .setEventTime(Instant.ofEpochMilli(record.timestamp()));
            }
            context.forward(new Record<>(key, out.build(), record.timestamp()));
        }

        private String coordinates() {
            RecordMetadata meta = context.recordMetadata().orElse(null);
            return meta == null ? "" : meta.topic() + '/' + meta.partition() + '/' + meta.offset();
        }
    }

    /** Reads a side record and keeps nothing: the record was fetched and decoded, which is what it costs. */
    static final class Discard implements Processor<String, Decoded<?>, Void, Void> {
        @Override
        public void process(Record<String, Decoded<?>> record) {
            // nothing to keep
        }
    }

    /** The firewall's contact-point time: the payload's event time, else the Kafka timestamp, never negative. */
    static final class ContactPointTime implements TimestampExtractor {
        @Override
        public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
            if (record.value() instanceof Decoded.Ok<?> ok && ok.value() instanceof ContactPoint contact) {
                long time = contact.getEventTime().toEpochMilli();
                if (time >= 0) {
                    return time;
                }
            }
            return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0L);
        }
    }
}
