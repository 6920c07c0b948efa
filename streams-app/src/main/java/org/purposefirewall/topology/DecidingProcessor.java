package org.purposefirewall.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.policy.ActiveRegistration;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Outcome;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.PurposePolicy;
import org.purposefirewall.policy.RecordFacts;
import org.purposefirewall.policy.Reason;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.MatchedRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.schema.SuppressedRecord;
import org.purposefirewall.serde.AvroDecoder;
import org.purposefirewall.serde.Decoded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the processors that decide data records share: reading consent and registrations as of an event time, the
 * tripwire, and building the audience, quarantine and suppressed records. The audience record is built from the
 * decision alone (user id, type, digest, purpose, policy version, decision id): nothing else of the input, headers
 * included, reaches the ad side.
 *
 * <p>Fail closed during a registry outage: while a consent or registration record of this task is parked, it may be
 * a revocation or a security registration that applies to the record in hand, so data records wait behind it.
 *
 * @param <V> the decoded input type
 */
abstract class DecidingProcessor<V> extends InputProcessor<V> {

    private static final Logger LOG = LoggerFactory.getLogger(DecidingProcessor.class);

    protected final Policy policy;
    protected final IdentifierNormalizer.Configured normalizer;
    protected final Honeytokens honeytokens;
    protected final Tripwire tripwire;
    private final String consentTopic;
    private final String registrationsTopic;
    private final String audienceTopic;
    private Recalls recalls;
    private KeyValueStore<String, long[]> revocations;
    private final long holdMs;
    private final int maxHeld;
    private KeyValueStore<String, ParkedRecord> held;
    private long heldHere;
    /** True while a held record is decided again: it is not held twice. */
    private boolean releasing;
    private VersionedKeyValueStore<String, ConsentSnapshot> consentStore;
    protected Registrations registrations;
    /** Declared purposes seen before: producers repeat a handful, and parsing one costs more than the decision. */
    private final Map<String, Purpose> purposes = new HashMap<>();
    private static final int MAX_CACHED_PURPOSES = 10_000;
    private static final int MAX_CACHED_PURPOSE_CHARS = 512;

    private final SideRecordBarrier barrier;
    private final long settleMs;
    private KeyValueStore<String, ParkedRecord> settling;
    /** Decoded copies of the records in {@link #settling}, so a release does not decode again; lost on restart. */
    private final Map<String, Waiting<V>> settlingDecoded = new HashMap<>();

    /** A record waiting for the barrier, decoded, with what the store holds of it. */
    private record Waiting<V>(Record<String, Decoded<V>> record, ParkedRecord entry) {
    }

    /**
     * This processor's keys of {@link #settling} in read order (rebuilt from the store on restart): the store is for
     * durability, this is what the wait consults, so a record costs one put and one delete, never a scan.
     */
    private final java.util.ArrayDeque<String> settlingOrder = new java.util.ArrayDeque<>();
    private int homePartition;
    /** How often waiting records are checked against the barrier. */
    static final java.time.Duration SETTLE_CHECK_INTERVAL = java.time.Duration.ofMillis(10);

    DecidingProcessor(String topic, AvroDecoder<V> decoder, long maxParked, RegistryHealth health,
                      Deciding deciding) {
        super(topic, decoder, maxParked, health, deciding.routing());
        this.policy = deciding.policy();
        this.normalizer = deciding.normalizer();
        this.honeytokens = deciding.honeytokens();
        this.consentTopic = deciding.consentTopic();
        this.registrationsTopic = deciding.registrationsTopic();
        this.audienceTopic = deciding.audienceTopic();
        this.holdMs = deciding.consentHoldMs();
        this.maxHeld = deciding.maxHeld();
        this.tripwire = new Tripwire(normalizer, honeytokens);
        this.barrier = deciding.barrier();
        this.settleMs = deciding.settleMs();
    }

    /**
     * What every deciding processor is built from.
     *
     * @param policy the policy
     * @param normalizer shared with the registration updater, so that both key identifiers alike
     * @param honeytokens normalized with the same normalizer
     * @param consentTopic the consent input, whose parked records hold decisions back
     * @param registrationsTopic the registrations input, likewise
     * @param audienceTopic the ad topic, named in recalls
     * @param consentHoldMs how long a record of a user without consent is held for late consent (0: never)
     * @param maxHeld the most records one processor holds, for late consent and for side records each
     * @param routing home partitions and plausible event times
     * @param barrier how far side records are applied, per home partition
     * @param settleMs how long after its read a data record still waits for side records
     */
    record Deciding(Policy policy, IdentifierNormalizer.Configured normalizer, Honeytokens honeytokens,
                    String consentTopic, String registrationsTopic, String audienceTopic, long consentHoldMs,
                    int maxHeld, Routing routing, SideRecordBarrier barrier, long settleMs) {
    }

