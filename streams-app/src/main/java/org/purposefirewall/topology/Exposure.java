package org.purposefirewall.topology;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.RecallReason;

/**
 * What the ad side holds of one identifier of one user: the current exposure (forwarded records since the last
 * recall) and which recall causes were already sent for it. Stored per {@code (user, hash form, digest)} of the
 * forwarded digest in {@link Names#EXPOSURE_STORE}.
 *
 * <p>An exposure ends with a recall; forwarding the identifier again after a recall starts a new exposure, whose
 * own recalls are sent again. So every cause is recalled exactly once per exposure.
 *
 * @param start event time of the exposure's first forwarded record (the first forward, not the smallest time)
 * @param first smallest event time forwarded in this exposure
 * @param last largest event time forwarded in this exposure
 * @param count records forwarded in this exposure
 * @param type identifier type
 * @param recalled bit set of {@link Cause}s already recalled for this exposure
 */
record Exposure(long start, long first, long last, long count, IdentifierType type, int recalled) {

    private static final byte FORMAT_VERSION = 1;
    private static final int SIZE = 1 + 8 * 4 + 1 + 1;

    /** Why an identifier is recalled; the bit it sets. */
    enum Cause {
        CONSENT_REVOKED(1, RecallReason.CONSENT_REVOKED),
        REGISTERED_FOR_RESTRICTED_PURPOSE(2, RecallReason.REGISTERED_FOR_RESTRICTED_PURPOSE);

        final int bit;
        private final RecallReason reason;

        Cause(int bit, RecallReason reason) {
            this.bit = bit;
            this.reason = reason;
        }

        /** The reason a recall record of this cause carries. */
        RecallReason reason() {
            return reason;
        }
    }

    /** A first forward at {@code eventTime}. */
    static Exposure first(IdentifierType type, long eventTime) {
        return new Exposure(eventTime, eventTime, eventTime, 1, type, 0);
    }

    /** This exposure with one more forward; a new exposure if this one was recalled. */
    Exposure forwarded(long eventTime) {
        if (recalled != 0) {
            return first(type, eventTime);
        }
        return new Exposure(start, Math.min(first, eventTime), Math.max(last, eventTime), count + 1, type, 0);
    }

    boolean recalledFor(Cause cause) {
        return (recalled & cause.bit) != 0;
    }

    Exposure recall(Cause cause) {
        return new Exposure(start, first, last, count, type, recalled | cause.bit);
    }

    static Serde<Exposure> serde() {
        return Serdes.serdeFrom((topic, e) -> e == null ? null : ByteBuffer.allocate(SIZE).put(FORMAT_VERSION)
                        .putLong(e.start).putLong(e.first).putLong(e.last).putLong(e.count)
                        .put((byte) e.type.ordinal()).put((byte) e.recalled).array(),
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    ByteBuffer in = ByteBuffer.wrap(bytes);
                    byte version = in.get();
                    if (version != FORMAT_VERSION || bytes.length != SIZE) {
                        throw new IllegalStateException("exposure store value has format version " + version
                                + "; this release reads version " + FORMAT_VERSION);
                    }
                    return new Exposure(in.getLong(), in.getLong(), in.getLong(), in.getLong(),
                            IdentifierType.values()[in.get()], in.get());
                });
    }
}
