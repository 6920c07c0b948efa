package org.purposefirewall.replay;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which data records a replay re-decides. Side records (consent, registrations) are always read from the beginning
 * of their topics, since any of them may decide a record in scope; only those with an event time before
 * {@code to} are applied, since no later one can change a decision in scope.
 *
 * @param from data records with an event time at or after it (null: no lower bound)
 * @param to data records with an event time before it (null: no upper bound)
 * @param offsets if not empty, only data records in one of these ranges
 * @param users if not empty, only these users' records, data and side
 */
public record Scope(Instant from, Instant to, List<OffsetRange> offsets, Set<String> users) {

    public Scope {
        offsets = List.copyOf(Objects.requireNonNull(offsets, "offsets"));
        users = Set.copyOf(Objects.requireNonNull(users, "users"));
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("--from must be before --to");
        }
    }

    /** Everything. */
    public static Scope all() {
        return new Scope(null, null, List.of(), Set.of());
    }

    /**
     * Offsets [from, to) of one partition of a data topic.
     *
     * @param to exclusive; {@link Long#MAX_VALUE} for the partition's end
     */
    public record OffsetRange(String topic, int partition, long from, long to) {

        public OffsetRange {
            Objects.requireNonNull(topic, "topic");
            if (partition < 0 || from < 0 || to <= from) {
                throw new IllegalArgumentException("an offset range is TOPIC:PARTITION:FROM-TO with 0 <= FROM < TO");
            }
        }

        /** {@code TOPIC:PARTITION:FROM-TO} (TO exclusive), {@code TOPIC:PARTITION:FROM-} or {@code TOPIC:PARTITION:OFFSET}. */
        public static OffsetRange parse(String text) {
            int last = text.lastIndexOf(':');
            int first = last <= 0 ? -1 : text.lastIndexOf(':', last - 1);
            if (first <= 0) {
                throw new IllegalArgumentException("'" + text + "' is not TOPIC:PARTITION:FROM-TO");
            }
            try {
                int partition = Integer.parseInt(text.substring(first + 1, last));
                String offsets = text.substring(last + 1);
                int dash = offsets.indexOf('-');
                long from = Long.parseLong(dash < 0 ? offsets : offsets.substring(0, dash));
                long to = dash < 0 ? from + 1 : dash == offsets.length() - 1 ? Long.MAX_VALUE
                        : Long.parseLong(offsets.substring(dash + 1));
                return new OffsetRange(text.substring(0, first), partition, from, to);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not TOPIC:PARTITION:FROM-TO", e);
            }
        }

        boolean contains(String t, int p, long offset) {
            return partition == p && topic.equals(t) && offset >= from && offset < to;
        }
    }

    boolean hasUser(String user) {
        return users.isEmpty() || (user != null && users.contains(user));
    }

    boolean dataInScope(String topic, int partition, long offset, long eventTime, String user) {
        if (from != null && eventTime < from.toEpochMilli()) {
            return false;
        }
        if (to != null && eventTime >= to.toEpochMilli()) {
            return false;
        }
        if (!offsets.isEmpty() && offsets.stream().noneMatch(r -> r.contains(topic, partition, offset))) {
            return false;
        }
        return hasUser(user);
    }

    boolean sideInScope(long eventTime, String user) {
        return (to == null || eventTime < to.toEpochMilli()) && hasUser(user);
    }
}
