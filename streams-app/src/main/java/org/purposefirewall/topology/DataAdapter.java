package org.purposefirewall.topology;

/**
 * Reads one kind of data record into {@link DataFacts}, or rejects it with a typed reason: decoding, attribution,
 * event time and identifier syntax. Stateless apart from caches; never touches a store.
 *
 * @param <V> the decoded input type
 */
interface DataAdapter<V> {

    /**
     * @param now the processing clock, against which the event time must be plausible
     */
    Read<DataFacts> read(InputRecord<V> in, long now);

    /**
     * Why the timestamp a record arrived with is no event time to decide it at, or null. Only where the Kafka
     * timestamp is the event time (guarded topics); elsewhere the payload's own time is read by {@link #read}.
     */
    default String arrivalTimeProblem(long timestamp, long now) {
        return null;
    }
}
