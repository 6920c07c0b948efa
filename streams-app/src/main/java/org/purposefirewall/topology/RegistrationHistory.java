package org.purposefirewall.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.purposefirewall.policy.ActiveRegistration;
import org.purposefirewall.policy.Purpose;

/**
 * The collection events of one identifier of one user, ordered by event time, so that "which purposes was it
 * collected for at time t" has one answer whatever order the events arrived in.
 *
 * <p>Immutable. Stored per {@code (user id, match key)} in {@link Names#REGISTRATION_STORE}.
 */
record RegistrationHistory(List<Event> events) {

    private static final byte FORMAT_VERSION = 1;

    /** Events ordered by time; at equal times a registration sorts after a withdrawal, so it wins (fail closed). */
    private static final Comparator<Event> ORDER = Comparator.comparingLong(Event::eventTime)
            .thenComparing(Event::registered)
            .thenComparing(Event::purpose)
            .thenComparing(Event::sourceSystem);

    RegistrationHistory {
        events = List.copyOf(events);
    }

    static RegistrationHistory empty() {
        return new RegistrationHistory(List.of());
    }

    /** This history with {@code event} added; an exact duplicate (a redelivered event) changes nothing. */
    RegistrationHistory with(Event event) {
        if (events.contains(event)) {
            return this;
        }
        List<Event> next = new ArrayList<>(events.size() + 1);
        next.addAll(events);
        next.add(event);
        next.sort(ORDER);
        return new RegistrationHistory(next);
    }

    /** Registrations in force at {@code time}: for each purpose, its latest event at or before {@code time}. */
    List<ActiveRegistration> activeAt(long time) {
        Map<String, Event> latest = new HashMap<>();
        for (Event event : events) {
            if (event.eventTime() > time) {
                break;
            }
            latest.put(event.purpose(), event);
        }
        List<ActiveRegistration> active = new ArrayList<>();
        for (Event event : latest.values()) {
            if (event.registered()) {
                active.add(new ActiveRegistration(new Purpose(event.purpose()), event.sourceSystem(),
                        event.eventTime()));
            }
        }
        active.sort(Comparator.comparing(r -> r.purpose().value()));
        return active;
    }

    /** The first registration (not withdrawal) after {@code time} whose purpose {@code restricted} accepts, or null. */
    Event firstRegistrationAfter(long time, Predicate<String> restricted) {
        for (Event event : events) {
            if (event.eventTime() > time && event.registered() && restricted.test(event.purpose())) {
                return event;
            }
        }
        return null;
    }

    /**
     * One collection event.
     *
     * @param purpose the normalized purpose
     * @param registered true for a registration, false for a withdrawal
     * @param eventTime when it happened
     * @param sourceSystem who reported it (at most 256 characters)
     */
    record Event(String purpose, boolean registered, long eventTime, String sourceSystem) {
        Event {
            Objects.requireNonNull(purpose, "purpose");
            Objects.requireNonNull(sourceSystem, "sourceSystem");
        }
    }

    /** The store serde: a versioned compact binary form. */
    static Serde<RegistrationHistory> serde() {
        return Serdes.serdeFrom(
                (topic, history) -> history == null ? null : write(history),
                (topic, bytes) -> bytes == null ? null : read(bytes));
    }

    private static byte[] write(RegistrationHistory history) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + history.events.size() * 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeInt(history.events.size());
            for (Event e : history.events) {
                out.writeLong(e.eventTime());
                out.writeBoolean(e.registered());
                out.writeUTF(e.purpose());
                out.writeUTF(e.sourceSystem());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static RegistrationHistory read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalStateException("registration store value has format version " + version
                        + "; this release reads version " + FORMAT_VERSION);
            }
            int count = in.readInt();
            List<Event> events = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                long time = in.readLong();
                boolean registered = in.readBoolean();
                events.add(new Event(in.readUTF(), registered, time, in.readUTF()));
            }
            return new RegistrationHistory(events);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
