package org.purposefirewall.config;

import static org.purposefirewall.config.def.ConfigDef.Validator.atLeast;
import static org.purposefirewall.config.def.ConfigDef.Validator.below;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.purposefirewall.config.def.ConfigDef;
import org.purposefirewall.config.def.ConfigDef.Default;
import org.purposefirewall.config.def.ConfigDef.Key;
import org.purposefirewall.config.def.ConfigDef.Type;
import org.purposefirewall.config.def.ConfigValues;
import org.purposefirewall.config.def.InvalidConfigException;
import org.purposefirewall.policy.EventTimeBounds;

/**
 * How the topology processes: the {@code processing:} section. Every key is declared once below ({@link #DEF}), with
 * its type, default, rule and doc; the constructor checks each component against its key's rule, so a value built
 * in code obeys the same rules as one read from the file.
 *
 * @param guarantee the processing guarantee
 * @param maxTaskIdle Kafka's {@code max.task.idle.ms}: how long a task waits for an empty co-partitioned input
 * @param consentHistoryRetention how far back in event time consent is kept for lookups
 * @param numStreamThreads stream threads per instance
 * @param commitInterval how often offsets and transactions are committed while commits are quick (the floor)
 * @param commitIntervalMax the longest interval between commits, while commits are slow (the ceiling)
 * @param stateDir local state directory
 * @param registryOutageMaxBlock how long a record that needs an unseen schema waits while the registry is down
 * @param consentHold how long (wall clock) a record of a user without consent state waits for late consent
 * @param maxHeldRecords the most records one task holds
 * @param maxHeldHeapPercent how much of the heap, in percent, the records held by one instance may take
 * @param eventTimeFloorMs the earliest plausible event time, epoch milliseconds
 * @param maxEventTimeSkew how far ahead of the processing clock an event time may be
 * @param settle how long after a data record is read a side record may still be committed and still be applied first
 * @param sideBarrierPoll how often each instance asks the brokers how far side records have been applied
 * @param groupInstanceId the instance's static member id (Kafka's {@code group.instance.id}), or none
 * @param numStandbyReplicas warm copies of each task's state kept on other instances
 * @param transactionalStateStores whether stores hold writes until their changelog transaction commits (KIP-892)
 * @param storeWriteBufferBytes each persistent store's RocksDB memtable size, with transactional stores: how much of
 *     its writes an unclean stop may lose to a restore
 */
