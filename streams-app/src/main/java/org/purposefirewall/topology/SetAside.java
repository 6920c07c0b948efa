package org.purposefirewall.topology;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
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
 * for side records, for late consent), per processor: one store ({@link Names#SET_ASIDE_STORE}: in memory, cached,
 * changelogged), one bound, one set of metrics. {@code SetAsideRules} says who waits; this class keeps them, whole,
 * with their coordinates, and hands each back to its processor exactly once.
 *
 * <p>Cheap: waiting records are kept in chunks of up to {@value #CHUNK_ENTRIES} records of one wait, in read order,
 * one store entry per chunk. Store caching folds a chunk's many writes between two commits into one changelog
 * record, so a record that waits costs a fraction of a changelog write, not a put and a tombstone of its own. A
 * restart rebuilds the queues from the store; a record restored that way is decoded again when released.
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
     * One waiting record. {@code framed} is its stored form (read time, deadline, length, the envelope), made once:
     * a chunk is written by copying its entries' frames. {@code decoded} is null once restored from the store.
     */
    private static final class Entry<V> {
        final long readTime;
        final long deadline;
        final ParkedRecord envelope;
        final byte[] framed;
        InputRecord<V> decoded;

        Entry(long readTime, long deadline, ParkedRecord envelope, byte[] framed, InputRecord<V> decoded) {
            this.readTime = readTime;
            this.deadline = deadline;
            this.envelope = envelope;
            this.framed = framed;
            this.decoded = decoded;
        }

        static <V> Entry<V> of(long readTime, long deadline, ParkedRecord envelope, InputRecord<V> decoded) {
            byte[] record = ParkedRecord.serde().serializer().serialize(null, envelope);
            byte[] framed = ByteBuffer.allocate(FRAME_HEADER + record.length).putLong(readTime).putLong(deadline)
                    .putInt(record.length).put(record).array();
            return new Entry<>(readTime, deadline, envelope, framed, decoded);
        }
    }

    private static final int FRAME_HEADER = 8 + 8 + 4;

    /** Up to {@link #CHUNK_ENTRIES} records of one wait, stored as one entry. */
    private static final class Chunk<V> {
        final String key;
        final List<Entry<V>> entries = new ArrayList<>();
        int bytes;

        Chunk(String key) {
            this.key = key;
        }
    }

    private final String owner;
    private final KeyValueStore<String, byte[]> store;
    private final int bound;
    private final HeldBudget budget;
    /** What this buffer's records count against {@link #budget}, given back by {@link #close()}. */
    private long heldBytes;
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
        append(wait, Entry.of(readTime, deadline, in.envelope(), in));
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
     * stops at the first it does not, so decisions keep their read order. A record restored after a restart whose
     * schema the registry cannot serve now goes back to wait for the registry. Records are taken out of the buffer
     * before any is handed back, so what the processor does with one never disturbs the queue.
     */
    void releaseSideRecordWaits(LongPredicate settled, Consumer<InputRecord<V>> decide) {
        List<InputRecord<V>> released = new ArrayList<>();
        for (Entry<V> entry : takeFromHead(Wait.SIDE_RECORDS, entry -> settled.test(entry.readTime))) {
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
        List<Entry<V>> served = takeFromHead(Wait.SCHEMA, entry -> {
            Decoded<V> decoded = entry.envelope.value() == null ? null : decoder.decode(entry.envelope);
            if (decoded instanceof Decoded.Unavailable<V>) {
                return false;
            }
            entry.decoded = InputRecord.of(entry.envelope, decoded);
            return true;
        });
        if (!served.isEmpty()) {
            publish();
            served.forEach(entry -> admit.accept(entry.decoded));
        }
    }

    /**
     * Takes records from the head of {@code wait}'s queue, oldest first, while {@code take} accepts them, and stores
     * what is left: a drained chunk is deleted, a chunk left part-full is rewritten, an untouched one is not.
     */
    private List<Entry<V>> takeFromHead(Wait wait, Predicate<Entry<V>> take) {
        ArrayDeque<Chunk<V>> lane = lanes[wait.ordinal()];
        List<Entry<V>> taken = new ArrayList<>();
        boolean stopped = false;
        while (!lane.isEmpty() && !stopped) {
            Chunk<V> head = lane.peekFirst();
            Iterator<Entry<V>> it = head.entries.iterator();
            boolean changed = false;
            while (it.hasNext()) {
                Entry<V> entry = it.next();
                if (!take.test(entry)) {
                    stopped = true;
                    break;
                }
                it.remove();
                head.bytes -= entry.framed.length;
                changed = true;
                counts[wait.ordinal()]--;
                release(entry);
                taken.add(entry);
            }
            finish(lane, head, changed);
        }
        if (!taken.isEmpty()) {
            metrics.waiting(wait, counts[wait.ordinal()]);
        }
        return taken;
    }

    /**
     * Hands back every record waiting for consent whose wait is over by {@code SetAsideRules} (its consent arrived,
     * or its deadline passed), in the order they were set aside.
     */
    void releaseConsentWaits(Predicate<ParkedRecord> consentArrived, long now, Consumer<InputRecord<V>> decide) {
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
                if (!SetAsideRules.consentWaitOver(consentArrived.test(entry.envelope), entry.deadline <= now)) {
                    continue;
                }
                InputRecord<V> in = decodedOrNull(entry);
                if (in == null) {
                    // Restored after a restart, and the registry cannot serve its schema now: it waits on.
                    continue;
                }
                it.remove();
                chunk.bytes -= entry.framed.length;
                changed = true;
                counts[Wait.CONSENT.ordinal()]--;
                release(entry);
                released.add(in);
            }
            if (changed) {
                if (chunk.entries.isEmpty()) {
                    lane.remove(chunk);
                    store.delete(chunk.key);
                } else {
                    write(chunk);
                }
            }
        }
        if (!released.isEmpty()) {
            metrics.waiting(Wait.CONSENT, counts[Wait.CONSENT.ordinal()]);
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
        append(Wait.SCHEMA, Entry.of(entry.readTime, 0L, entry.envelope, null));
        metrics.parked();
        publish();
    }

    /** Adds {@code entry} to the tail chunk of {@code wait} (a new one if that is full) and writes the chunk. */
    private void append(Wait wait, Entry<V> entry) {
        ArrayDeque<Chunk<V>> lane = lanes[wait.ordinal()];
        Chunk<V> tail = lane.peekLast();
        if (tail == null || tail.entries.size() >= CHUNK_ENTRIES || tail.bytes + entry.framed.length > CHUNK_BYTES) {
            tail = new Chunk<>(chunkKey(wait, nextChunk++));
            lane.addLast(tail);
        }
        tail.entries.add(entry);
        tail.bytes += entry.framed.length;
        hold(entry);
        write(tail);
        counts[wait.ordinal()]++;
        metrics.waiting(wait, counts[wait.ordinal()]);
    }

    private void hold(Entry<V> entry) {
        long cost = HeldBudget.cost(entry.framed.length);
        heldBytes += cost;
        budget.take(cost);
    }

    private void release(Entry<V> entry) {
        long cost = HeldBudget.cost(entry.framed.length);
        heldBytes -= cost;
        budget.give(cost);
    }

    /** After releasing from {@code head}: deletes it if empty, else writes what is left of it if anything left. */
    private void finish(ArrayDeque<Chunk<V>> lane, Chunk<V> head, boolean changed) {
        if (head.entries.isEmpty()) {
            lane.pollFirst();
            store.delete(head.key);
        } else if (changed) {
            write(head);
        }
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

    private void write(Chunk<V> chunk) {
        byte[] out = new byte[1 + 4 + chunk.bytes];
        ByteBuffer.wrap(out).put(FORMAT_VERSION).putInt(chunk.entries.size());
        int at = 5;
        for (Entry<V> entry : chunk.entries) {
            System.arraycopy(entry.framed, 0, out, at, entry.framed.length);
            at += entry.framed.length;
        }
        store.put(chunk.key, out);
    }

    /** Rebuilds the queues from the store, in read order (chunk keys sort by wait, then sequence). */
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
                    byte[] record = new byte[in.getInt()];
                    in.get(record);
                    byte[] framed = java.util.Arrays.copyOfRange(stored.value, start, in.position());
                    ParkedRecord envelope = ParkedRecord.serde().deserializer().deserialize(null, record);
                    Entry<V> entry = new Entry<>(readTime, deadline, envelope, framed, null);
                    chunk.entries.add(entry);
                    chunk.bytes += framed.length;
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
        publish();
    }
}
