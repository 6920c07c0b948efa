package org.purposefirewall.topology;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.policy.SetAsideRules;
import org.purposefirewall.policy.SetAsideRules.Wait;
import org.purposefirewall.registry.RegistryUnavailableException;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.serde.AvroDecoder;
import org.purposefirewall.serde.Decoded;
import org.purposefirewall.serde.SerdeException;

/**
 * The one buffer for every record that waits instead of being decided now ({@link Wait}: for the schema registry,
 * for side records, for late consent), per processor: one store ({@link Names#SET_ASIDE_STORE}: persistent, cached,
 * changelogged), one bound, one set of metrics. {@code SetAsideRules} says who waits; this class keeps them, whole,
 * with their coordinates, and hands each back to its processor exactly once.
 *
 * <p>Cheap: waiting records are kept in chunks of up to {@value #CHUNK_ENTRIES} records of one wait, in read order,
 * one store entry per chunk. Store caching folds a chunk's many writes between two commits into one changelog
 * record, so a record that waits costs a fraction of a changelog write, not a put and a tombstone of its own. A
 * restart rebuilds the queues from the store; a record restored that way is decoded again when released.
 *
 * <p>Bounded in memory: every record is in the store, and while the instance's {@link HeldBudget} has
 * {@linkplain HeldBudget#keepsInMemory room in memory} it is kept on the heap too, decoded, so the common short
 * wait never reads the store. Past that, a record is <em>spilled</em>: only what the queues need to order and
 * release it stays on the heap (read time, deadline, where its frame lies in its chunk, and for a consent wait its
 * key and event time), and it is read back from the store, and decoded again, when it leaves. A backlog of hundreds
 * of thousands of waiting records (a campaign's instances after a run of kills) then costs tens of megabytes, not
 * the heap.
 *
 * <p>A side processor's records waiting for the registry are also published in the store
 * ({@link #sideRecordWaiting}), so the data processors of the same task hold their records while one is read but not
 * applied. Confined to the processor's stream thread.
 *
 * @param <V> the decoded type of the processor's input
 */
final class SetAside<V> {

    /**
     * Most records per chunk; with {@link #CHUNK_BYTES}, a chunk stays one changelog record below 1 MiB. Small
     * enough that rewriting a chunk as a record joins it costs little (a profile of 64 showed the rewrites as the
     * buffer's main cost), large enough that a chunk's changelog record stands for many records.
     */
    static final int CHUNK_ENTRIES = 16;
    private static final int CHUNK_BYTES = Limits.MAX_COPIED_BYTES + 16_384;
    private static final byte FORMAT_VERSION = 1;
    private static final String MARKER_PREFIX = "\u0001waiting\u0000";

    /** How a processor decodes a record read back from the store (after a restart): Unavailable if it cannot yet. */
    interface Decoder<V> {
        /** Decodes a set-aside record's value (never null). */
        Decoded<V> decode(ParkedRecord envelope);

        /**
         * Decoding with {@code serde}: Unavailable while the registry does not answer (told to {@code health}), Failed
         * with the reason for bytes that cannot be read.
         */
        static <V> Decoder<V> of(AvroDecoder<V> serde, RegistryHealth health) {
            return envelope -> {
                byte[] raw = envelope.value();
                try {
                    Decoded<V> decoded = new Decoded.Ok<>(serde.decode(raw), raw);
                    health.answered();
                    return decoded;
                } catch (RegistryUnavailableException e) {
                    health.unavailable(e.getMessage());
                    return new Decoded.Unavailable<>(raw);
                } catch (SerdeException e) {
                    return new Decoded.Failed<>(e.kind().name(), e.getMessage(),
                            e.getCause() == null ? e.getClass().getName() : e.getCause().getClass().getName(), raw);
                }
            };
        }
    }

