package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.purposefirewall.policy.EventTimeBounds;
import org.purposefirewall.serde.Decoded;

/**
 * The side-record path's own steps, as unit: the intake carries any input home within the internal topic's limits,
 * the dispatcher never fails a task, and the extractors never hand Kafka Streams a timestamp it stops on.
 */
class SideRecordsTest {

    private static final long NOW = 1_764_000_000_000L;
    private static final String CONSENT = "privacy.consent";

    @Test
    void shouldCarryAKeyNoUserIdCanBeOnceUnderAnEmptyInternalKey() {
        MockProcessorContext<String, ParkedRecord> context = intakeContext();
        SideRecordIntake intake = new SideRecordIntake(4, EventTimeBounds.defaults());
        intake.init(context);
        String tooLong = "k".repeat(Limits.MAX_USER_ID_CHARS + 1);

        intake.process(new Record<>(tooLong, new byte[] {0, 1}, NOW));

        assertThat(context.forwarded()).singleElement().satisfies(f -> {
            assertThat(f.record().key()).isEmpty();
            assertThat(f.record().value().keyString()).isEqualTo(tooLong);
            assertThat(f.record().value().value()).containsExactly(0, 1);
            assertThat(Rehomed.omittedBytes(f.record().headers())).isEqualTo(-1L);
        });
    }

    @Test
    void shouldCarryARecordTooLargeForTheInternalTopicWithoutItsValueAndMarked() {
        MockProcessorContext<String, ParkedRecord> context = intakeContext();
        SideRecordIntake intake = new SideRecordIntake(4, EventTimeBounds.defaults());
        intake.init(context);
        byte[] huge = new byte[Limits.MAX_COPIED_BYTES];
        String bigKey = "b".repeat(IdentifierKeys.MAX_USER_ID_BYTES + 1);

        intake.process(new Record<>("alice", huge, NOW));
        intake.process(new Record<>(bigKey, new byte[Limits.MAX_COPIED_BYTES - bigKey.length() + 1], NOW));

        assertThat(context.forwarded()).hasSize(2);
        Record<? extends String, ? extends ParkedRecord> first = context.forwarded().get(0).record();
        assertThat(first.key()).isEqualTo("alice");
        assertThat(first.value().keyString()).isEqualTo("alice");
        assertThat(first.value().value()).isNull();
        assertThat(Rehomed.omittedBytes(first.headers())).isEqualTo(5L + Limits.MAX_COPIED_BYTES);
        Record<? extends String, ? extends ParkedRecord> second = context.forwarded().get(1).record();
        assertThat(second.key()).isEmpty();
        assertThat(second.value().key()).as("no key longer than a user id can be").isNull();
        assertThat(second.value().value()).isNull();
    }

    @Test
    void shouldStampTheInternalCopyOfAnInputWithoutTimestampWithTheWallClock() {
        MockProcessorContext<String, ParkedRecord> context = intakeContext();
        SideRecordIntake intake = new SideRecordIntake(1, EventTimeBounds.defaults());
        intake.init(context);

        intake.process(new Record<>("alice", new byte[] {0}, 0L));

        assertThat(context.forwarded().get(0).record().timestamp()).isEqualTo(NOW);
        assertThat(context.forwarded().get(0).record().value().timestamp()).isEqualTo(NOW);
    }

    @Test
    void shouldHandARecordOfATopicNoRouteNamesToTheFallbackToBeDeadLetteredNotFailTheTask() {
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        SideRecordDispatcher dispatcher = new SideRecordDispatcher(Map.of(), Names.DECIDER);
        dispatcher.init(context);
        ParkedRecord envelope = new ParkedRecord("crm.removed-topic", 3, 17L, NOW, bytes("alice"), new byte[] {9});

        dispatcher.process(new Record<>("alice", envelope, NOW));

        assertThat(context.forwarded()).singleElement().satisfies(f -> {
            assertThat(f.childName()).contains(Names.DECIDER);
            assertThat(f.record().value()).isInstanceOfSatisfying(Decoded.Failed.class, failed -> {
                assertThat(failed.reason()).isEqualTo("PROCESSING_ERROR");
                assertThat(failed.detail()).contains("crm.removed-topic");
            });
            assertThat(Rehomed.source(f.record().headers()))
                    .isEqualTo(new Coordinates("crm.removed-topic", 3, 17L));
        });
    }

    @Test
    void shouldPassOnARecordThatCouldNotBeReadHereAsFailedAndATooLargeOneMarked() {
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        Deserializer<Decoded<Object>> throwing = (topic, data) -> {
            throw new IllegalStateException("a bug");
        };
        SideRecordDispatcher dispatcher = new SideRecordDispatcher(Map.of(CONSENT, new SideRecordDispatcher.Route(
                Names.CONSENT_UPDATER, throwing, EventTimeExtractor.kafkaTimestamp(EventTimeBounds.defaults()))),
                Names.DECIDER);
        dispatcher.init(context);
        context.setCurrentSystemTimeMs(NOW);

        dispatcher.process(new Record<>("alice", new ParkedRecord(CONSENT, 0, 1L, NOW, bytes("alice"),
                new byte[] {0}), NOW));
        RecordHeaders marked = new RecordHeaders();
        marked.add(Rehomed.omitted(2_000_000L));
        dispatcher.process(new Record<>("alice", new ParkedRecord(CONSENT, 0, 2L, NOW, bytes("alice"), null), NOW,
                marked));

        assertThat(context.forwarded()).hasSize(2);
        assertThat(context.forwarded().get(0).record().value()).isInstanceOfSatisfying(Decoded.Failed.class,
                failed -> assertThat(failed.errorClass()).isEqualTo(IllegalStateException.class.getName()));
        Record<?, ?> tooLarge = context.forwarded().get(1).record();
        assertThat(tooLarge.value()).isNull();
        assertThat(Rehomed.omittedBytes(tooLarge.headers())).isEqualTo(2_000_000L);
        assertThat(Rehomed.source(tooLarge.headers())).isEqualTo(new Coordinates(CONSENT, 0, 2L));
    }

    @Test
    void shouldNeverHandKafkaStreamsANegativeTimestampForAnInputWithoutOne() {
        EventTimeBounds bounds = EventTimeBounds.defaults();
        ConsumerRecord<Object, Object> none = new ConsumerRecord<>(CONSENT, 0, 0L, -1L, TimestampType.CREATE_TIME,
                0, 0, "alice", new byte[] {0}, new RecordHeaders(), Optional.empty());
        long before = System.currentTimeMillis();

        // Side inputs (carried home, never decided by it): the wall clock
        assertThat(EventTimeExtractor.kafkaTimestamp(bounds).extract(none, -1L)).isGreaterThanOrEqualTo(before);
        // Guarded topics (their event time): as written, an absent one as 0, which the decider dead-letters
        assertThat(EventTimeExtractor.kafkaTimestampAsWritten(bounds).extract(none, -1L)).isZero();
        long y2100 = 4_102_444_800_000L;
        assertThat(EventTimeExtractor.kafkaTimestampAsWritten(bounds).eventTime(null, y2100, before))
                .isEqualTo(y2100);
    }

    private static MockProcessorContext<String, ParkedRecord> intakeContext() {
        MockProcessorContext<String, ParkedRecord> context = new MockProcessorContext<>();
        context.setRecordMetadata(CONSENT, 0, 5L);
        context.setCurrentSystemTimeMs(NOW);
        return context;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
