package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.serde.Decoded;

/** The fail-closed net under every input processor. */
class InputProcessorTest {

    private static final byte[] RAW = "payload".getBytes(StandardCharsets.UTF_8);

    @Test
    void anUnexpectedExceptionDeadLettersTheRecordInsteadOfForwardingOrStopping() {
        // Given a processor whose decision code throws
        InputProcessor<String> processor = throwing(new IllegalStateException("boom with secret@example.com"));
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        context.setRecordMetadata("user.contact-points", 2, 41L);
        context.setCurrentSystemTimeMs(5_000L);
        processor.init(context);

        // When a record arrives
        processor.process(new Record<>("u1", new Decoded.Ok<>("value", RAW), 1_000L));

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
        InputProcessor<String> processor = throwing(new KafkaException("store failed"));
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        processor.init(context);

        assertThatThrownBy(() -> processor.process(new Record<>("u1", new Decoded.Ok<>("value", RAW), 1L)))
                .isInstanceOf(KafkaException.class);
        assertThat(context.forwarded()).isEmpty();
    }

    private static InputProcessor<String> throwing(RuntimeException e) {
        return new InputProcessor<>() {
            @Override
            protected void handle(Record<String, Decoded<String>> record) {
                throw e;
            }
        };
    }
}