    /**
     * One waiting record. Its frame (read time, deadline, length, the envelope) is its stored form, and lies in its
     * chunk's stored value at {@link #offset}. A resident record also keeps the frame, the envelope and (until handed
     * back, unless restored) the decoded record on the heap; a spilled one keeps none of them, and {@link #key} and
     * {@link #timestamp} stand in for the envelope where a consent wait needs them.
     */
    private static final class Entry<V> {
        final long readTime;
        final long deadline;
        final int length;
        /** What it counts against the budget, given back when it leaves. */
        final long cost;
        /** For {@link Wait#CONSENT}: the record's key (a user id, or null) and event time. */
        final String key;
        final long timestamp;
        /** Where its frame starts in its chunk's value as last written. */
        int offset;
        ParkedRecord envelope;
        byte[] framed;
        InputRecord<V> decoded;

        Entry(long readTime, long deadline, int length, long cost, String key, long timestamp) {
            this.readTime = readTime;
            this.deadline = deadline;
            this.length = length;
            this.cost = cost;
            this.key = key;
            this.timestamp = timestamp;
        }

        /**
         * An entry of {@code wait}: a consent wait keeps {@code envelope}'s key and event time, since it is checked
         * against them while it waits, and its envelope may be spilled.
         */
        static <V> Entry<V> of(Wait wait, long readTime, long deadline, int length, long cost, ParkedRecord envelope) {
            return wait == Wait.CONSENT
                    ? new Entry<>(readTime, deadline, length, cost, envelope.keyString(), envelope.timestamp())
                    : new Entry<>(readTime, deadline, length, cost, null, 0L);
        }

        boolean spilled() {
            return framed == null;
        }

        /** A spilled record that stays after its envelope was read back: the envelope goes again. */
        void stays() {
            if (spilled()) {
                envelope = null;
            }
        }

        /** Drops what a spilled record does not keep: it is in the store. */
        void spill() {
            envelope = null;
            framed = null;
            decoded = null;
        }
    }

    private static final int FRAME_HEADER = 8 + 8 + 4;
    /** A chunk's value starts with a format byte and its record count. */
    private static final int CHUNK_HEADER = 1 + 4;

    /**
     * Up to {@link #CHUNK_ENTRIES} records of one wait, stored as one entry. {@link #stored} is its value as last
     * written, read only to reach spilled records' frames and dropped when the operation that read it ends.
     */
    private static final class Chunk<V> {
        final String key;
        final List<Entry<V>> entries = new ArrayList<>();
        int bytes;
        private byte[] stored;

        Chunk(String key) {
            this.key = key;
        }

        byte[] stored(KeyValueStore<String, byte[]> store) {
            if (stored == null) {
                stored = store.get(key);
                if (stored == null) {
                    throw new IllegalStateException("set-aside chunk " + key + " holds spilled records but is not "
                            + "in the store");
                }
            }
            return stored;
        }

        /** The envelope of {@code entry}: read from the stored value once, for a spilled record about to leave. */
        ParkedRecord envelope(Entry<V> entry, KeyValueStore<String, byte[]> store) {
            if (entry.envelope == null) {
                entry.envelope = envelopeOf(stored(store), entry.offset);
            }
            return entry.envelope;
        }

        void forget() {
            stored = null;
        }
    }

    /** The envelope of the frame at {@code frameOffset} of a chunk's value: past its read time and deadline. */
    private static ParkedRecord envelopeOf(byte[] chunk, int frameOffset) {
        int lengthAt = frameOffset + 8 + 8;
        ByteBuffer in = ByteBuffer.wrap(chunk, lengthAt, chunk.length - lengthAt);
        byte[] record = new byte[in.getInt()];
        in.get(record);
        return ParkedRecord.serde().deserializer().deserialize(null, record);
    }

