package org.purposefirewall.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The timestamp extractor of the one source that has no extractor of its own, the internal side-records topic
 * ({@link Names#SIDE_RECORDS_TOPIC}, created by the DSL's {@code repartition}): every record there reads as time 0,
 * so a deciding task always takes what has been re-homed to it before its own data records.
 *
 * <p>Why: Kafka Streams hands a task the buffered record with the lowest timestamp first. With event times, a task
 * catching up on a backlog (after a restart, a restore, a broker failover) would reach the side records re-homed to
 * it only after every older data record, and the side-record barrier settles a home partition only once its task
 * has applied everything re-homed so far: nothing would be decided until the whole backlog had been read and set
 * aside. Side records first, the barrier settles within a few polls and data records are decided while the backlog
 * drains. Correctness never depended on the order: a data record is decided with the side records of event time at
 * or before its own, by the versioned stores, and a side record applied after a forward recalls it.
 *
 * <p>The time read here is used for nothing else: {@link SideRecordDispatcher} stamps each record it forwards with
 * the event time the envelope carries ({@link ParkedRecord#timestamp()}), so outputs keep their times, and the
 * firewall schedules only wall-clock punctuations, so stream time (the maximum) is unaffected by a low one. Public
 * with a no-argument constructor because Kafka Streams instantiates it from {@code default.timestamp.extractor}.
 */
public final class SideRecordsFirst implements TimestampExtractor {

    /** What every record of the internal topic reads as: Kafka Streams drops a negative one, so never below this. */
    public static final long FIRST = 0L;

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        return FIRST;
    }
}
