package org.purposefirewall.topology;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.EventTimeBounds;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.RecallRules;
import org.purposefirewall.policy.Rejection;
import org.purposefirewall.policy.SetAsideRules;
import org.purposefirewall.policy.SetAsideRules.Wait;
import org.purposefirewall.policy.Verdict;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.serde.Decoded;

/**
 * Decides one kind of data record (contact points, or one guarded topic) and sends each to exactly one output. Read
 * top to bottom, a record:
 * <ol>
 *   <li>arrives ({@link Arrival}): its coordinates; too large, implausibly timed, or off its home partition (then
 *       re-homed) ends here;</li>
 *   <li>waits, if {@link SetAsideRules} say so, in the {@link SetAside} buffer: for the registry, or until the
 *       side records committed before it was read (plus {@code settleMs}) are applied, by the
 *       {@link SideRecordBarrier};</li>
 *   <li>is read by its {@link DataAdapter} into {@link DataFacts}, or rejected (dead letter);</li>
 *   <li>is decided by the {@link DataDecider}: the policy's {@link Verdict} over its identifiers;</li>
 *   <li>is routed by the verdict to {@link Outputs}: quarantine; suppressed (or, if consent may still come, it
 *       waits for it once); or each distinct identifier forwarded, minimized, with its exposure recorded and, if
 *       consent already ended or the identifier was registered for security after its time, recalled at once;</li>
 *   <li>in shadow mode, once its verdict is final and written, is decided again by the {@link ShadowDecider}, whose
 *       disagreements go to the shadow topic and which cannot change or stop what was written.</li>
 * </ol>
 * Any unforeseen exception dead-letters the record ({@link FailClosed}). Built from parts it is handed, as Kafka's
 * own {@code KStreamKTableJoinProcessor} is.
 *
 * @param <V> the decoded input type
 */
final class DataRecordProcessor<V> implements Processor<String, Decoded<V>, String, Object> {

