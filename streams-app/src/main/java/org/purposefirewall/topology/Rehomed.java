package org.purposefirewall.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The coordinates a re-homed record was first read at, carried in headers from the dispatcher to the processor that
 * applies it, so that its dead letters, decisions and decision ids name the input record, not its copy on
 * {@link Names#SIDE_RECORDS_TOPIC}. These headers exist only inside the topology; no sink writes them.
 */
final class Rehomed {

    static final String TOPIC = "purpose-firewall.source-topic";
    static final String PARTITION = "purpose-firewall.source-partition";
    static final String OFFSET = "purpose-firewall.source-offset";

    private Rehomed() {
    }

    /** Where a record was read, as input processors see it. */
    record Source(String topic, int partition, long offset) {
    }

    static Headers headers(ParkedRecord envelope) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(TOPIC, envelope.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(PARTITION, ByteBuffer.allocate(4).putInt(envelope.partition()).array());
        headers.add(OFFSET, ByteBuffer.allocate(8).putLong(envelope.offset()).array());
        return headers;
    }

    /** The original coordinates, or null if the record was read from its input topic directly. */
    static Source source(Headers headers) {
        Header topic = headers.lastHeader(TOPIC);
        Header partition = headers.lastHeader(PARTITION);
        Header offset = headers.lastHeader(OFFSET);
        if (topic == null || partition == null || offset == null) {
            return null;
        }
        return new Source(new String(topic.value(), StandardCharsets.UTF_8), ByteBuffer.wrap(partition.value()).getInt(),
                ByteBuffer.wrap(offset.value()).getLong());
    }
}
