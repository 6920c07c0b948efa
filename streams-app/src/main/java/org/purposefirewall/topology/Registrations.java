package org.purposefirewall.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.policy.ActiveRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the registration store for one identifier in all of its forms: a registration stored under any key the
 * identifier has (its SHA-256, SHA-1 or MD5, of any spelling an ad platform hashes it in) applies to it, so an
 * identifier that arrived raw meets a registration that arrived hashed, and the other way round whenever the keys
 * overlap.
 */
final class Registrations {

    private static final Logger LOG = LoggerFactory.getLogger(Registrations.class);
    /** The index's entry that says it covers every user of the registration store (no user id is blank). */
    static final String INDEX_COMPLETE = "";
    private static final byte[] PRESENT = {1};
    private static final Histories NONE = new Histories(List.of());

    private final KeyValueStore<Bytes, RegistrationHistory> store;
    private final KeyValueStore<String, byte[]> index;

    /**
     * @param index {@link Names#REGISTERED_USERS_STORE}: the users with at least one registration stored, so that a
     *     user without any (most users) costs one store read, not one per form and spelling of each identifier
     */
    Registrations(KeyValueStore<Bytes, RegistrationHistory> store, KeyValueStore<String, byte[]> index) {
        this.store = store;
        this.index = index;
    }

    /** Records that {@code userId} has a registration stored; call after storing it. */
    void indexUser(String userId) {
        if (index.get(userId) == null) {
            index.put(userId, PRESENT);
        }
    }

    /**
     * Makes the index cover every user of the registration store, if it does not say it does: after an upgrade from
     * a release without it, or a crash while it was built under at-least-once. Fail closed: until it is complete, a
     * user missing from it would have their registrations skipped, so the task does not process before this returns.
     */
    void ensureIndexed() {
        if (index.get(INDEX_COMPLETE) != null) {
            return;
        }
        long users = 0;
        String last = null;
        try (KeyValueIterator<Bytes, RegistrationHistory> it = store.all()) {
            while (it.hasNext()) {
                String user = IdentifierKeys.userId(it.next().key);
                if (!user.equals(last)) {
                    indexUser(user);
                    last = user;
                    users++;
                }
            }
        }
        index.put(INDEX_COMPLETE, PRESENT);
        LOG.atInfo().addKeyValue("users", users).log("registered-users index built from the registration store");
    }

    /**
     * The registration histories of {@code userId}'s identifier, one per key it has that is registered, read once so
     * that the decision and the recall check after a forward share them.
     */
    Histories of(String userId, MatchKeys keys) {
        if (index.get(userId) == null) {
            return NONE;
        }
        List<RegistrationHistory> histories = new ArrayList<>(2);
        for (MatchKeys.Key key : keys.all()) {
            RegistrationHistory history = store.get(IdentifierKeys.key(userId, key.form(), key.hex()));
            if (history != null) {
                histories.add(history);
            }
        }
        return new Histories(histories);
    }

    /** The registrations of {@code userId}'s identifier in force at {@code time}, from every form; in key order. */
    List<ActiveRegistration> activeAt(String userId, MatchKeys keys, long time) {
        return of(userId, keys).activeAt(time);
    }

    /** One identifier's registration histories, in every form it was found in. */
    record Histories(List<RegistrationHistory> forms) {

        /** The registrations in force at {@code time}, each once; in key order. */
        List<ActiveRegistration> activeAt(long time) {
            List<ActiveRegistration> active = null;
            for (RegistrationHistory history : forms) {
                for (ActiveRegistration registration : history.activeAt(time)) {
                    if (active == null) {
                        active = new ArrayList<>(2);
                    }
                    if (!active.contains(registration)) {
                        active.add(registration);
                    }
                }
            }
            return active == null ? List.of() : active;
        }

        /**
         * The earliest registration after {@code time} for a purpose {@code restricted} accepts (withdrawn since or
         * not), or null.
         */
        RegistrationHistory.Event firstRegistrationAfter(long time, Predicate<String> restricted) {
            RegistrationHistory.Event first = null;
            for (RegistrationHistory history : forms) {
                RegistrationHistory.Event event = history.firstRegistrationAfter(time, restricted);
                if (event != null && (first == null || event.eventTime() < first.eventTime())) {
                    first = event;
                }
            }
            return first;
        }
    }
}
