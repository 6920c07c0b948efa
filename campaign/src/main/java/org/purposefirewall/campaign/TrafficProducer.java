package org.purposefirewall.campaign;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.Crc32Partitioner;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * The campaign's two producers: one with Kafka's default (murmur2) partitioner, one with librdkafka's CRC32
 * ({@link Crc32Partitioner}). Both idempotent with {@code acks=all} and a ten-minute delivery timeout, so that broker
 * restarts delay records but neither lose nor duplicate them; a send that still fails is counted and fails the
 * campaign as a harness error (its record's coordinates would be unknown). Contact points' coordinates go to
 * {@link Coordinates} as they are acknowledged. Thread-safe as Kafka's producer is.
 */
final class TrafficProducer implements AutoCloseable {

    private final KafkaProducer<String, byte[]>[] producers;
    private final Topics topics;
    private final FirewallSerdes serdes;
    private final Coordinates coordinates;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private final AtomicLong contactPointsAcked = new AtomicLong();

    @SuppressWarnings("unchecked")
    TrafficProducer(String bootstrap, Topics topics, FirewallSerdes serdes, Coordinates coordinates) {
        this.topics = topics;
        this.serdes = serdes;
        this.coordinates = coordinates;
        producers = new KafkaProducer[] {create(bootstrap, "campaign-murmur2", null),
            create(bootstrap, "campaign-crc32", Crc32Partitioner.class.getName())};
    }

    private static KafkaProducer<String, byte[]> create(String bootstrap, String clientId, String partitioner) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 600_000,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 65_536));
        if (partitioner != null) {
            config.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, partitioner);
        }
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** Contact point {@code k} (or raw bytes when {@code contact} is null) through producer {@code side}. */
    void contactPoint(int side, int k, String key, ContactPoint contact, long timestamp) {
        byte[] value = contact == null ? CampaignTraffic.notWireFormat(k)
                : serdes.contactPoint().encode(topics.contactPoints(), contact);
        producers[side].send(new ProducerRecord<>(topics.contactPoints(), null, timestamp, key, value),
                (metadata, exception) -> {
                    if (exception != null) {
                        failed(exception);
                    } else {
                        coordinates.put(metadata.partition(), metadata.offset(), k);
                        contactPointsAcked.incrementAndGet();
                    }
                });
    }

    /** A consent state or registration through producer {@code side}. */
    void side(int side, CampaignTraffic.Side record, long timestamp) {
        String topic;
        byte[] value;
        if (record.consent()) {
            topic = topics.consent();
            value = serdes.consentState().encode(topic, (ConsentState) record.value());
        } else {
            topic = topics.registrations();
            value = serdes.registration().encode(topic, (PurposeRegistration) record.value());
        }
        producers[side].send(new ProducerRecord<>(topic, null, timestamp, record.key(), value),
                (metadata, exception) -> {
                    if (exception != null) {
                        failed(exception);
                    }
                });
    }

    /** Waits until every record sent so far is acknowledged (or has failed). */
    void flush() {
        producers[0].flush();
        producers[1].flush();
    }

    long failures() {
        return failures.get();
    }

    Exception firstFailure() {
        return firstFailure.get();
    }

    long contactPointsAcked() {
        return contactPointsAcked.get();
    }

    private void failed(Exception e) {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, e);
    }

    @Override
    public void close() {
        for (KafkaProducer<String, byte[]> p : producers) {
            p.close(Duration.ofSeconds(30));
        }
    }
}
