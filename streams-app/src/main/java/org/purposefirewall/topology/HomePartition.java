package org.purposefirewall.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition a user's records belong on: the one Kafka's default partitioner (the Java client's, and Kafka
 * Streams') gives the user id key, murmur2 of its UTF-8 bytes modulo the partition count. The firewall keeps each
 * user's consent, registrations and exposures in the task of this partition, so a record anywhere else (written by a
 * client whose partitioner differs, such as librdkafka's CRC32 default) is re-homed here before it is applied.
 */
final class HomePartition {

    private HomePartition() {
    }

    /** The home partition of {@code userId} among {@code partitions}; 0 for a null key (it is dead-lettered there). */
    static int of(String userId, int partitions) {
        if (userId == null || partitions <= 1) {
            return 0;
        }
        return Utils.toPositive(Utils.murmur2(userId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
