package org.purposefirewall.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * An input record, whole, with the coordinates it was read at. It is what the firewall keeps of a record it cannot
 * decide yet ({@link SetAside}, in {@link Names#SET_ASIDE_STORE}), and what it carries to a record's home partition
 * through {@link Names#SIDE_RECORDS_TOPIC}. The store is changelogged, so such a record survives restarts and is
 * decided exactly once.
 *
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset
 * @param timestamp the record's event time as the topology extracted it
 * @param key the key bytes (UTF-8 user id), or null
 * @param value the value bytes, or null for a tombstone
 */
record ParkedRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {

    private static final byte FORMAT_VERSION = 1;

    ParkedRecord {
        Objects.requireNonNull(topic, "topic");
    }

    String keyString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    static Serde<ParkedRecord> serde() {
        return Serdes.serdeFrom((t, r) -> r == null ? null : write(r), (t, b) -> b == null ? null : read(b));
    }

    private static byte[] write(ParkedRecord r) {
        byte[] topic = r.topic.getBytes(StandardCharsets.UTF_8);
        int keyLength = r.key == null ? -1 : r.key.length;
        int valueLength = r.value == null ? -1 : r.value.length;
        ByteBuffer out = ByteBuffer.allocate(1 + 4 + topic.length + 4 + 8 + 8 + 4 + Math.max(keyLength, 0) + 4
                + Math.max(valueLength, 0));
        out.put(FORMAT_VERSION).putInt(topic.length).put(topic).putInt(r.partition).putLong(r.offset)
                .putLong(r.timestamp).putInt(keyLength);
        if (r.key != null) {
            out.put(r.key);
        }
        out.putInt(valueLength);
        if (r.value != null) {
            out.put(r.value);
        }
        return out.array();
    }

    private static ParkedRecord read(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte version = in.get();
        if (version != FORMAT_VERSION) {
            throw new IllegalStateException("parked record has format version " + version + "; this release reads "
                    + FORMAT_VERSION);
        }
        byte[] topic = new byte[in.getInt()];
        in.get(topic);
        int partition = in.getInt();
        long offset = in.getLong();
        long timestamp = in.getLong();
        int keyLength = in.getInt();
        byte[] key = null;
        if (keyLength >= 0) {
            key = new byte[keyLength];
            in.get(key);
        }
        int valueLength = in.getInt();
        byte[] value = null;
        if (valueLength >= 0) {
            value = new byte[valueLength];
            in.get(value);
        }
        return new ParkedRecord(new String(topic, StandardCharsets.UTF_8), partition, offset, timestamp, key, value);
    }
}
