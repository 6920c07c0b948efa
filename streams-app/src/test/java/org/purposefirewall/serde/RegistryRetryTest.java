package org.purposefirewall.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.registry.RegistryUnavailableException;
import org.purposefirewall.registry.SchemaNotFoundException;
import org.purposefirewall.registry.SchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryException;
import org.purposefirewall.registry.SubjectNotFoundException;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;

/**
 * A registry outage holds a call up to {@code maxBlock} and never turns a record into a dead letter; a registry
 * answer (even a "not found") is final and is not retried.
 */
@Timeout(60)
class RegistryRetryTest {

    private static final String TOPIC = "user.contact-points";
    private static final int SCHEMA_ID = 31;

    private static RegistryUnavailableException outage() {
        return new RegistryUnavailableException("no schema registry answered (stand-in)",
                new ConnectException("Connection refused"));
    }

    /** Generous overall bound, short waits: retries are quick but never run out in these tests. */
    private static RegistryRetry quickRetries(RegistryHealth health) {
        return new RegistryRetry(Duration.ofSeconds(30), Duration.ofMillis(1), Duration.ofMillis(10), health);
    }

    /** Throws an outage {@code failures} times, then answers {@code value}; counts calls. */
    private static final class Flaky<T> implements Supplier<T> {
        final AtomicInteger calls = new AtomicInteger();
        final int failures;
        final T value;

        Flaky(int failures, T value) {
            this.failures = failures;
            this.value = value;
        }

        @Override
        public T get() {
            if (calls.incrementAndGet() <= failures) {
                throw outage();
            }
            return value;
        }
    }

    // --- RegistryRetry.call -------------------------------------------------------------------------------------

    @Test
    void anOutageThatEndsIsRetriedUntilTheAnswer() {
        RegistryHealth health = new RegistryHealth();
        RegistryRetry retry = quickRetries(health);
        int failures = 3;
        List<Boolean> availableWhileRetrying = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();

        String result = retry.call(() -> {
            int call = calls.incrementAndGet();
            if (call > 1) {
                availableWhileRetrying.add(health.isAvailable());
            }
            if (call <= failures) {
                throw outage();
            }
            return "answer";
        });

        assertThat(result).isEqualTo("answer");
        assertThat(calls).hasValue(failures + 1);
        assertThat(health.getRetriesTotal()).isEqualTo(failures);
        assertThat(health.getUnavailableTotal()).isEqualTo(failures);
        assertThat(availableWhileRetrying).as("unavailable during the outage").containsOnly(false).hasSize(failures);
        assertThat(health.isAvailable()).as("available again after the answer").isTrue();
    }

    @Test
    void aCallThatSucceedsAtOnceCountsNothing() {
        RegistryHealth health = new RegistryHealth();

        assertThat(quickRetries(health).call(() -> 5)).isEqualTo(5);

        assertThat(health.getRetriesTotal()).isZero();
        assertThat(health.getUnavailableTotal()).isZero();
        assertThat(health.isAvailable()).isTrue();
    }

    @Test
    void anOutageThatOutlastsMaxBlockPropagatesAfterAboutMaxBlock() {
        RegistryHealth health = new RegistryHealth();
        RegistryRetry retry = RegistryRetry.upTo(Duration.ofMillis(300), health);
        Flaky<String> down = new Flaky<>(Integer.MAX_VALUE, "never");

        long start = System.nanoTime();
        Throwable thrown = catchThrowable(() -> retry.call(down));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(thrown).isInstanceOf(RegistryUnavailableException.class);
        // a bound on a wait, not a performance assertion: it waited out maxBlock, and did not hang
        assertThat(elapsedMs).isGreaterThanOrEqualTo(250).isLessThan(5_000);
        assertThat(down.calls.get()).isGreaterThan(1);
        assertThat(health.getRetriesTotal()).isEqualTo(down.calls.get() - 1L);
        assertThat(health.getUnavailableTotal()).isEqualTo(down.calls.get());
        assertThat(health.isAvailable()).isFalse();
    }