    @Override
    protected boolean mustHold() {
        return hasParked(registrationsTopic) || hasParked(consentTopic);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        super.init(context);
        consentStore = context.getStateStore(Names.CONSENT_STORE);
        KeyValueStore<Bytes, RegistrationHistory> store = context.getStateStore(Names.REGISTRATION_STORE);
        registrations = new Registrations(store);
        recalls = new Recalls(context, audienceTopic, policy.version(), metrics);
        revocations = context.getStateStore(Names.REVOCATION_STORE);
        homePartition = context.taskId().partition();
        settling = context.getStateStore(Names.SETTLE_STORE);
        try (KeyValueIterator<String, ParkedRecord> it = settling.all()) {
            while (it.hasNext()) {
                KeyValue<String, ParkedRecord> entry = it.next();
                if (entry.value.topic().equals(topic)) {
                    settlingOrder.addLast(entry.key);
                }
            }
        }
        context.schedule(SETTLE_CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> releaseSettled());
        if (holdMs > 0) {
            held = context.getStateStore(Names.HELD_STORE);
            try (KeyValueIterator<String, ParkedRecord> it = held.all()) {
                while (it.hasNext()) {
                    if (it.next().value.topic().equals(topic)) {
                        heldHere++;
                    }
                }
            }
            context.schedule(RELEASE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::releaseHeld);
        }
    }

    /**
     * The side-record barrier: a data record is decided only once every side record committed to its topic before
     * the record was read here (plus {@code settleMs}) has been applied by this task, wherever its producer's
     * partitioner put it. Until then it waits, whole, in the changelogged {@link Names#SETTLE_STORE}, in read order;
     * records behind a waiting one wait too, so decisions keep their read order. Past {@code maxHeld} waiting records
     * (the barrier is stuck: see the README's runbook) a record is suppressed as SIDE_RECORDS_PENDING: never
     * forwarded, never lost.
     */
    @Override
    protected void admit(Record<String, Decoded<V>> record) {
        long now = barrier.now();
        if (!settlingOrder.isEmpty()) {
            // Releasing decides other records, each at its own coordinates: the record in hand keeps its own.
            Rehomed.Source inHand = currentSource();
            releaseSettled();
            restoreSource(inHand);
        }
        if (settlingOrder.isEmpty() && settled(now)) {
            decide(record);
            return;
        }
        if (settlingOrder.size() >= maxHeld) {
            String user = record.key() == null || record.key().length() > MAX_USER_ID_CHARS ? "" : record.key();
            suppress(record, user, IdentifierType.UNKNOWN, PurposePolicy.sideRecordsPending(policy),
                    coordinates(record.timestamp()));
            return;
        }
        ParkedRecord entry = setAside(record);
        String key = String.format("%020d", now) + '\u0000' + entry.storeKey();
        settling.put(key, entry);
        settlingDecoded.put(key, new Waiting<>(record, entry));
        settlingOrder.addLast(key);
        metrics.settling();
    }

    /**
     * True once side records committed before {@code readTime} (plus the settle window) are applied. A side record
     * set aside while the registry is unreachable counts as read but not applied, so nothing waiting is released
     * while one is parked in this task.
     */
    private boolean settled(long readTime) {
        return barrier.settledThrough(homePartition) >= readTime + settleMs && !mustHold();
    }

    /** Decides waiting records whose side records are applied, oldest read first; stops at the first that is not. */
    private void releaseSettled() {
        while (!settlingOrder.isEmpty() && settled(Long.parseLong(settlingOrder.peekFirst().substring(0, 20)))) {
            String key = settlingOrder.pollFirst();
            Waiting<V> waiting = settlingDecoded.remove(key);
            ParkedRecord entry = waiting == null ? settling.get(key) : null;
            settling.delete(key);
            if (waiting != null) {
                restoreSource(waiting.entry());
                decide(waiting.record());
            } else if (entry != null && !redecide(entry)) {
                // The registry went away since (only after a restart lost the decoded copy): park it.
                parkAgain(entry);
            }
        }
    }

    /**
     * Holds the record in hand instead of suppressing it for missing consent, if holding is on, it is not already a
     * released one, and there is room: it is decided again once the user's consent for its event time arrives, or
     * when the hold expires. Changelogged, so a held record survives a restart and is decided exactly once.
     *
     * @return true if the record was held (the caller must not route it)
     */
    protected boolean holdForConsent(Record<String, Decoded<V>> record, Decision decision) {
        if (holdMs <= 0 || releasing || decision.reason() != Reason.CONSENT_MISSING || heldHere >= maxHeld) {
            return false;
        }
        ParkedRecord entry = setAside(record);
        long deadline = context.currentSystemTimeMs() + holdMs;
        held.put(String.format("%020d", deadline) + '\u0000' + entry.storeKey(), entry);
        heldHere++;
        metrics.held();
        return true;
    }

