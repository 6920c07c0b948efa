package org.purposefirewall.topology;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The event times at which a user's consent stopped permitting the ad purpose (a denial, an opt-out, an unusable
 * consent string, a tombstone), sorted, the latest {@value #MAX_TIMES} kept. A data record forwarded for its own time
 * is recalled at once if consent ended at any later time, in whatever order the topics were read: a versioned store
 * answers "what held at t", this answers "did it end after t".
 */
final class Revocations {

    /** Times kept per user; older ones only matter to records older than all of them, which are recalled anyway. */
    static final int MAX_TIMES = 64;

    private Revocations() {
    }

    /** {@code times} with {@code time} added, sorted, at most {@link #MAX_TIMES} (the latest). */
    static long[] with(long[] times, long time) {
        long[] current = times == null ? new long[0] : times;
        int at = Arrays.binarySearch(current, time);
        if (at >= 0) {
            return current;
        }
        int insert = -at - 1;
        long[] next = new long[current.length + 1];
        System.arraycopy(current, 0, next, 0, insert);
        next[insert] = time;
        System.arraycopy(current, insert, next, insert + 1, current.length - insert);
        return next.length > MAX_TIMES ? Arrays.copyOfRange(next, next.length - MAX_TIMES, next.length) : next;
    }

    /**
     * The first time after {@code time} at which consent ended, or -1. With more than {@link #MAX_TIMES} revocations
     * kept, a record older than the oldest kept one is answered with that oldest: it was held across it anyway.
     */
    static long firstAfter(long[] times, long time) {
        if (times == null) {
            return -1;
        }
        for (long t : times) {
            if (t > time) {
                return t;
            }
        }
        return -1;
    }

    static Serde<long[]> serde() {
        return Serdes.serdeFrom((topic, times) -> {
            if (times == null) {
                return null;
            }
            ByteBuffer out = ByteBuffer.allocate(times.length * Long.BYTES);
            for (long t : times) {
                out.putLong(t);
            }
            return out.array();
        }, (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer in = ByteBuffer.wrap(bytes);
            long[] times = new long[bytes.length / Long.BYTES];
            for (int i = 0; i < times.length; i++) {
                times[i] = in.getLong();
            }
            return times;
        });
    }
}
