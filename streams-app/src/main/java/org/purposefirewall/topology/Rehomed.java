package org.purposefirewall.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
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
    /**
     * On a side record too large to carry home whole ({@link Limits#MAX_COPIED_BYTES}): how many bytes of key
     * and value it had. Its envelope then carries no value (and no key longer than a user id can be).
     */
    static final String OMITTED_BYTES = "purpose-firewall.omitted-bytes";

    private Rehomed() {
    }

    /** The headers of {@code envelope}'s coordinates, marking the record as too large if {@code omittedBytes >= 0}. */
    static Headers headers(ParkedRecord envelope, long omittedBytes) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(TOPIC, envelope.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(PARTITION, ByteBuffer.allocate(4).putInt(envelope.partition()).array());
        headers.add(OFFSET, ByteBuffer.allocate(8).putLong(envelope.offset()).array());
        if (omittedBytes >= 0) {
            headers.add(omitted(omittedBytes));
        }
        return headers;
    }

    /** The header that marks a record whose {@code bytes} of key and value were too many to carry. */
    static Header omitted(long bytes) {
        return new RecordHeader(OMITTED_BYTES, ByteBuffer.allocate(8).putLong(bytes).array());
    }

    /** The bytes a too-large record had, or -1 if it was carried whole. Trusted only on the internal topic. */
    static long omittedBytes(Headers headers) {
        Header omitted = headers.lastHeader(OMITTED_BYTES);
        return omitted == null || omitted.value() == null || omitted.value().length != 8 ? -1L
                : ByteBuffer.wrap(omitted.value()).getLong();
    }

    /** The original coordinates, or null if the record was read from its input topic directly. */
    static Coordinates source(Headers headers) {
        Header topic = headers.lastHeader(TOPIC);
        Header partition = headers.lastHeader(PARTITION);
        Header offset = headers.lastHeader(OFFSET);
        if (topic == null || partition == null || offset == null) {
            return null;
        }
        return new Coordinates(new String(topic.value(), StandardCharsets.UTF_8), ByteBuffer.wrap(partition.value()).getInt(),
                ByteBuffer.wrap(offset.value()).getLong());
    }
}
