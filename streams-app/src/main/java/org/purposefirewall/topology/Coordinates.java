package org.purposefirewall.topology;

import java.time.Instant;
import org.purposefirewall.schema.SourceCoordinates;

/**
 * Where an input record was read: its topic, partition and offset on the input topic, never those of a copy the
 * firewall made of it (a re-homed record keeps its original coordinates). They travel with the record through every
 * wait and into every output, log line and decision id.
 */
record Coordinates(String topic, int partition, long offset) {

    /** These coordinates in the output schemas, with the event time the topology used for the record. */
    SourceCoordinates at(long eventTime) {
        return new SourceCoordinates(topic, partition, offset, Instant.ofEpochMilli(eventTime));
    }
}