    /** Decides held records whose consent arrived or whose hold expired, in deadline order. */
    private void releaseHeld(long now) {
        if (heldHere == 0) {
            return;
        }
        List<KeyValue<String, ParkedRecord>> ready = new ArrayList<>();
        try (KeyValueIterator<String, ParkedRecord> it = held.all()) {
            while (it.hasNext()) {
                KeyValue<String, ParkedRecord> entry = it.next();
                ParkedRecord p = entry.value;
                if (!p.topic().equals(topic)) {
                    continue;
                }
                long deadline = Long.parseLong(entry.key.substring(0, 20));
                if (deadline <= now || (p.keyString() != null && consentStore.get(p.keyString(), p.timestamp()) != null)) {
                    ready.add(entry);
                }
            }
        }
        for (KeyValue<String, ParkedRecord> entry : ready) {
            releasing = true;
            try {
                if (!redecide(entry.value)) {
                    return;
                }
            } finally {
                releasing = false;
            }
            held.delete(entry.key);
            heldHere--;
        }
    }

    /**
     * {@link Purpose#parse}, remembered per processor (one stream thread).
     *
     * @throws IllegalArgumentException as {@link Purpose#parse} does
     */
    protected Purpose purpose(String text) {
        Purpose known = purposes.get(text);
        if (known != null) {
            return known;
        }
        Purpose parsed = Purpose.parse(text);
        if (text.length() > MAX_CACHED_PURPOSE_CHARS) {
            // Padding can make a valid purpose's text any length: remembered, such texts would fill the heap.
            return parsed;
        }
        if (purposes.size() >= MAX_CACHED_PURPOSES) {
            purposes.clear();
        }
        purposes.put(text, parsed);
        return parsed;
    }

    /** The user's consent as of {@code eventTime}, as the policy reads it; empty if there was none. */
    protected Optional<ConsentSnapshot> consentAt(String userId, long eventTime) {
        VersionedRecord<ConsentSnapshot> consent = consentStore.get(userId, eventTime);
        return consent == null ? Optional.empty() : Optional.of(consent.value());
    }

