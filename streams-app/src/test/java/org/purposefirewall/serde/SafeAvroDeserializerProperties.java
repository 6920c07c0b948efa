package org.purposefirewall.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;

/**
 * {@link SafeAvroDeserializer} never throws for bad bytes, never hangs and never asks for a giant allocation, whatever
 * the bytes claim. Each decode runs on a worker thread with a time-out and its allocation is measured, so a hang or a
 * multi-GB allocation attempt fails the property with the input in hex instead of stalling or killing the JVM.
 */
class SafeAvroDeserializerProperties {

    private static final String TOPIC = "user.contact-points";
    private static final Set<String> KINDS =
            Stream.of(SerdeException.Kind.values()).map(Enum::name).collect(Collectors.toUnmodifiableSet());
    /** A single decode of at most ~4 KB may take this long (JIT, GC pauses) before it counts as a hang. */
    private static final Duration PER_DECODE_TIMEOUT = Duration.ofSeconds(10);
    /** ...and should take much less than this. */
    private static final Duration PER_DECODE_LIMIT = Duration.ofSeconds(2);
    /** Overall budget for one property (JUnit's @Timeout does not apply to jqwik properties). */
    private static final Duration PER_PROPERTY_BUDGET = Duration.ofMinutes(3);
    /** Decoding at most 4 KB of input legitimately allocates far less; Avro sizing buffers from a length would not. */
    private static final long MAX_ALLOCATION_PER_DECODE = 64L * 1024 * 1024;

    private static ExecutorService worker = newWorker();

    private final String scope = "test-" + UUID.randomUUID();
    private final MockSchemaRegistryClient client = MockSchemaRegistryClient.forScope(scope);
    private final AvroSerde<ContactPoint> serde = new AvroSerde<>(ContactPoint.class, client, true, false);
    private final SafeAvroDeserializer<ContactPoint> deserializer = new SafeAvroDeserializer<>(serde);
    private final int schemaId = serde.schemaIdFor(TOPIC);
    private long propertyStart;

    @BeforeProperty
    void startClock() {
        propertyStart = System.nanoTime();
    }

    @AfterProperty
    void dropScope() {
        MockSchemaRegistryClient.dropScope(scope);
    }