public record Processing(Guarantee guarantee,
                         Duration maxTaskIdle,
                         Duration consentHistoryRetention,
                         int numStreamThreads,
                         Duration commitInterval,
                         Duration commitIntervalMax,
                         Path stateDir,
                         Duration registryOutageMaxBlock,
                         Duration consentHold,
                         int maxHeldRecords,
                         long eventTimeFloorMs,
                         Duration maxEventTimeSkew,
                         Duration settle,
                         Duration sideBarrierPoll,
                         GroupInstanceId groupInstanceId,
                         int numStandbyReplicas,
                         boolean transactionalStateStores,
                         long storeWriteBufferBytes,
                         int maxHeldHeapPercent) {

    /** The keys of {@code processing:}. */
    public static final ConfigDef DEF = new ConfigDef("processing");

    public static final Key<Guarantee> GUARANTEE = DEF.define("guarantee",
            Type.oneOf(Guarantee.class, Guarantee::kafkaValue), Default.of(Guarantee.EXACTLY_ONCE_V2),
            "`exactly_once_v2`: every input record ends in exactly one output. `at_least_once`: faster, may duplicate "
                    + "outputs after a failure.");
    // 0: wait for data already on the brokers, never for producers. The side-record barrier, not idling, is what
    // makes side records apply before the data records they precede.
    public static final Key<Duration> MAX_TASK_IDLE = DEF.define("max-task-idle-ms", Type.DURATION_MS,
            Default.of(Duration.ZERO), atLeast(0),
            "Kafka's `max.task.idle.ms`: 0 waits for data already on the brokers, never for producers.");
    public static final Key<Duration> CONSENT_HISTORY_RETENTION = DEF.define("consent-history-retention-ms",
            Type.DURATION_MS, Default.of(Duration.ofDays(30)), atLeast(60_000),
            "How far back in event time consent stays queryable; an older record finds no consent and is "
                    + "suppressed.");
    public static final Key<Integer> NUM_STREAM_THREADS = DEF.define("num-stream-threads", Type.INT,
            Default.of(1), atLeast(1), "Stream threads per instance.");
    public static final Key<Duration> COMMIT_INTERVAL = DEF.define("commit-interval-ms", Type.DURATION_MS,
            Default.of(Duration.ofMillis(50)), atLeast(1), "Commit (and transaction) interval while the brokers "
                    + "acknowledge commits quickly. Each commit lets the side-record barrier advance and makes "
                    + "decisions visible to read_committed consumers, so it bounds latency: 50 keeps p99 within "
                    + "settle-ms + 300 ms; 100 (Kafka's exactly-once default) gives about 15% more throughput and "
                    + "about 150 ms more p99. While a commit takes longer, a stream thread commits every two commit "
                    + "rounds instead, up to commit-interval-max-ms.");
    public static final Key<Duration> COMMIT_INTERVAL_MAX = DEF.define("commit-interval-max-ms", Type.DURATION_MS,
            Default.of(Duration.ofSeconds(1)), atLeast(1).and(below(10_000L, "10000, Kafka Streams' exactly-once "
                    + "transaction timeout: a longer transaction is aborted")),
            "The longest interval between commits (Kafka's `commit.interval.ms`), at least commit-interval-ms. While "
                    + "the brokers are slow to acknowledge commits (each thread times its commits by Kafka's commit "
                    + "and poll counters), a stream thread commits every two commit rounds, between commit-interval-ms and this, "
                    + "so a thread working off a backlog spends at most about half its time committing; equal to "
                    + "commit-interval-ms, the interval is fixed.");
    public static final Key<Path> STATE_DIR = DEF.define("state-dir", Type.PATH,
            Default.computed(Path.of(System.getProperty("user.home"), ".purpose-firewall", "state"),
                    "<user.home>/.purpose-firewall/state"),
            "Local state (Kafka Streams adds a directory per application id); a relative path resolves against the "
                    + "configuration file. The default is outside the OS temporary directory, which the OS may "
                    + "clean under a running instance (Kafka Streams warns about it).");
    public static final Key<Duration> REGISTRY_OUTAGE_MAX_BLOCK = DEF.define("registry-outage-max-block-ms",
            Type.DURATION_MS, Default.of(Duration.ofSeconds(2)),
            atLeast(0).and(below(300_000L, "max.poll.interval.ms (300000), or the consumer leaves its group while "
                    + "waiting")),
            "How long a record that needs a schema not seen yet waits, retrying, while the registry is unreachable, "
                    + "before it is parked; the stream thread waits meanwhile.");
    public static final Key<Duration> CONSENT_HOLD = DEF.define("consent-hold-ms", Type.DURATION_MS,
            Default.of(Duration.ZERO), atLeast(0),
            "How long (wall clock) a record of a user with no consent state at its event time waits for late "
                    + "consent before it is suppressed as CONSENT_MISSING; 0 suppresses at once.");
    public static final Key<Integer> MAX_HELD_RECORDS = DEF.define("max-held-records", Type.INT,
            Default.of(100_000), atLeast(1),
            "The most records one task holds; past it, records are decided at once.");
    // 50: tasks gather on the instances that stay up, so a per-task bound does not bound an instance's heap. Half
    // (by an estimate that runs high) leaves the rest to Kafka Streams' buffers and caches, the stores' objects and
    // the decisions; the campaign's instance collected garbage for most of every minute from about 80 % held.
    public static final Key<Integer> MAX_HELD_HEAP_PERCENT = DEF.define("max-held-heap-percent", Type.INT,
            Default.of(50), atLeast(1).and(below(76, "76: the rest of the heap is Kafka Streams' and the decisions'")),
            "How much of the JVM's maximum heap, in percent, the records held by one instance (every task and "
                    + "thread together, for side records, late consent and the registry) may take, estimated. "
                    + "Records stay in memory while the first half lasts and are spilled to the set-aside store "
                    + "past it (about 128 bytes of heap each); past the whole budget, records are decided at once "
                    + "as past `max-held-records`.");
    public static final Key<Long> EVENT_TIME_FLOOR = DEF.define("event-time-floor-ms", Type.LONG,
            Default.of(EventTimeBounds.DEFAULT_FLOOR_MS), atLeast(0),
            "The earliest plausible event time (epoch ms; default 2000-01-01); earlier is dead-lettered.");
    public static final Key<Duration> MAX_EVENT_TIME_SKEW = DEF.define("max-event-time-skew-ms", Type.DURATION_MS,
            Default.of(Duration.ofMillis(EventTimeBounds.DEFAULT_MAX_FUTURE_SKEW_MS)),
            atLeast(0).and(below(3_600_000L, "the brokers' default message.timestamp.after.max.ms (3600000), or "
                    + "outputs stamped with such event times are refused")),
            "How far ahead of the processing clock an event time may be; later is dead-lettered.");
    // 200 ms: a producer that sends a registration and then a contact point without waiting for the first
    // acknowledgement, or a cluster whose partitions live on different brokers, can let the second land first by
    // a few milliseconds; the window covers that, at 200 ms more latency per data record.
    public static final Key<Duration> SETTLE = DEF.define("settle-ms", Type.DURATION_MS,
            Default.of(Duration.ofMillis(200)), atLeast(0),
            "How long after a data record is read a side record may still be committed and still be applied before "
                    + "the record is decided; 0: only side records committed before the read.");
    public static final Key<Duration> SIDE_BARRIER_POLL = DEF.define("side-barrier-poll-ms", Type.DURATION_MS,
            Default.of(Duration.ofMillis(50)), atLeast(5),
            "How often each instance asks the brokers how far side records have been applied.");

    // Derived by default: a restarted instance (same host, same state directory) is the same static member, so it
    // gets its tasks back at once instead of after the session timeout and a rebalance (see README, Restarts and
    // failover).
    public static final Key<GroupInstanceId> GROUP_INSTANCE_ID = DEF.define("group-instance-id",
            Type.scalar("a static member id, or none", GroupInstanceId::parse),
            Default.computed(GroupInstanceId.DERIVED, "<host>-<state-dir hash>"),
            "The instance's static member id (Kafka's `group.instance.id`, suffixed per stream thread): a restart "
                    + "with the same id gets its tasks back without a rebalance and without waiting out the session "
                    + "timeout. The default is the host name (`HOSTNAME`, else the resolver's) and a hash of the "
                    + "state directory, so two instances on one host never share it; `none` or empty: no static "
                    + "membership. Printable ASCII, at most " + GroupInstanceId.MAX_LENGTH + " characters.");
    // 0: one instance is the shipped deployment, and Kafka never places a standby beside its active task; a
    // restarted static member rejoins at once and restores (8-21 s with 1M users), no standby needed for that.
    public static final Key<Integer> NUM_STANDBY_REPLICAS = DEF.define("num-standby-replicas", Type.INT,
            Default.of(0), atLeast(0),
            "Kafka's `num.standby.replicas`: warm copies of each task's stores on other instances, which take over "
                    + "a dead instance's tasks without restoring them from the changelogs.");
    // False, measured (README, Failure campaign): every campaign without them decided as the oracle does. The
    // consent history that runs with them lost was Kafka's versioned store reopening blind (ReopenedHistory); since
    // that fix, one full run with them and standbys was 0/0/0/0, one without standbys lost nothing but suppressed
    // 40,707 contact points SIDE_RECORDS_PENDING (fail closed) where the same schedule without them had none. True
    // buys a restart that restores only the changelogs' tails (PositionedStores, SmallMemtables): 5 s, not 9-21 s.
    public static final Key<Boolean> TRANSACTIONAL_STATE_STORES = DEF.define("transactional-state-stores",
            Type.BOOLEAN, Default.of(false),
            "Kafka's `enable.transactional.statestores` (KIP-892). `false`: under exactly-once an unclean stop wipes "
                    + "the deciding tasks' state and a restart restores it whole from the changelogs. `true`: stores "
                    + "hold their writes until the changelog transaction commits, so an unclean stop keeps the local "
                    + "state and a restart restores only what the stores had not yet flushed (at most about 1 MiB of "
                    + "writes per store); measured in fewer failure campaigns than `false` (README, Restarts and "
                    + "failover).");
    // 1 MiB, measured (README, Recovery): a restart then reads a few thousand records of each changelog's tail.
    // RocksDB's own floor is 64 KiB.
    public static final Key<Long> STORE_WRITE_BUFFER_BYTES = DEF.define("store-write-buffer-bytes", Type.LONG,
            Default.of(1024L * 1024L), atLeast(64L * 1024L).and(below(1024L * 1024L + 1,
                    "1048576 (1 MiB): the largest measured in the failure campaign; the one run with 16 MiB lost "
                    + "consent history, to the versioned-store bug that ReopenedHistory mends")),
            "With `transactional-state-stores`: each persistent store's RocksDB memtable size (Kafka's is 16 MiB), "
                    + "64 KiB to 1 MiB. Kafka Streams runs RocksDB without its write-ahead log, so what a store holds "
                    + "only in its memtables is what an unclean stop loses and a restart restores from the changelog: "
                    + "smaller restores faster, at the cost of more background flushes and compactions.");

    public Processing {
        GUARANTEE.require(guarantee);
        MAX_TASK_IDLE.require(maxTaskIdle);
        CONSENT_HISTORY_RETENTION.require(consentHistoryRetention);
        NUM_STREAM_THREADS.validate(numStreamThreads);
        COMMIT_INTERVAL.require(commitInterval);
        COMMIT_INTERVAL_MAX.require(commitIntervalMax);
        if (commitIntervalMax.compareTo(commitInterval) < 0) {
            throw new InvalidConfigException(InvalidConfigException.Kind.INVALID, COMMIT_INTERVAL_MAX.name(),
                    commitIntervalMax.toMillis() + " is below commit-interval-ms (" + commitInterval.toMillis()
                            + "): raise it, or give both the same value for a fixed interval");
        }
        STATE_DIR.require(stateDir);
        REGISTRY_OUTAGE_MAX_BLOCK.require(registryOutageMaxBlock);
        CONSENT_HOLD.require(consentHold);
        MAX_HELD_RECORDS.validate(maxHeldRecords);
        MAX_HELD_HEAP_PERCENT.validate(maxHeldHeapPercent);
        EVENT_TIME_FLOOR.validate(eventTimeFloorMs);
        MAX_EVENT_TIME_SKEW.require(maxEventTimeSkew);
        SETTLE.require(settle);
        SIDE_BARRIER_POLL.require(sideBarrierPoll);
        GROUP_INSTANCE_ID.require(groupInstanceId);
        NUM_STANDBY_REPLICAS.validate(numStandbyReplicas);
        STORE_WRITE_BUFFER_BYTES.validate(storeWriteBufferBytes);
    }

    /** The settings read from the section; a relative state directory is left as given. */
    static Processing from(ConfigValues v) {
        return new Processing(v.get(GUARANTEE), v.get(MAX_TASK_IDLE), v.get(CONSENT_HISTORY_RETENTION),
                v.get(NUM_STREAM_THREADS), v.get(COMMIT_INTERVAL), v.get(COMMIT_INTERVAL_MAX),
                v.get(STATE_DIR), v.get(REGISTRY_OUTAGE_MAX_BLOCK),
                v.get(CONSENT_HOLD), v.get(MAX_HELD_RECORDS), v.get(EVENT_TIME_FLOOR), v.get(MAX_EVENT_TIME_SKEW),
                v.get(SETTLE), v.get(SIDE_BARRIER_POLL), v.get(GROUP_INSTANCE_ID), v.get(NUM_STANDBY_REPLICAS),
                v.get(TRANSACTIONAL_STATE_STORES), v.get(STORE_WRITE_BUFFER_BYTES), v.get(MAX_HELD_HEAP_PERCENT));
    }

    /** Every key at its default. */
    public static Processing defaults() {
        return from(DEF.defaults());
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return defaults().toBuilder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A copy with another state directory. */
    public Processing withStateDir(Path dir) {
        return toBuilder().stateDir(dir).build();
    }

    /** The event times this configuration believes. */
    public EventTimeBounds eventTimeBounds() {
        return new EventTimeBounds(eventTimeFloorMs, maxEventTimeSkew.toMillis());
    }

    /**
     * The static member id Kafka gets, empty when static membership is off; the default one is worked out from
     * this machine's host name ({@link GroupInstanceId#localHostName()}) and {@link #stateDir()}.
     */
    public java.util.Optional<String> staticMemberId() {
        return groupInstanceId.resolve(stateDir, GroupInstanceId.localHostName());
    }

    public boolean exactlyOnce() {
        return guarantee == Guarantee.EXACTLY_ONCE_V2;
    }

    /** Settings built in code (tests, benchmarks); {@link #build} checks every rule. Not thread-safe. */
    public static final class Builder {
        private Guarantee guarantee;
        private Duration maxTaskIdle;
        private Duration consentHistoryRetention;
        private int numStreamThreads;
        private Duration commitInterval;
        private Duration commitIntervalMax;
        private Path stateDir;
        private Duration registryOutageMaxBlock;
        private Duration consentHold;
        private int maxHeldRecords;
        private long eventTimeFloorMs;
        private Duration maxEventTimeSkew;
        private Duration settle;
        private Duration sideBarrierPoll;
        private GroupInstanceId groupInstanceId;
        private int numStandbyReplicas;
        private boolean transactionalStateStores;
        private long storeWriteBufferBytes;
        private int maxHeldHeapPercent;

        private Builder(Processing p) {
            guarantee = p.guarantee;
            maxTaskIdle = p.maxTaskIdle;
            consentHistoryRetention = p.consentHistoryRetention;
            numStreamThreads = p.numStreamThreads;
            commitInterval = p.commitInterval;
            commitIntervalMax = p.commitIntervalMax;
            stateDir = p.stateDir;
            registryOutageMaxBlock = p.registryOutageMaxBlock;
            consentHold = p.consentHold;
            maxHeldRecords = p.maxHeldRecords;
            eventTimeFloorMs = p.eventTimeFloorMs;
            maxEventTimeSkew = p.maxEventTimeSkew;
            settle = p.settle;
            sideBarrierPoll = p.sideBarrierPoll;
            groupInstanceId = p.groupInstanceId;
            numStandbyReplicas = p.numStandbyReplicas;
            transactionalStateStores = p.transactionalStateStores;
            storeWriteBufferBytes = p.storeWriteBufferBytes;
            maxHeldHeapPercent = p.maxHeldHeapPercent;
        }

        public Builder guarantee(Guarantee value) {
            guarantee = Objects.requireNonNull(value);
            return this;
        }

        public Builder maxTaskIdle(Duration value) {
            maxTaskIdle = value;
            return this;
        }

        public Builder consentHistoryRetention(Duration value) {
            consentHistoryRetention = value;
            return this;
        }

        public Builder numStreamThreads(int value) {
            numStreamThreads = value;
            return this;
        }

        public Builder commitInterval(Duration value) {
            commitInterval = value;
            return this;
        }

        public Builder commitIntervalMax(Duration value) {
            commitIntervalMax = value;
            return this;
        }

        public Builder stateDir(Path value) {
            stateDir = value;
            return this;
        }

        public Builder registryOutageMaxBlock(Duration value) {
            registryOutageMaxBlock = value;
            return this;
        }

        public Builder consentHold(Duration value) {
            consentHold = value;
            return this;
        }

        public Builder maxHeldRecords(int value) {
            maxHeldRecords = value;
            return this;
        }

        public Builder eventTimeFloorMs(long value) {
            eventTimeFloorMs = value;
            return this;
        }

        public Builder maxEventTimeSkew(Duration value) {
            maxEventTimeSkew = value;
            return this;
        }

        public Builder settle(Duration value) {
            settle = value;
            return this;
        }

        public Builder sideBarrierPoll(Duration value) {
            sideBarrierPoll = value;
            return this;
        }

        public Builder groupInstanceId(GroupInstanceId value) {
            groupInstanceId = value;
            return this;
        }

        public Builder numStandbyReplicas(int value) {
            numStandbyReplicas = value;
            return this;
        }

        public Builder transactionalStateStores(boolean value) {
            transactionalStateStores = value;
            return this;
        }

        public Builder storeWriteBufferBytes(long value) {
            storeWriteBufferBytes = value;
            return this;
        }

        public Builder maxHeldHeapPercent(int value) {
            maxHeldHeapPercent = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the key whose rule a value breaks */
        public Processing build() {
            return new Processing(guarantee, maxTaskIdle, consentHistoryRetention, numStreamThreads, commitInterval,
                    commitIntervalMax,
                    stateDir, registryOutageMaxBlock, consentHold, maxHeldRecords, eventTimeFloorMs, maxEventTimeSkew,
                    settle, sideBarrierPoll, groupInstanceId, numStandbyReplicas, transactionalStateStores,
                    storeWriteBufferBytes, maxHeldHeapPercent);
        }
    }
}