    @Test
    void aRegistryAnswerOrARecordFaultIsNotRetried() {
        List<RuntimeException> answers = List.of(
                new SchemaNotFoundException("schema 9 not found"),
                new SubjectNotFoundException("subject s-value not found"),
                new SchemaRegistryException(401, "unauthorized"),
                new SerdeException(SerdeException.Kind.MALFORMED_AVRO, "not valid Avro"),
                new IllegalStateException("a bug"));

        for (RuntimeException answer : answers) {
            RegistryHealth health = new RegistryHealth();
            RegistryRetry retry = quickRetries(health);
            AtomicInteger calls = new AtomicInteger();

            Throwable thrown = catchThrowable(() -> retry.call(() -> {
                calls.incrementAndGet();
                throw answer;
            }));

            assertThat(thrown).as(answer.getClass().getSimpleName()).isSameAs(answer);
            assertThat(calls).as(answer.getClass().getSimpleName()).hasValue(1);
            assertThat(health.getRetriesTotal()).isZero();
            assertThat(health.getUnavailableTotal()).isZero();
        }
    }

    @Test
    void noneDoesNotRetry() {
        Flaky<String> down = new Flaky<>(1, "second time lucky");

        Throwable thrown = catchThrowable(() -> RegistryRetry.none().call(down));

        assertThat(thrown).isInstanceOf(RegistryUnavailableException.class);
        assertThat(down.calls).hasValue(1);
    }

