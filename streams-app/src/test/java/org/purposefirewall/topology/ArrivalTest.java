package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.policy.EventTimeBounds;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.serde.Decoded;

/** The first step of every input processor, and the fail-closed net under each. */
class ArrivalTest {

    private static final byte[] RAW = "payload".getBytes(StandardCharsets.UTF_8);
    private static final ContactPoint CONTACT = FirewallDriver.contact("u1", IdentifierType.EMAIL, "u1@example.com", 1L);

    @Test
    void anUnexpectedExceptionDeadLettersTheRecordInsteadOfForwardingOrStopping() {
        // Given decision code that throws
        MockProcessorContext<String, Object> context = context();
        context.setRecordMetadata("user.contact-points", 2, 41L);
        context.setCurrentSystemTimeMs(5_000L);
        Outputs outputs = outputs(context);
        InputRecord<ContactPoint> in = new Arrival("app-" + Names.SIDE_RECORDS_TOPIC, new Arrival.Routing(1, false),
                outputs).accept(new Record<>("u1", new Decoded.Ok<>(CONTACT, RAW), 1_000L), context.recordMetadata(),
                (r, bytes) -> { }, null);

        // When the record is decided under the fail-closed net
        FailClosed.run(outputs, in, () -> {
            throw new IllegalStateException("boom with secret@example.com");
        });

        // Then it is dead-lettered, whole, with the reason and the exception class but not its message
        List<MockProcessorContext.CapturedForward<? extends String, ?>> forwarded = context.forwarded();
        assertThat(forwarded).singleElement().satisfies(f -> {
            assertThat(f.childName()).contains(Names.DEAD_LETTER_SINK);
            DeadLetterRecord dead = (DeadLetterRecord) f.record().value();
            assertThat(dead.getReason()).isEqualTo("PROCESSING_ERROR");
            assertThat(dead.getErrorClass()).isEqualTo(IllegalStateException.class.getName());
            assertThat(dead.getDetail()).doesNotContain("secret@example.com");
            assertThat(dead.getOriginalValue().array()).isEqualTo(RAW);
            assertThat(dead.getSource().getPartition()).isEqualTo(2);
            assertThat(dead.getSource().getOffset()).isEqualTo(41L);
        });
    }

    @Test
    void kafkasOwnFailuresPropagateSoTheTransactionIsAbortedNotDeadLettered() {
        MockProcessorContext<String, Object> context = context();
        Outputs outputs = outputs(context);
        InputRecord<ContactPoint> in = new InputRecord<>(new Coordinates("user.contact-points", 0, 1L), "u1",
                new Decoded.Ok<>(CONTACT, RAW), 1L);

        assertThatThrownBy(() -> FailClosed.run(outputs, in, () -> {
            throw new KafkaException("store failed");
        })).isInstanceOf(KafkaException.class);
        assertThat(context.forwarded()).isEmpty();
    }

    @Test
    void shouldRehomeARecordReadOffItsKeysDefaultPartitionerPartitionWholeWithItsCoordinates() {
        // Given four partitions and a user whose murmur2 home is not partition 2 nor, for the second, partition 3
        String user = userHomedAt(1, 4);
        MockProcessorContext<String, Object> context = context();
        context.setRecordMetadata("user.contact-points", 2, 41L);

        // When its record arrives on partition 2 (a CRC32 or random partitioner put it there)
        arriveAndDecide(context, 4, new Record<>(user, new Decoded.Ok<>(CONTACT, RAW), 1_000L));

        // Then it is not decided here: it goes, whole, to the internal topic, which the default partitioner homes
        assertThat(context.forwarded()).singleElement().satisfies(f -> {
            assertThat(f.childName()).contains(Names.REHOME_SINK);
            assertThat(f.record().key()).isEqualTo(user);
            ParkedRecord envelope = (ParkedRecord) f.record().value();
            assertThat(envelope.topic()).isEqualTo("user.contact-points");
            assertThat(envelope.partition()).isEqualTo(2);
            assertThat(envelope.offset()).isEqualTo(41L);
            assertThat(envelope.timestamp()).isEqualTo(1_000L);
            assertThat(envelope.keyString()).isEqualTo(user);
            assertThat(envelope.value()).isEqualTo(RAW);
        });
        assertThat(HomePartition.of(user, 4)).isEqualTo(1);
    }