    private final String owner;
    private final KeyValueStore<String, byte[]> store;
    private final int bound;
    private final HeldBudget budget;
    /** What this buffer's records count against {@link #budget}, given back by {@link #close()}. */
    private long heldBytes;
    /** Of its records, how many are spilled: in the store only. */
    private int spilledRecords;
    private final FirewallMetrics metrics;
    private final Decoder<V> decoder;
    private final boolean publishesWaits;
    private final List<String> watched;
    private final ArrayDeque<Chunk<V>>[] lanes;
    private final int[] counts = new int[Wait.values().length];
    private long nextChunk;

    /**
     * @param owner the processor's input topic: its records' keys start with it
     * @param bound the most records this processor keeps waiting, all waits together
     * @param budget the instance's heap budget for waiting records, shared by every buffer of the instance
     * @param publishesWaits a side processor: publish its records waiting for the registry to the task
     * @param watched side topics whose waiting records hold this (data) processor's records
     */
    @SuppressWarnings("unchecked")
    SetAside(String owner, KeyValueStore<String, byte[]> store, int bound, HeldBudget budget, FirewallMetrics metrics,
             Decoder<V> decoder, boolean publishesWaits, List<String> watched) {
        this.owner = owner;
        this.store = store;
        this.bound = bound;
        this.budget = budget;
        this.metrics = metrics;
        this.decoder = decoder;
        this.publishesWaits = publishesWaits;
        this.watched = List.copyOf(watched);
        this.lanes = new ArrayDeque[Wait.values().length];
        for (Wait wait : Wait.values()) {
            lanes[wait.ordinal()] = new ArrayDeque<>();
        }
        restore();
    }

    /** Records waiting, all waits together. */
    int size() {
        int total = 0;
        for (int count : counts) {
            total += count;
        }
        return total;
    }

    /** Records waiting for {@code wait}. */
    int waiting(Wait wait) {
        return counts[wait.ordinal()];
    }

    /** True if room is left for one more record: below this buffer's bound and the instance's budget. */
    boolean hasRoom() {
        return size() < bound && budget.hasRoom();
    }

    /**
     * Gives this buffer's share of the instance's budget back: its task is closed (moved, or the instance stops),
     * and its records, kept in the changelogged store, are rebuilt by whichever processor opens the task next.
     */
    void close() {
        budget.give(heldBytes);
        heldBytes = 0;
    }

    /**
     * Sets {@code in} aside, whole, until {@code wait} is over.
     *
     * @param readTime when it was read (for {@link Wait#SIDE_RECORDS})
     * @param deadline when its wait expires (for {@link Wait#CONSENT}); else 0
     * @throws RegistryUnavailableException past the bound, for {@link Wait#SCHEMA}: the outage goes to Kafka Streams
     *     (the caller handles the bound for the other waits, by {@code SetAsideRules})
     */
    void add(Wait wait, InputRecord<V> in, long readTime, long deadline) {
        if (!hasRoom() && wait == Wait.SCHEMA) {
            throw new RegistryUnavailableException("more than " + bound + " records of " + owner
                    + " are set aside in one task, or the instance's waiting records take more than its heap "
                    + "budget (" + budget.limit() + " bytes), while the schema registry is unreachable", null);
        }
        append(wait, in.envelope(), in, readTime, deadline);
        switch (wait) {
            case SCHEMA -> {
                metrics.parked();
                publish();
            }
            case SIDE_RECORDS -> metrics.settling();
            case CONSENT -> metrics.held();
        }
    }

    /**
     * Hands back, oldest read first, the records waiting for side records whose read time {@code settled} accepts;
     * stops at the first it does not, so decisions keep their read order. A record restored after a restart (or
     * spilled) whose schema the registry cannot serve now goes back to wait for the registry. Records are taken out
     * of the buffer before any is handed back, so what the processor does with one never disturbs the queue.
     */
    void releaseSideRecordWaits(LongPredicate settled, Consumer<InputRecord<V>> decide) {
        List<InputRecord<V>> released = new ArrayList<>();
        for (Entry<V> entry : takeFromHead(Wait.SIDE_RECORDS, (chunk, entry) -> settled.test(entry.readTime))) {
            InputRecord<V> in = decodedOrNull(entry);
            if (in == null) {
                moveToSchemaWait(entry);
            } else {
                released.add(in);
            }
        }
        released.forEach(decide);
    }