    @AfterContainer
    static void stopWorker() {
        worker.shutdownNow();
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "safe-avro-deserializer-properties");
            t.setDaemon(true);
            return t;
        });
    }

    // --- properties -------------------------------------------------------------------------------------------

    @Property(tries = 5000)
    void anyBytesNeverThrow(@ForAll("anyBytes") byte[] bytes) {
        Decoded<ContactPoint> decoded = deserialize(bytes);

        assertWellFormed(decoded, bytes);
        boolean wireFormat = bytes.length >= WireFormat.HEADER_SIZE && bytes[0] == 0;
        if (!wireFormat) {
            assertThat(failure(decoded).reason()).isEqualTo("NOT_WIRE_FORMAT");
        } else if (ByteBuffer.wrap(bytes, 1, 4).getInt() != schemaId) {
            assertThat(failure(decoded).reason()).isEqualTo("UNKNOWN_SCHEMA_ID");
        }
    }

    @Property(tries = 5000)
    void validHeaderWithRandomBodyNeverThrows(@ForAll("randomBodies") byte[] body) {
        byte[] bytes = framed(body);

        Decoded<ContactPoint> decoded = deserialize(bytes);

        assertWellFormed(decoded, bytes);
        assertBodyOutcome(decoded);
    }

    @Property(tries = 5000)
    void validHeaderWithHostileVarintsNeverThrows(@ForAll("hostileBodies") byte[] body) {
        byte[] bytes = framed(body);

        Decoded<ContactPoint> decoded = deserialize(bytes);

        assertWellFormed(decoded, bytes);
        assertBodyOutcome(decoded);
    }

    @Property(tries = 3000)
    void validRecordWithOneByteChangedDecodesOrFailsWithAReason(@ForAll("contactPoints") ContactPoint record,
                                                                 @ForAll @IntRange(min = 0, max = 100_000) int at,
                                                                 @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] bytes = serde.encode(TOPIC, record);
        int position = at % bytes.length;
        bytes[position] ^= (byte) xor;

        Decoded<ContactPoint> decoded = deserialize(bytes);

        assertWellFormed(decoded, bytes);
        if (position == 0) {
            assertThat(failure(decoded).reason()).isEqualTo("NOT_WIRE_FORMAT");
        } else if (position < WireFormat.HEADER_SIZE) {
            // only one schema is registered in this scope, so any other id is unknown
            assertThat(failure(decoded).reason()).isEqualTo("UNKNOWN_SCHEMA_ID");
        } else {
            assertBodyOutcome(decoded);
        }
    }

    @Property(tries = 2000)
    void corruptedBodyOfTheReadersOwnSchemaIsNeverIncompatibleSchema(
            @ForAll("contactPoints") ContactPoint record,
            @ForAll @IntRange(min = 0, max = 100_000) int at,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] bytes = serde.encode(TOPIC, record);
        int position = WireFormat.HEADER_SIZE + at % (bytes.length - WireFormat.HEADER_SIZE);
        bytes[position] ^= (byte) xor;

        Decoded<ContactPoint> decoded = deserialize(bytes);

        if (decoded instanceof Decoded.Failed<ContactPoint> failed) {
            assertThat(failed.reason()).isEqualTo("MALFORMED_AVRO");
        }
    }

    @Property(tries = 2000)
    void validRecordsDecodeOkWithTheirRawBytes(@ForAll("contactPoints") ContactPoint record) {
        byte[] bytes = serde.encode(TOPIC, record);

        Decoded<ContactPoint> decoded = deserialize(bytes);

        assertThat(decoded).isInstanceOf(Decoded.Ok.class);
        Decoded.Ok<ContactPoint> ok = (Decoded.Ok<ContactPoint>) decoded;
        assertThat(ok.value()).isEqualTo(record);
        assertThat(ok.raw()).isSameAs(bytes);
    }

    @Example
    void nullIsNull() {
        assertThat(deserializer.deserialize(TOPIC, null)).isNull();
    }

    @Example
    void failedKeepsTheExactBytes() {
        byte[] bytes = {0, 0, 0, 0, (byte) schemaId, 0x7f, 0x7f};
        byte[] copy = bytes.clone();

        Decoded<ContactPoint> decoded = deserializer.deserialize(TOPIC, bytes);

        Decoded.Failed<ContactPoint> failed = failure(decoded);
        assertThat(failed.raw()).isSameAs(bytes).containsExactly(copy);
        assertThat(failed.reason()).isEqualTo("MALFORMED_AVRO");
        assertThat(failed.errorClass()).isNotBlank();
    }

    // --- checks -----------------------------------------------------------------------------------------------

    private static void assertWellFormed(Decoded<ContactPoint> decoded, byte[] input) {
        assertThat(decoded).isNotNull();
        assertThat(decoded.raw()).isSameAs(input);
        if (decoded instanceof Decoded.Failed<ContactPoint> failed) {
            assertThat(failed.reason()).isIn(KINDS);
            assertThat(failed.detail()).isNotBlank();
            assertThat(failed.errorClass()).isNotBlank();
        } else {
            assertThat(decoded).isInstanceOf(Decoded.Ok.class);
            assertThat(((Decoded.Ok<ContactPoint>) decoded).value()).isNotNull();
        }
    }

    /** A body under the right id either decodes to a re-encodable record or is rejected as not readable Avro. */
    private void assertBodyOutcome(Decoded<ContactPoint> decoded) {
        if (decoded instanceof Decoded.Ok<ContactPoint> ok) {
            ContactPoint value = ok.value();
            assertThat(serde.decode(serde.encode(TOPIC, value))).isEqualTo(value);
        } else {
            assertThat(failure(decoded).reason()).isEqualTo("MALFORMED_AVRO");
        }
    }

    private static Decoded.Failed<ContactPoint> failure(Decoded<ContactPoint> decoded) {
        assertThat(decoded).isInstanceOf(Decoded.Failed.class);
        return (Decoded.Failed<ContactPoint>) decoded;
    }

    private byte[] framed(byte[] body) {
        byte[] bytes = new byte[WireFormat.HEADER_SIZE + body.length];
        ByteBuffer.wrap(bytes, 1, 4).putInt(schemaId);
        System.arraycopy(body, 0, bytes, WireFormat.HEADER_SIZE, body.length);
        return bytes;
    }

    private record Outcome(Decoded<ContactPoint> decoded, Throwable thrown, long nanos, long allocated) {
    }

    /** Deserializes on the worker thread, failing on any throwable, a hang, slowness or a giant allocation. */
    private Decoded<ContactPoint> deserialize(byte[] bytes) {
        assertThat(Duration.ofNanos(System.nanoTime() - propertyStart))
                .as("property exceeded its overall budget").isLessThan(PER_PROPERTY_BUDGET);
        String hex = HexFormat.of().formatHex(bytes);
        Future<Outcome> future = worker.submit(() -> {
            long allocatedBefore = allocatedBytes();
            long start = System.nanoTime();
            try {
                Decoded<ContactPoint> decoded = deserializer.deserialize(TOPIC, bytes);
                return new Outcome(decoded, null, System.nanoTime() - start, allocatedBytes() - allocatedBefore);
            } catch (Throwable t) { // OutOfMemoryError included: that is exactly what we are looking for
                return new Outcome(null, t, System.nanoTime() - start, allocatedBytes() - allocatedBefore);
            }
        });
        Outcome outcome;
        try {
            outcome = future.get(PER_DECODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            worker.shutdownNow();
            worker = newWorker();
            return fail("deserialize did not return within " + PER_DECODE_TIMEOUT + " for " + hex);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted", e);
        } catch (ExecutionException e) {
            return fail("worker failed", e);
        }
        if (outcome.thrown() != null) {
            fail("deserialize threw " + outcome.thrown() + " for " + hex, outcome.thrown());
        }
        assertThat(Duration.ofNanos(outcome.nanos())).as("decode time for %s", hex).isLessThan(PER_DECODE_LIMIT);
        assertThat(outcome.allocated()).as("bytes allocated decoding %s", hex).isLessThan(MAX_ALLOCATION_PER_DECODE);
        return outcome.decoded();
    }

    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled()) {
            return bean.getCurrentThreadAllocatedBytes();
        }
        return 0;
    }

    // --- generators -------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<byte[]> anyBytes() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
        Arbitrary<byte[]> small = Arbitraries.bytes().array(byte[].class).ofMaxSize(12);
        // magic byte 0 and a random or small id, so that the header checks see both outcomes
        Arbitrary<byte[]> zeroMagic = Combinators.combine(
                        Arbitraries.oneOf(Arbitraries.integers(), Arbitraries.integers().between(-2, 8)),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
                .as((id, tail) -> {
                    byte[] bytes = new byte[WireFormat.HEADER_SIZE + tail.length];
                    ByteBuffer.wrap(bytes, 1, 4).putInt(id);
                    System.arraycopy(tail, 0, bytes, WireFormat.HEADER_SIZE, tail.length);
                    return bytes;
                });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, random), net.jqwik.api.Tuple.of(3, small), net.jqwik.api.Tuple.of(3, zeroMagic));
    }

    @Provide
    Arbitrary<byte[]> randomBodies() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(4096 - WireFormat.HEADER_SIZE),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(32));
    }

    /**
     * Bodies made of zig-zag varints, biased to the values that ask for the most memory (string and bytes lengths,
     * array and map block counts, negative block counts with a byte size), mixed with short random runs.
     */
    @Provide
    Arbitrary<byte[]> hostileBodies() {
        Arbitrary<Long> huge = Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, (long) Integer.MAX_VALUE,
                (long) Integer.MIN_VALUE, Integer.MAX_VALUE - 8L, Integer.MAX_VALUE + 1L, 1L << 40, -(1L << 40),
                1L << 30, -(1L << 30), 1L << 24, 100_000_000L, -100_000_000L, 65_536L, -1L);
        Arbitrary<byte[]> varint = Arbitraries.oneOf(huge, Arbitraries.longs(), Arbitraries.longs().between(-8, 8))
                .map(SafeAvroDeserializerProperties::zigZagVarint);
        Arbitrary<byte[]> run = Arbitraries.bytes().array(byte[].class).ofMaxSize(16);
        Arbitrary<byte[]> overlong = Arbitraries.integers().between(1, 12).map(n -> {
            byte[] bytes = new byte[n];
            Arrays.fill(bytes, (byte) 0xff);
            return bytes;
        });
        Arbitrary<byte[]> chunk = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, varint), net.jqwik.api.Tuple.of(2, run), net.jqwik.api.Tuple.of(1, overlong));
        return chunk.list().ofMaxSize(40).map(chunks -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            chunks.forEach(out::writeBytes);
            byte[] body = out.toByteArray();
            return body.length > 4096 ? Arrays.copyOf(body, 4096) : body;
        });
    }

    @Provide
    Arbitrary<ContactPoint> contactPoints() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(24);
        return Builders.withBuilder(ContactPoint::newBuilder)
                .use(text).in((b, s) -> b.setUserId(s))
                .use(Arbitraries.of(IdentifierType.class)).in((b, t) -> b.setIdentifierType(t))
                .use(text).in((b, s) -> b.setValue(s))
                .use(text.list().ofMaxSize(5)).in((b, l) -> b.setDeclaredPurposes(l))
                .use(text).in((b, s) -> b.setSourceSystem(s))
                .use(Arbitraries.longs()).in((b, ms) -> b.setEventTime(Instant.ofEpochMilli(ms)))
                .use(Arbitraries.maps(text, text).ofMaxSize(4)).in((b, m) -> b.setAttributes(m))
                .build(ContactPoint.Builder::build)
                // strings with unpaired surrogates are not valid UTF-8: keep only records that survive a round trip
                .filter(cp -> List.of(cp.getUserId(), cp.getValue(), cp.getSourceSystem()).stream()
                        .allMatch(SafeAvroDeserializerProperties::validUtf16)
                        && cp.getDeclaredPurposes().stream().allMatch(SafeAvroDeserializerProperties::validUtf16)
                        && cp.getAttributes().entrySet().stream()
                                .allMatch(e -> validUtf16(e.getKey()) && validUtf16(e.getValue())));
    }

    private static boolean validUtf16(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] zigZagVarint(long value) {
        long n = (value << 1) ^ (value >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream(10);
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
        return out.toByteArray();
    }
}