    @Test
    void shouldDecideARecordOnItsHomePartitionAndNeverTrustCoordinateHeadersFromAProducer() {
        String user = userHomedAt(3, 4);
        MockProcessorContext<String, Object> context = context();
        context.setRecordMetadata("user.contact-points", 3, 7L);
        arriveAndDecide(context, 4, new Record<>(user, new Decoded.Ok<>(CONTACT, RAW), 1_000L));
        assertThat(context.forwarded()).singleElement()
                .satisfies(f -> assertThat(f.childName()).contains(Names.AUDIENCE_SINK));

        // A producer's record on partition 0 claiming, in headers, to be a re-homed copy is still re-homed.
        context.resetForwards();
        context.setRecordMetadata("user.contact-points", 0, 8L);
        ParkedRecord spoof = new ParkedRecord("user.contact-points", 3, 7L, 1_000L, null, RAW);
        arriveAndDecide(context, 4, new Record<>(user, new Decoded.Ok<>(CONTACT, RAW), 1_000L,
                Rehomed.headers(spoof, -1L)));
        assertThat(context.forwarded()).singleElement()
                .satisfies(f -> assertThat(f.childName()).contains(Names.REHOME_SINK));
    }

    @Test
    void aCopyFromTheInternalTopicKeepsTheCoordinatesItsHeadersCarry() {
        String user = userHomedAt(3, 4);
        MockProcessorContext<String, Object> context = context();
        context.setRecordMetadata("app-" + Names.SIDE_RECORDS_TOPIC, 3, 99L);
        ParkedRecord original = new ParkedRecord("user.contact-points", 0, 7L, 1_000L, null, RAW);
        InputRecord<ContactPoint> in = new Arrival("app-" + Names.SIDE_RECORDS_TOPIC, new Arrival.Routing(4, true),
                outputs(context)).accept(new Record<>(user, new Decoded.Ok<>(CONTACT, RAW), 1_000L,
                Rehomed.headers(original, -1L)), context.recordMetadata(), (r, bytes) -> { }, null);
        assertThat(in.at()).isEqualTo(new Coordinates("user.contact-points", 0, 7L));
        assertThat(context.forwarded()).isEmpty();
    }

    @Test
    void shouldAgreeWithKafkasDefaultPartitionerForEveryKey() {
        org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(new byte[]{1}, 3);
        for (int i = 0; i < 10_000; i++) {
            String user = "user-" + i;
            for (int partitions : new int[]{1, 2, 3, 6, 64}) {
                assertThat(HomePartition.of(user, partitions)).isEqualTo(
                        org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(
                                user.getBytes(StandardCharsets.UTF_8), partitions));
            }
        }
    }

    private static String userHomedAt(int partition, int partitions) {
        for (int i = 0; ; i++) {
            if (HomePartition.of("user-" + i, partitions) == partition) {
                return "user-" + i;
            }
        }
    }

    /** Arrival, then (for a record it lets through) a stand-in decision that forwards it to the audience sink. */
    private static void arriveAndDecide(MockProcessorContext<String, Object> context, int partitions,
                                        Record<String, Decoded<ContactPoint>> record) {
        Outputs outputs = outputs(context);
        InputRecord<ContactPoint> in = new Arrival("app-" + Names.SIDE_RECORDS_TOPIC,
                new Arrival.Routing(partitions, true), outputs).accept(record, context.recordMetadata(),
                (r, bytes) -> { }, null);
        if (in != null) {
            context.forward(new Record<>(in.key(), in.value(), in.timestamp()), Names.AUDIENCE_SINK);
        }
    }

    private static Outputs outputs(MockProcessorContext<String, Object> context) {
        return new Outputs(context, FirewallMetrics.NONE, "v1", null, "ads.audience-identifiers",
                EventTimeBounds.defaults());
    }

    private static MockProcessorContext<String, Object> context() {
        return new MockProcessorContext<>();
    }
}