    /**
     * Tries the records waiting for the registry again, oldest first; stops at the first the registry still cannot
     * serve. Each one it can is handed to {@code admit} (it may wait again, for side records).
     */
    void releaseSchemaWaits(Consumer<InputRecord<V>> admit) {
        List<Entry<V>> served = takeFromHead(Wait.SCHEMA, (chunk, entry) -> {
            ParkedRecord envelope = chunk.envelope(entry, store);
            Decoded<V> decoded = envelope.value() == null ? null : decoder.decode(envelope);
            if (decoded instanceof Decoded.Unavailable<V>) {
                entry.stays();
                return false;
            }
            entry.decoded = InputRecord.of(envelope, decoded);
            return true;
        });
        if (!served.isEmpty()) {
            publish();
            served.forEach(entry -> admit.accept(entry.decoded));
        }
    }

    /** Whether a record at the head of a queue leaves it; may read the record's envelope from its chunk. */
    private interface Take<V> {
        boolean test(Chunk<V> chunk, Entry<V> entry);
    }

    /**
     * Takes records from the head of {@code wait}'s queue, oldest first, while {@code take} accepts them, and stores
     * what is left: a drained chunk is deleted, a chunk left part-full is rewritten, an untouched one is not. Every
     * record taken has its envelope on the heap.
     */
    private List<Entry<V>> takeFromHead(Wait wait, Take<V> take) {
        ArrayDeque<Chunk<V>> lane = lanes[wait.ordinal()];
        List<Entry<V>> taken = new ArrayList<>();
        boolean stopped = false;
        while (!lane.isEmpty() && !stopped) {
            Chunk<V> head = lane.peekFirst();
            Iterator<Entry<V>> it = head.entries.iterator();
            boolean changed = false;
            while (it.hasNext()) {
                Entry<V> entry = it.next();
                if (!take.test(head, entry)) {
                    stopped = true;
                    break;
                }
                head.envelope(entry, store);
                it.remove();
                leave(head, entry, wait);
                changed = true;
                taken.add(entry);
            }
            finish(lane, head, changed);
        }
        if (!taken.isEmpty()) {
            metrics.waiting(wait, counts[wait.ordinal()]);
            metrics.waitingHeap(heldBytes, spilledRecords);
        }
        return taken;
    }

    /** Whether a record waiting for consent has it now: by the record's key (a user id, or null) and event time. */
    @FunctionalInterface
    interface ConsentCheck {
        boolean arrived(String key, long eventTime);
    }

    /**
     * Hands back every record waiting for consent whose wait is over by {@code SetAsideRules} (its consent arrived,
     * or its deadline passed), in the order they were set aside.
     */
    void releaseConsentWaits(ConsentCheck consentArrived, long now, Consumer<InputRecord<V>> decide) {
        ArrayDeque<Chunk<V>> lane = lanes[Wait.CONSENT.ordinal()];
        if (lane.isEmpty()) {
            return;
        }
        List<InputRecord<V>> released = new ArrayList<>();
        for (Chunk<V> chunk : new ArrayList<>(lane)) {
            boolean changed = false;
            Iterator<Entry<V>> it = chunk.entries.iterator();
            while (it.hasNext()) {
                Entry<V> entry = it.next();
                if (!SetAsideRules.consentWaitOver(consentArrived.arrived(entry.key, entry.timestamp),
                        entry.deadline <= now)) {
                    continue;
                }
                chunk.envelope(entry, store);
                InputRecord<V> in = decodedOrNull(entry);
                if (in == null) {
                    // Restored or spilled, and the registry cannot serve its schema now: it waits on.
                    entry.stays();
                    continue;
                }
                it.remove();
                leave(chunk, entry, Wait.CONSENT);
                changed = true;
                released.add(in);
            }
            if (changed && chunk.entries.isEmpty()) {
                lane.remove(chunk);
            }
            finish(null, chunk, changed);
        }
        if (!released.isEmpty()) {
            metrics.waiting(Wait.CONSENT, counts[Wait.CONSENT.ordinal()]);
            metrics.waitingHeap(heldBytes, spilledRecords);
        }
        released.forEach(decide);
    }

