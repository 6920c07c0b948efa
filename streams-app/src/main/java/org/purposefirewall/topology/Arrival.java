package org.purposefirewall.topology;

import java.util.Optional;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.purposefirewall.policy.Rejection;
import org.purposefirewall.serde.Decoded;

/**
 * The first step of every record a processor reads: where it was read (its own coordinates, or, for a copy read
 * from the firewall's internal topic, the original coordinates the dispatcher put in its headers), and what no
 * record may skip before it is set aside, re-homed or decided:
 * <ul>
 *   <li>a key and value over {@link Limits#MAX_COPIED_BYTES}: no store, internal topic or output could hold it
 *       whole → the processor's {@code tooLarge} handling (a dead letter; a consent record also revokes);</li>
 *   <li>a Kafka timestamp that is its event time and is implausible → INVALID_EVENT_TIME;</li>
 *   <li>a data record read off its user's home partition → re-homed.</li>
 * </ul>
 * One per processor instance.
 */
final class Arrival {

    /** What a processor does with a record too large to carry or copy ({@code bytes} of key and value). */
    interface TooLarge<V> {
        void handle(InputRecord<V> in, long bytes);
    }

    /**
     * Where each user's records belong.
     *
     * @param partitions the input topics' common partition count (checked at startup)
     * @param rehomeMisrouted true for processors that read an input topic directly: a record off its home partition
     *     is sent home through {@link Names#SIDE_RECORDS_TOPIC} instead of being decided here
     */
    record Routing(int partitions, boolean rehomeMisrouted) {
    }

    private final String internalTopic;
    private final Routing routing;
    private final Outputs outputs;

    /**
     * @param internalTopic the internal topic's full name ({@code <application.id>-side-records-repartition})
     */
    Arrival(String internalTopic, Routing routing, Outputs outputs) {
        this.internalTopic = internalTopic;
        this.routing = routing;
        this.outputs = outputs;
    }

    /**
     * The record with its coordinates, or null if it was handled here (too large, implausibly timed, re-homed).
     *
     * @param arrivalTimeProblem why its Kafka timestamp is no event time to decide it at, or null (see
     *     {@link DataAdapter#arrivalTimeProblem})
     */
    <V> InputRecord<V> accept(Record<String, Decoded<V>> record, Optional<RecordMetadata> metadata,
                              TooLarge<V> tooLarge, DataAdapter<V> timing) {
        RecordMetadata meta = metadata.orElse(null);
        // Only the dispatcher's copies, read from the firewall's own internal topic, carry trusted coordinates:
        // headers of an input record are its producer's to set.
        if (meta != null && meta.topic().equals(internalTopic)) {
            Coordinates original = Rehomed.source(record.headers());
            if (original != null) {
                InputRecord<V> in = new InputRecord<>(original, record.key(), record.value(), record.timestamp());
                long omitted = Rehomed.omittedBytes(record.headers());
                if (omitted >= 0) {
                    FailClosed.run(outputs, in, () -> tooLarge.handle(in, omitted));
                    return null;
                }
                return in;
            }
        }
        Coordinates at = meta == null ? new Coordinates("", -1, -1L)
                : new Coordinates(meta.topic(), meta.partition(), meta.offset());
        InputRecord<V> in = new InputRecord<>(at, record.key(), record.value(), record.timestamp());
        long size = in.size();
        if (size > Limits.MAX_COPIED_BYTES) {
            FailClosed.run(outputs, in, () -> tooLarge.handle(in, size));
            return null;
        }
        String timeProblem = timing == null ? null : timing.arrivalTimeProblem(in.timestamp(), outputs.now());
        if (timeProblem != null) {
            outputs.deadLetter(in, Rejection.INVALID_EVENT_TIME, timeProblem, null);
            return null;
        }
        if (routing.rehomeMisrouted() && meta != null
                && meta.partition() != HomePartition.of(record.key(), routing.partitions())) {
            outputs.rehome(in);
            return null;
        }
        return in;
    }

    /** The dead letter of a record too large to carry or copy: its coordinates only. */
    static void deadLetterTooLarge(Outputs outputs, InputRecord<?> in, long bytes) {
        outputs.deadLetter(in, Rejection.RECORD_TOO_LARGE, "the record's key and value, " + bytes + " bytes, are "
                + "more than the " + Limits.MAX_COPIED_BYTES + " the firewall sets aside or copies; read it at the "
                + "source coordinates", null);
    }
}
