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

    private static InputProcessor<ContactPoint> throwing(RuntimeException e) {
        return new InputProcessor<>("user.contact-points", null, 10, new RegistryHealth()) {
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