    /** True if a side record of this task waits for the registry: read, but not applied. */
    boolean sideRecordWaiting() {
        for (String topic : watched) {
            byte[] count = store.get(MARKER_PREFIX + topic);
            if (count != null && ByteBuffer.wrap(count).getInt() > 0) {
                return true;
            }
        }
        return false;
    }

    private InputRecord<V> decodedOrNull(Entry<V> entry) {
        if (entry.decoded != null) {
            InputRecord<V> in = entry.decoded;
            entry.decoded = null;
            return in;
        }
        Decoded<V> decoded = entry.envelope.value() == null ? null : decoder.decode(entry.envelope);
        return decoded instanceof Decoded.Unavailable<V> ? null : InputRecord.of(entry.envelope, decoded);
    }

    private void moveToSchemaWait(Entry<V> entry) {
        append(Wait.SCHEMA, entry.envelope, null, entry.readTime, 0L);
        metrics.parked();
        publish();
    }

    /**
     * Adds a record to the tail chunk of {@code wait} (a new one if that is full) and writes the chunk; the record
     * stays on the heap if the budget keeps it in memory, else only its place in the queue does.
     *
     * @param decoded the record decoded, or null to decode it again when it leaves
     */
    private void append(Wait wait, ParkedRecord envelope, InputRecord<V> decoded, long readTime, long deadline) {
        byte[] record = ParkedRecord.serde().serializer().serialize(null, envelope);
        byte[] framed = ByteBuffer.allocate(FRAME_HEADER + record.length).putLong(readTime).putLong(deadline)
                .putInt(record.length).put(record).array();
        long full = HeldBudget.cost(framed.length);
        boolean resident = budget.keepsInMemory(full);
        Entry<V> entry = Entry.of(wait, readTime, deadline, framed.length,
                resident ? full : HeldBudget.SPILLED_COST, envelope);
        entry.framed = framed;
        entry.envelope = envelope;
        entry.decoded = decoded;

        ArrayDeque<Chunk<V>> lane = lanes[wait.ordinal()];
        Chunk<V> tail = lane.peekLast();
        if (tail == null || tail.entries.size() >= CHUNK_ENTRIES || tail.bytes + framed.length > CHUNK_BYTES) {
            tail = new Chunk<>(chunkKey(wait, nextChunk++));
            lane.addLast(tail);
        }
        tail.entries.add(entry);
        tail.bytes += framed.length;
        hold(entry);
        write(tail);
        if (!resident) {
            entry.spill();
            spilledRecords++;
        }
        counts[wait.ordinal()]++;
        metrics.waiting(wait, counts[wait.ordinal()]);
        metrics.waitingHeap(heldBytes, spilledRecords);
    }

    private void hold(Entry<V> entry) {
        heldBytes += entry.cost;
        budget.take(entry.cost);
    }

    /** Accounts for {@code entry} having been taken out of {@code chunk}'s entries. */
    private void leave(Chunk<V> chunk, Entry<V> entry, Wait wait) {
        chunk.bytes -= entry.length;
        if (entry.spilled()) {
            spilledRecords--;
        }
        counts[wait.ordinal()]--;
        heldBytes -= entry.cost;
        budget.give(entry.cost);
    }