    /** How often records waiting for side records are checked against the barrier. */
    static final Duration SETTLE_CHECK_INTERVAL = Duration.ofMillis(10);
    /** How often records waiting for the registry or for consent are tried again. */
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);

    /**
     * What every data processor shares.
     *
     * @param policy the policy
     * @param normalizer shared with the registration processor, so that both key identifiers alike
     * @param honeytokens normalized with the same normalizer
     * @param sideTopics the consent and registrations inputs, whose waiting records hold decisions back
     * @param audienceTopic the ad topic, named in recalls
     * @param consentHoldMs how long a record of a user without consent waits for late consent (0: never)
     * @param maxWaiting the most records one processor sets aside
     * @param held the instance's heap budget for records set aside, shared by every processor of the topology
     * @param routing home partitions
     * @param bounds plausible event times
     * @param barrier how far side records are applied, per home partition
     * @param settleMs how long after its read a data record still waits for side records
     * @param metrics opens each processor's metrics
     * @param shadow shadow mode: the candidate policy, decided after each final verdict and compared; null for none
     * @param observer sees each decision with what it was taken on ({@code explain}), or null (the service)
     */
    record Shared(Policy policy, IdentifierNormalizer.Configured normalizer, Honeytokens honeytokens,
                  List<String> sideTopics, String audienceTopic, long consentHoldMs, int maxWaiting,
                  HeldBudget held, Arrival.Routing routing, EventTimeBounds bounds, SideRecordBarrier barrier,
                  long settleMs,
                  FirewallMetrics.Factory metrics, ShadowDecider shadow, DecisionObserver observer) {
    }

    private final String topic;
    private final DataAdapter<V> adapter;
    private final SetAside.Decoder<V> decoder;
    private final Shared shared;
    private final Policy policy;
    private ProcessorContext<String, Object> context;
    private FirewallMetrics metrics = FirewallMetrics.NONE;
    private Outputs outputs;
    private Arrival arrival;
    private DataDecider decider;
    private Exposures exposures;
    private KeyValueStore<String, long[]> revocations;
    private SetAside<V> setAside;
    private ShadowDecider.Open shadow;
    private int homePartition;
    private WaitTimer settleCheck;
    private WaitTimer retry;

    DataRecordProcessor(String topic, DataAdapter<V> adapter, SetAside.Decoder<V> decoder, Shared shared) {
        this.topic = topic;
        this.adapter = adapter;
        this.decoder = decoder;
        this.shared = shared;
        this.policy = shared.policy();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.metrics = shared.metrics().open(context.metrics(), context.taskId().toString());
        this.outputs = new Outputs(context, metrics, policy.version(), policy.contentHash(),
                shared.audienceTopic(), shared.bounds());
        this.arrival = new Arrival(Names.sideRecordsTopic(context.applicationId()), shared.routing(),
                outputs);
        TaskStores stores = TaskStores.open(context);
        this.decider = new DataDecider(policy, shared.honeytokens(),
                new Tripwire(shared.normalizer(), shared.honeytokens()), stores.consent(), stores.registrations());
        this.exposures = new Exposures(stores.exposures(), outputs);
        this.revocations = stores.revocations();
        this.setAside = new SetAside<>(topic, stores.setAside(), shared.maxWaiting(), shared.held(), metrics, decoder,
                false, shared.sideTopics());
        this.shadow = shared.shadow() == null ? null : shared.shadow().open(stores, outputs, metrics, policy);
        this.homePartition = context.taskId().partition();
        // Scheduled only while records wait (WaitTimer: an idle task's punctuations would make its thread commit).
        this.settleCheck = new WaitTimer(context, SETTLE_CHECK_INTERVAL,
                () -> setAside.waiting(Wait.SIDE_RECORDS) > 0, () -> {
                    // A released record may start waiting for consent.
                    releaseSettled();
                    updateTimers();
                });
        this.retry = new WaitTimer(context, RETRY_INTERVAL,
                () -> setAside.waiting(Wait.SCHEMA) > 0 || setAside.waiting(Wait.CONSENT) > 0, () -> {
                    setAside.releaseSchemaWaits(this::admit);
                    setAside.releaseConsentWaits(decider::hasConsent, outputs.now(), in -> decide(in, true));
                    updateTimers();
                });
        // Records the set-aside store kept from before this task opened wait as well.
        updateTimers();
    }

    @Override
    public void process(Record<String, Decoded<V>> record) {
        InputRecord<V> in = arrival.accept(record, context.recordMetadata(),
                (tooLarge, bytes) -> Arrival.deadLetterTooLarge(outputs, tooLarge, bytes), adapter);
        if (in != null) {
            admit(in);
            updateTimers();
        }
    }

    /** After anything that sets records aside or releases them: each check runs only while records wait for it. */
    private void updateTimers() {
        settleCheck.update();
        retry.update();
    }

    /** Decides {@code in} now, or sets it aside until what it waits for is over. */
    private void admit(InputRecord<V> in) {
        long readTime = shared.barrier().now();
        releaseSettled();
        boolean waitingAhead = setAside.waiting(Wait.SIDE_RECORDS) > 0;
        boolean settled = settled(readTime);
        // The store is read only when its answer can matter: behind waiting records or before the barrier, the
        // record waits whatever it says.
        boolean sideRecordWaiting = !waitingAhead && settled && setAside.sideRecordWaiting();
        Wait wait = SetAsideRules.beforeDeciding(true, !(in.value() instanceof Decoded.Unavailable<V>), settled,
                sideRecordWaiting, waitingAhead);
        if (wait == null) {
            decide(in, false);
        } else if (wait == Wait.SIDE_RECORDS && !setAside.hasRoom()) {
            FailClosed.run(outputs, in, () -> outputs.suppress(in, Limits.homeKey(in.key()), IdentifierType.UNKNOWN,
                    SetAsideRules.full(policy), in.timestamp()));
        } else {
            setAside.add(wait, in, readTime, 0L);
        }
    }

    /** True once side records committed before {@code readTime} (plus the settle window) are applied. */
    private boolean settled(long readTime) {
        return shared.barrier().settledThrough(homePartition) >= readTime + shared.settleMs();
    }

    /** Decides waiting records whose side records are applied, oldest read first. */
    private void releaseSettled() {
        if (setAside.waiting(Wait.SIDE_RECORDS) == 0) {
            return;
        }
        boolean sideRecordWaiting = setAside.sideRecordWaiting();
        setAside.releaseSideRecordWaits(
                readTime -> SetAsideRules.sideRecordsApplied(settled(readTime), sideRecordWaiting),
                in -> decide(in, false));
    }

    /**
     * Reads, decides and routes {@code in}.
     *
     * @param heldBefore it already waited for consent once: its decision stands
     */
    private void decide(InputRecord<V> in, boolean heldBefore) {
        FailClosed.run(outputs, in, () -> {
            Read<DataFacts> read = adapter.read(in, outputs.now());
            if (read instanceof Read.Rejected<DataFacts> rejected) {
                outputs.deadLetter(in, rejected.reason(), rejected.detail(), rejected.errorClass());
                return;
            }
            DataFacts facts = ((Read.Facts<DataFacts>) read).facts();
            DataDecider.Decided decided = decider.decide(facts);
            if (decided.unscannablePath() != null) {
                outputs.deadLetter(in, Rejection.UNSCANNABLE_FIELD,
                        GuardedRecordAdapter.unscannable(decided.unscannablePath()), null);
                return;
            }
            if (shared.observer() != null) {
                shared.observer().decided(decider.trace(in.at(), facts, decided));
            }
            route(in, facts, decided, heldBefore);
        });
    }

    private void route(InputRecord<V> in, DataFacts facts, DataDecider.Decided decided, boolean heldBefore) {
        Verdict verdict = decided.verdict();
        Decision decision = verdict.deciding();
        DataFacts.Identifier deciding = verdict.index() < 0 ? null : facts.identifiers().get(verdict.index());
        switch (verdict.outcome()) {
            case QUARANTINE -> {
                String path = decision.fieldPath() != null ? decision.fieldPath()
                        : facts.guarded() && deciding != null ? deciding.path() : null;
                outputs.quarantine(in, facts.userId(), facts.contact(), facts.guarded() ? in.raw() : null, decision,
                        path, facts.eventTime());
            }
            case SUPPRESS -> {
                if (SetAsideRules.waitsForConsent(decision, shared.consentHoldMs() > 0, heldBefore)
                        && setAside.hasRoom()) {
                    setAside.add(Wait.CONSENT, in, 0L, outputs.now() + shared.consentHoldMs());
                    return;
                }
                outputs.suppress(in, facts.userId(), deciding == null ? IdentifierType.UNKNOWN : deciding.type(),
                        decision, facts.eventTime());
            }
            case FORWARD -> {
                for (int i : verdict.forwarded()) {
                    forward(in, facts, facts.identifiers().get(i), decided.histories().get(i), decision);
                }
                outputs.forwarded(in, decision);
            }
        }
        // The verdict is final and written (a record set aside for consent returned above): now the candidate.
        if (shadow != null) {
            shadow.after(in, facts, verdict);
        }
    }

    /**
     * Forwards one identifier and records its exposure. The topics may deliver a revocation or a security
     * registration before an older data record: the forward is right for the record's time, but if consent ended or
     * the identifier was registered for security at a later time, the ad side may not keep it (rule
     * {@code recall.after-forward}).
     */
    private void forward(InputRecord<V> in, DataFacts facts, DataFacts.Identifier identifier,
                         Registrations.Histories histories, Decision decision) {
        String userId = facts.userId();
        long time = facts.eventTime();
        MatchKeys keys = identifier.normalized().keys();
        outputs.forward(in, userId, identifier.type(), keys, decision, policy.adPurpose().value(),
                outputs.decisionId(in.at(), facts.guarded() ? identifier.path() : null), time);
        exposures.forwarded(userId, keys, identifier.type(), time);
        long revoked = Revocations.firstAfter(revocations.get(userId), time);
        if (RecallRules.recallsAfterForward(time, revoked)) {
            exposures.forwardedBefore(userId, keys, Exposure.Cause.CONSENT_REVOKED, revoked, in.at().at(time),
                    "forwarded for its event time, but consent for " + policy.adPurpose() + " ended after it");
        }
        RegistrationHistory.Event registered = histories.firstRegistrationAfter(time,
                purpose -> policy.restrictedPurposeCovering(new Purpose(purpose)) != null);
        if (registered != null && RecallRules.recallsAfterForward(time, registered.eventTime())) {
            exposures.forwardedBefore(userId, keys, Exposure.Cause.REGISTERED_FOR_RESTRICTED_PURPOSE,
                    registered.eventTime(), in.at().at(time), "forwarded for its event time, but the identifier "
                            + "was collected for " + registered.purpose() + " after it, which is restricted");
        }
    }

    @Override
    public void close() {
        if (setAside != null) {
            setAside.close();
        }
        metrics.close();
    }
}