    /** Deterministic: a replay with the same policy gives every decision the same id. */
    protected String decisionId(SourceCoordinates source, String part) {
        String basis = source.getTopic() + '/' + source.getPartition() + '/' + source.getOffset() + '/'
                + policy.version() + (part == null ? "" : "/" + part);
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Dead-letters a record the tripwire could not read whole: it cannot be shown free of security data. */
    protected void deadLetterUnscannable(Record<String, Decoded<V>> record, String path) {
        deadLetter(record, "UNSCANNABLE_FIELD", "field " + path + " is too large or too deeply nested for the "
                + "tripwire to read whole, so the record cannot be shown free of security data", null);
    }

    /**
     * Sends the minimized identifier to the ad topic and records the exposure, so that a later revocation or
     * security registration can recall it.
     *
     * @param histories the identifier's registration histories, as read for the decision
     */
    protected void forwardAudience(Record<String, ?> record, String userId, IdentifierType type, MatchKeys keys,
                                   Registrations.Histories histories, Decision decision, String decisionId,
                                   Instant eventTime) {
        context.forward(new Record<>(userId, audience(userId, type, keys, decision, decisionId, eventTime),
                record.timestamp()), Names.AUDIENCE_SINK);
        long time = eventTime.toEpochMilli();
        recalls.forwarded(userId, keys, type, time);
        // The topics may deliver a revocation or a security registration before an older data record: the forward
        // was right for the record's time, but if consent ended or the identifier was registered for security at
        // any later time, the ad side may not keep it.
        long revoked = Revocations.firstAfter(revocations.get(userId), time);
        if (revoked >= 0) {
            recalls.forwardedAfter(userId, keys, Exposure.Cause.CONSENT_REVOKED, revoked, coordinates(time),
                    "forwarded for its event time, but consent for " + policy.adPurpose() + " ended after it");
        }
        RegistrationHistory.Event registered = histories.firstRegistrationAfter(time,
                purpose -> policy.restrictedPurposeCovering(new Purpose(purpose)) != null);
        if (registered != null) {
            recalls.forwardedAfter(userId, keys, Exposure.Cause.REGISTERED_FOR_RESTRICTED_PURPOSE,
                    registered.eventTime(), coordinates(time), "forwarded for its event time, but the identifier "
                            + "was collected for " + registered.purpose() + " after it, which is restricted");
        }
    }

    private AudienceIdentifier audience(String userId, IdentifierType type, MatchKeys keys, Decision decision,
                                        String decisionId, Instant eventTime) {
        return AudienceIdentifier.newBuilder()
                .setUserId(userId)
                .setIdentifierType(type)
                .setIdentifierHash(keys.forwardKey())
                .setHashAlgorithm(algorithm(keys.forwardForm()))
                .setPurpose(policy.adPurpose().value())
                .setPolicyVersion(decision.policyVersion())
                .setDecisionId(decisionId)
                .setEventTime(eventTime)
                .build();
    }

    /**
     * Sends the record to the quarantine topic and logs it; a honeytoken also raises its high-severity event.
     *
     * @param contact the contact point, for the contact-points topic; else null
     * @param original the value as read, for a guarded topic; else null
     * @param fieldPath where the matching identifier sits, or null
     */
    protected void quarantine(Record<String, ?> record, String userId, ContactPoint contact, byte[] original,
                              Decision decision, String fieldPath, SourceCoordinates source) {
        ActiveRegistration matched = decision.matchedRegistration();
        // Whole, for investigation, unless that would make an output the broker refuses: then the coordinates.
        int size = original != null ? original.length : contactSize(record);
        boolean copy = size <= MAX_COPIED_BYTES;
        QuarantineRecord out = QuarantineRecord.newBuilder()
                .setDecisionId(decisionId(source, null))
                .setRecord(copy ? contact : null)
                .setReason(decision.reason().name())
                .setDetail(copy ? bounded(decision.detail()) : bounded(decision.detail()) + " (the record, " + size
                        + " bytes, is not copied here: read it at the source coordinates)")
                .setRule(decision.rule())
                .setMatchedPurpose(decision.matchedPurpose().value())
                .setMatchedRegistration(matched == null ? null : new MatchedRegistration(
                        matched.purpose().value(), matched.sourceSystem(), Instant.ofEpochMilli(matched.registeredAt())))
                .setPolicyVersion(decision.policyVersion())
                .setSource(source)
                .setDecisionTime(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .setUserId(userId)
                .setOriginalValue(original == null || !copy ? null : ByteBuffer.wrap(original))
                .setFieldPath(bounded(fieldPath))
                .setHoneytoken(decision.honeytoken())
                .build();
        context.forward(new Record<>(userId, out, record.timestamp()), Names.QUARANTINE_SINK);
        metrics.quarantined();
        if (decision.reason() == Reason.HONEYTOKEN) {
            metrics.honeytokenHit();
            LOG.atError()
                    .addKeyValue("event", "honeytoken")
                    .addKeyValue("severity", "high")
                    .addKeyValue("topic", source.getTopic())
                    .addKeyValue("partition", source.getPartition())
                    .addKeyValue("offset", source.getOffset())
                    .addKeyValue("honeytoken", decision.honeytoken())
                    .addKeyValue("fieldPath", bounded(fieldPath))
                    .addKeyValue("policyVersion", decision.policyVersion())
                    .log("honeytoken reached a guarded topic: security data is flowing toward the ad side");
            return;
        }
        LOG.atInfo()
                .addKeyValue("topic", source.getTopic())
                .addKeyValue("partition", source.getPartition())
                .addKeyValue("offset", source.getOffset())
                .addKeyValue("reason", decision.reason())
                .addKeyValue("rule", decision.rule())
                .addKeyValue("fieldPath", bounded(fieldPath))
                .addKeyValue("policyVersion", decision.policyVersion())
                .log("record quarantined");
    }

    private static int contactSize(Record<String, ?> record) {
        return record.value() instanceof Decoded<?> decoded && decoded.raw() != null ? decoded.raw().length : 0;
    }

    protected void suppress(Record<String, ?> record, String userId, IdentifierType type, Decision decision,
                            SourceCoordinates source) {
        SuppressedRecord out = SuppressedRecord.newBuilder()
                .setDecisionId(decisionId(source, null))
                .setUserId(userId)
                .setIdentifierType(type)
                .setReason(decision.reason().name())
                .setDetail(bounded(decision.detail()))
                .setRule(decision.rule())
                .setPolicyVersion(decision.policyVersion())
                .setSource(source)
                .setDecisionTime(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        context.forward(new Record<>(userId, out, record.timestamp()), Names.SUPPRESSED_SINK);
        metrics.suppressed();
    }

    static HashAlgorithm algorithm(HashForm form) {
        return switch (form) {
            case SHA256 -> HashAlgorithm.SHA256;
            case SHA1 -> HashAlgorithm.SHA1;
            case MD5 -> HashAlgorithm.MD5;
        };
    }
}