    @Test
    void anInterruptedThreadStopsWaitingAndKeepsItsInterrupt() {
        RegistryHealth health = new RegistryHealth();
        RegistryRetry retry = new RegistryRetry(Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(10), health);
        Flaky<String> down = new Flaky<>(Integer.MAX_VALUE, "never");

        Thread.currentThread().interrupt();
        long start = System.nanoTime();
        Throwable thrown;
        boolean stillInterrupted;
        try {
            thrown = catchThrowable(() -> retry.call(down));
        } finally {
            stillInterrupted = Thread.interrupted();
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(thrown).isInstanceOf(RegistryUnavailableException.class);
        assertThat(stillInterrupted).isTrue();
        assertThat(down.calls).hasValue(1);
        assertThat(elapsedMs).isLessThan(5_000);
    }

    // --- SafeAvroDeserializer: an outage is never the record's fault -------------------------------------------

    /** A registry whose schemaById fails with an outage the first {@code outages} times, then answers. */
    private static final class FlakyRegistry implements SchemaRegistryClient {
        final AtomicInteger schemaByIdCalls = new AtomicInteger();
        final int outages;

        FlakyRegistry(int outages) {
            this.outages = outages;
        }

        @Override
        public int register(String subject, Schema schema) {
            return SCHEMA_ID;
        }

        @Override
        public int idOf(String subject, Schema schema) {
            return SCHEMA_ID;
        }

        @Override
        public Schema schemaById(int id) {
            if (schemaByIdCalls.incrementAndGet() <= outages) {
                throw outage();
            }
            if (id != SCHEMA_ID) {
                throw new SchemaNotFoundException("schema " + id + " not found");
            }
            return ContactPoint.getClassSchema();
        }

        @Override
        public RegisteredSchema latest(String subject) {
            return new RegisteredSchema(subject, 1, SCHEMA_ID, ContactPoint.getClassSchema());
        }

        @Override
        public boolean isCompatibleWithLatest(String subject, Schema schema) {
            return true;
        }

        @Override
        public void close() {
            // nothing held
        }
    }

    private static ContactPoint contactPoint() {
        return ContactPoint.newBuilder()
                .setUserId("user-42")
                .setIdentifierType(IdentifierType.EMAIL)
                .setValue("alice@example.com")
                .setDeclaredPurposes(List.of("analytics"))
                .setSourceSystem("crm")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setAttributes(Map.of("k", "v"))
                .build();
    }

    /** The record in the wire format under {@link #SCHEMA_ID}, written without asking the registry for a schema. */
    private static byte[] framed(ContactPoint value) {
        FlakyRegistry writerSide = new FlakyRegistry(0);
        byte[] bytes = new AvroSerde<>(ContactPoint.class, writerSide, true, false).encode(TOPIC, value);
        assertThat(WireFormat.schemaId(bytes)).isEqualTo(SCHEMA_ID);
        assertThat(writerSide.schemaByIdCalls).hasValue(0);
        return bytes;
    }

    @Test
    void aRecordReadDuringAShortOutageIsDecodedNotDeadLettered() {
        FlakyRegistry registry = new FlakyRegistry(2);
        RegistryHealth health = new RegistryHealth();
        SafeAvroDeserializer<ContactPoint> deserializer = new SafeAvroDeserializer<>(
                new AvroSerde<>(ContactPoint.class, registry, true, false), quickRetries(health));
        byte[] bytes = framed(contactPoint());

        Decoded<ContactPoint> decoded = deserializer.deserialize(TOPIC, bytes);

        assertThat(decoded).isInstanceOf(Decoded.Ok.class);
        Decoded.Ok<ContactPoint> ok = (Decoded.Ok<ContactPoint>) decoded;
        assertThat(ok.value()).isEqualTo(contactPoint());
        assertThat(ok.raw()).isSameAs(bytes);
        assertThat(registry.schemaByIdCalls).hasValue(3);
        assertThat(health.getRetriesTotal()).isEqualTo(2);
        assertThat(health.isAvailable()).isTrue();

        // warm now: the next record needs no registry call
        assertThat(deserializer.deserialize(TOPIC, framed(contactPoint()))).isInstanceOf(Decoded.Ok.class);
        assertThat(registry.schemaByIdCalls).hasValue(3);
    }

    @Test
    void anOutageOutlastingTheRetryComesBackUnavailableNeverAsAFailedRecord() {
        FlakyRegistry registry = new FlakyRegistry(Integer.MAX_VALUE);
        RegistryHealth health = new RegistryHealth();
        SafeAvroDeserializer<ContactPoint> deserializer = new SafeAvroDeserializer<>(
                new AvroSerde<>(ContactPoint.class, registry, true, false),
                RegistryRetry.upTo(Duration.ofMillis(200), health));
        byte[] bytes = framed(contactPoint());

        Decoded<ContactPoint> decoded = deserializer.deserialize(TOPIC, bytes);

        assertThat(decoded).as("parked by the topology, not dead-lettered").isInstanceOf(Decoded.Unavailable.class);
        assertThat(decoded.raw()).isEqualTo(bytes);
        assertThat(registry.schemaByIdCalls.get()).isGreaterThan(1);
        assertThat(health.isAvailable()).isFalse();

        // The budget is per outage: once it is spent, the next record fails fast with one call.
        int callsBefore = registry.schemaByIdCalls.get();
        long start = System.nanoTime();
        assertThat(deserializer.deserialize(TOPIC, bytes)).isInstanceOf(Decoded.Unavailable.class);
        assertThat(registry.schemaByIdCalls.get()).isEqualTo(callsBefore + 1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(150));
    }

    @Test
    void withoutARetryPolicyAnOutageIsUnavailableAtOnce() {
        FlakyRegistry registry = new FlakyRegistry(1);
        SafeAvroDeserializer<ContactPoint> deserializer =
                new SafeAvroDeserializer<>(new AvroSerde<>(ContactPoint.class, registry, true, false));
        byte[] bytes = framed(contactPoint());

        Decoded<ContactPoint> decoded = deserializer.deserialize(TOPIC, bytes);

        assertThat(decoded).isInstanceOf(Decoded.Unavailable.class);
        assertThat(registry.schemaByIdCalls).hasValue(1);
        // the outage was not cached as a fault: once the registry answers, the same bytes decode
        assertThat(deserializer.deserialize(TOPIC, bytes)).isInstanceOf(Decoded.Ok.class);
    }

    @Test
    void anUnknownSchemaIdIsARecordFaultAndIsNotRetried() {
        FlakyRegistry registry = new FlakyRegistry(0);
        RegistryHealth health = new RegistryHealth();
        SafeAvroDeserializer<ContactPoint> deserializer = new SafeAvroDeserializer<>(
                new AvroSerde<>(ContactPoint.class, registry, true, false), quickRetries(health));
        byte[] bytes = framed(contactPoint());
        bytes[4] = (byte) (SCHEMA_ID + 1);

        Decoded<ContactPoint> decoded = deserializer.deserialize(TOPIC, bytes);

        assertThat(decoded).isInstanceOf(Decoded.Failed.class);
        assertThat(((Decoded.Failed<ContactPoint>) decoded).reason())
                .isEqualTo(SerdeException.Kind.UNKNOWN_SCHEMA_ID.name());
        assertThat(registry.schemaByIdCalls).hasValue(1);
        assertThat(health.getRetriesTotal()).isZero();
    }
}