    /**
     * After taking records from {@code chunk}: deletes it if empty (and takes it off {@code lane}'s head if given),
     * else writes what is left of it if anything left; either way forgets its stored value.
     */
    private void finish(ArrayDeque<Chunk<V>> lane, Chunk<V> chunk, boolean changed) {
        if (chunk.entries.isEmpty()) {
            if (lane != null) {
                lane.pollFirst();
            }
            store.delete(chunk.key);
        } else if (changed) {
            write(chunk);
        }
        chunk.forget();
    }

    private void publish() {
        if (publishesWaits) {
            int waiting = counts[Wait.SCHEMA.ordinal()];
            if (waiting == 0) {
                store.delete(MARKER_PREFIX + owner);
            } else {
                store.put(MARKER_PREFIX + owner, ByteBuffer.allocate(4).putInt(waiting).array());
            }
        }
    }

    private String chunkKey(Wait wait, long sequence) {
        return owner + '\u0000' + wait.ordinal() + '\u0000' + String.format("%020d", sequence);
    }

    /**
     * Writes {@code chunk}'s records' frames, resident ones from the heap and spilled ones from its value as last
     * written (each read at its old place before its new one is noted), and notes where each frame now lies.
     */
    private void write(Chunk<V> chunk) {
        byte[] out = new byte[CHUNK_HEADER + chunk.bytes];
        ByteBuffer.wrap(out).put(FORMAT_VERSION).putInt(chunk.entries.size());
        int at = CHUNK_HEADER;
        for (Entry<V> entry : chunk.entries) {
            System.arraycopy(entry.spilled() ? chunk.stored(store) : entry.framed,
                    entry.spilled() ? entry.offset : 0, out, at, entry.length);
            entry.offset = at;
            at += entry.length;
        }
        store.put(chunk.key, out);
        chunk.forget();
    }

    /**
     * Rebuilds the queues from the store, in read order (chunk keys sort by wait, then sequence): records on the
     * heap while the budget keeps them in memory, spilled past that. Restored records are never refused: they
     * waited before the restart, and count against the budget whatever it says.
     */
    private void restore() {
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(owner + '\u0000', new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> stored = it.next();
                String[] parts = stored.key.substring(owner.length() + 1).split("\u0000", 2);
                Wait wait = Wait.values()[Integer.parseInt(parts[0])];
                nextChunk = Math.max(nextChunk, Long.parseLong(parts[1]) + 1);
                Chunk<V> chunk = new Chunk<>(stored.key);
                ByteBuffer in = ByteBuffer.wrap(stored.value);
                byte version = in.get();
                if (version != FORMAT_VERSION) {
                    throw new IllegalStateException("set-aside chunk has format version " + version
                            + "; this release reads " + FORMAT_VERSION);
                }
                int entries = in.getInt();
                for (int i = 0; i < entries; i++) {
                    int start = in.position();
                    long readTime = in.getLong();
                    long deadline = in.getLong();
                    int length = FRAME_HEADER + in.getInt();
                    in.position(start + length);
                    long full = HeldBudget.cost(length);
                    boolean resident = budget.keepsInMemory(full);
                    ParkedRecord envelope = resident || wait == Wait.CONSENT
                            ? envelopeOf(stored.value, start) : null;
                    Entry<V> entry = Entry.of(wait, readTime, deadline, length,
                            resident ? full : HeldBudget.SPILLED_COST, envelope);
                    entry.offset = start;
                    if (resident) {
                        entry.framed = Arrays.copyOfRange(stored.value, start, start + length);
                        entry.envelope = envelope;
                    } else {
                        spilledRecords++;
                    }
                    chunk.entries.add(entry);
                    chunk.bytes += length;
                    hold(entry);
                }
                if (!chunk.entries.isEmpty()) {
                    lanes[wait.ordinal()].addLast(chunk);
                    counts[wait.ordinal()] += chunk.entries.size();
                }
            }
        }
        for (Wait wait : Wait.values()) {
            metrics.waiting(wait, counts[wait.ordinal()]);
        }
        metrics.waitingHeap(heldBytes, spilledRecords);
        publish();
    }
}
