package org.purposefirewall.serde;

import java.nio.ByteBuffer;

/** The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro binary body. */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** Prefixes an Avro body with the header for {@code schemaId}. */
    public static byte[] frame(int schemaId, byte[] body, int bodyLength) {
        byte[] framed = new byte[HEADER_SIZE + bodyLength];
        framed[0] = MAGIC_BYTE;
        ByteBuffer.wrap(framed, 1, 4).putInt(schemaId);
        System.arraycopy(body, 0, framed, HEADER_SIZE, bodyLength);
        return framed;
    }

    /**
     * The schema id of a framed record.
     *
     * @throws SerdeException NOT_WIRE_FORMAT if the bytes are too short or do not start with the magic byte
     */
    public static int schemaId(byte[] framed) {
        if (framed.length < HEADER_SIZE) {
            throw new SerdeException(SerdeException.Kind.NOT_WIRE_FORMAT,
                    "record has " + framed.length + " bytes, fewer than the 5-byte wire-format header");
        }
        if (framed[0] != MAGIC_BYTE) {
            throw new SerdeException(SerdeException.Kind.NOT_WIRE_FORMAT,
                    "record starts with byte " + framed[0] + ", not the wire-format magic byte 0");
        }
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }
}
