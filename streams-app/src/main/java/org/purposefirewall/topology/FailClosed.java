package org.purposefirewall.topology;

import org.apache.kafka.common.KafkaException;
import org.purposefirewall.policy.Rejection;

/**
 * Fail closed: a bug or an unforeseen input never lets a record through and never stops the application. Store and
 * producer failures ({@link KafkaException}) belong to Kafka Streams, which aborts the transaction and retries the
 * task; any other exception dead-letters the record in hand as PROCESSING_ERROR, with its class but not its message
 * (which may quote the record).
 */
final class FailClosed {

    private FailClosed() {
    }

    static void run(Outputs outputs, InputRecord<?> in, Runnable action) {
        try {
            action.run();
        } catch (KafkaException e) {
            throw e;
        } catch (RuntimeException e) {
            outputs.deadLetter(in, Rejection.PROCESSING_ERROR, "the firewall could not process the record",
                    e.getClass().getName());
        }
    }
}
