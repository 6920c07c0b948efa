package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.serde.Decoded;

/** The fail-closed net under every input processor. */
class InputProcessorTest {

    private static final byte[] RAW = "payload".getBytes(StandardCharsets.UTF_8);
    private static final ContactPoint CONTACT = FirewallDriver.contact("u1", IdentifierType.EMAIL, "u1@example.com", 1L);

    @Test
    void anUnexpectedExceptionDeadLettersTheRecordInsteadOfForwardingOrStopping() {
        // Given a processor whose decision code throws
        InputProcessor<ContactPoint> processor = throwing(new IllegalStateException("boom with secret@example.com"));
        MockProcessorContext<String, Object> context = context();
        context.setRecordMetadata("user.contact-points", 2, 41L);
        context.setCurrentSystemTimeMs(5_000L);
        processor.init(context);

        // When a record arrives
        processor.process(new Record<>("u1", new Decoded.Ok<>(CONTACT, RAW), 1_000L));

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
        InputProcessor<ContactPoint> processor = throwing(new KafkaException("store failed"));
        MockProcessorContext<String, Object> context = context();
        processor.init(context);

        assertThatThrownBy(() -> processor.process(new Record<>("u1", new Decoded.Ok<>(CONTACT, RAW), 1L)))
                .isInstanceOf(KafkaException.class);
        assertThat(context.forwarded()).isEmpty();
    }

    @Test
    void shouldRehomeARecordReadOffItsKeysDefaultPartitionerPartitionWholeWithItsCoordinates() {
        // Given four partitions and a user whose murmur2 home is not partition 2 nor, for the second, partition 3
        String user = userHomedAt(1, 4);
        InputProcessor<ContactPoint> processor = handledOnly(4);
        MockProcessorContext<String, Object> context = context();
        context.setRecordMetadata("user.contact-points", 2, 41L);
        processor.init(context);

        // When its record arrives on partition 2 (a CRC32 or random partitioner put it there)
        processor.process(new Record<>(user, new Decoded.Ok<>(CONTACT, RAW), 1_000L));

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
        InputProcessor<ContactPoint> processor = handledOnly(4);
        MockProcessorContext<String, Object> context = context();
        context.setRecordMetadata("user.contact-points", 3, 7L);
        processor.init(context);
        processor.process(new Record<>(user, new Decoded.Ok<>(CONTACT, RAW), 1_000L));
        assertThat(context.forwarded()).singleElement()
                .satisfies(f -> assertThat(f.childName()).contains(Names.AUDIENCE_SINK));

        // A producer's record on partition 0 claiming, in headers, to be a re-homed copy is still re-homed.
        context.resetForwards();
        context.setRecordMetadata("user.contact-points", 0, 8L);
        ParkedRecord spoof = new ParkedRecord("user.contact-points", 3, 7L, 1_000L, null, RAW);
        processor.process(new Record<>(user, new Decoded.Ok<>(CONTACT, RAW), 1_000L, Rehomed.headers(spoof)));
        assertThat(context.forwarded()).singleElement()
                .satisfies(f -> assertThat(f.childName()).contains(Names.REHOME_SINK));
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

    /** A processor that sends every record it handles to the audience sink. */
    private static InputProcessor<ContactPoint> handledOnly(int partitions) {
        return new InputProcessor<>("user.contact-points", null, 10, new RegistryHealth(),
                new InputProcessor.Routing(partitions, true, org.purposefirewall.policy.EventTimeBounds.defaults())) {
            @Override
            protected void handle(Record<String, Decoded<ContactPoint>> record) {
                context.forward(record, Names.AUDIENCE_SINK);
            }
        };
    }

    private static InputProcessor<ContactPoint> throwing(RuntimeException e) {
        return new InputProcessor<>("user.contact-points", null, 10, new RegistryHealth(),
                new InputProcessor.Routing(1, false, org.purposefirewall.policy.EventTimeBounds.defaults())) {
            @Override
            protected void handle(Record<String, Decoded<ContactPoint>> record) {
                throw e;
            }
        };
    }

    /** A context holding the parked store, as the topology gives every input processor. */
    private static MockProcessorContext<String, Object> context() {
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        KeyValueStore<String, ParkedRecord> store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(Names.PARKED_STORE), Serdes.String(), ParkedRecord.serde())
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return context;
    }
}
