package org.purposefirewall.topology;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.policy.EventTimeBounds;
import org.purposefirewall.policy.SetAsideRules;
import org.purposefirewall.serde.Decoded;

/**
 * Applies one kind of side record (consent, registrations) at its user's home partition: every side record reaches
 * it through the internal topic, with its original coordinates. Built from parts, as Kafka's own join processors
 * are: {@link Arrival} (coordinates, size), the {@link SetAside} buffer (a record whose schema the registry cannot
 * serve now waits there, and the task's data records wait behind it), and an {@link Applier} that reads the record
 * and applies it to the stores, or dead-letters it. Records of cached schemas keep flowing past one that waits:
 * side records apply by event time, so their order does not matter.
 *
 * @param <V> the decoded input type
 */
final class SideRecordProcessor<V> implements Processor<String, Decoded<V>, String, Object> {

    /** How often records waiting for the registry are tried again. */
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);

    /** Reads a side record and applies it, or dead-letters it; exactly one of the two. */
    interface Applier<V> {
        void apply(InputRecord<V> in);

        /** A record too large to carry or copy: dead-lettered, with whatever failing closed needs. */
        void tooLarge(InputRecord<V> in, long bytes);
    }

    /** Opens an applier on a task's stores. */
    interface ApplierFactory<V> {
        Applier<V> open(TaskStores stores, Outputs outputs);
    }

    /**
     * What a side processor is handed.
     *
     * @param topic its input topic
     * @param applier what applies its records
     * @param decoder how a record set aside is decoded again
     * @param policyVersion named in its recalls
     * @param policyHash the policy file's SHA-256, named in its recalls; null for a policy not read from a file
     * @param audienceTopic named in its recalls
     * @param bounds plausible event times
     * @param maxWaiting the most records it sets aside
     * @param held the instance's heap budget for records set aside, shared by every processor of the topology
     * @param metrics opens the processor's metrics
     */
    record Parts<V>(String topic, ApplierFactory<V> applier, SetAside.Decoder<V> decoder, String policyVersion,
                    String policyHash, String audienceTopic, EventTimeBounds bounds, int maxWaiting, HeldBudget held,
                    Arrival.Routing routing,
                    FirewallMetrics.Factory metrics) {
    }

    private final Parts<V> parts;
    private ProcessorContext<String, Object> context;
    private FirewallMetrics metrics = FirewallMetrics.NONE;
    private Outputs outputs;
    private Arrival arrival;
    private Applier<V> applier;
    private SetAside<V> setAside;
    private WaitTimer retry;

    SideRecordProcessor(Parts<V> parts) {
        this.parts = parts;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.metrics = parts.metrics().open(context.metrics(), context.taskId().toString());
        this.outputs = new Outputs(context, metrics, parts.policyVersion(), parts.policyHash(),
                parts.audienceTopic(), parts.bounds());
        this.arrival = new Arrival(Names.sideRecordsTopic(context.applicationId()), parts.routing(), outputs);
        TaskStores stores = TaskStores.open(context);
        this.applier = parts.applier().open(stores, outputs);
        this.setAside = new SetAside<>(parts.topic(), stores.setAside(), parts.maxWaiting(), parts.held(), metrics,
                parts.decoder(), true, List.of());
        // Scheduled only while records wait (WaitTimer: an idle task's punctuations would make its thread commit).
        this.retry = new WaitTimer(context, RETRY_INTERVAL, () -> setAside.waiting(SetAsideRules.Wait.SCHEMA) > 0,
                () -> setAside.releaseSchemaWaits(this::admit));
        retry.update();
    }

    @Override
    public void process(Record<String, Decoded<V>> record) {
        InputRecord<V> in = arrival.accept(record, context.recordMetadata(), applier::tooLarge, null);
        if (in != null) {
            admit(in);
            retry.update();
        }
    }

    private void admit(InputRecord<V> in) {
        SetAsideRules.Wait wait = SetAsideRules.beforeDeciding(false, !(in.value() instanceof Decoded.Unavailable<V>),
                true, false, false);
        if (wait != null) {
            setAside.add(wait, in, outputs.now(), 0L);
            return;
        }
        FailClosed.run(outputs, in, () -> applier.apply(in));
    }

    @Override
    public void close() {
        if (setAside != null) {
            setAside.close();
        }
        metrics.close();
    }
}
