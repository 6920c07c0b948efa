package org.purposefirewall.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.policy.ActiveRegistration;

/**
 * Reads the registration store for one identifier in all of its forms: a registration stored under any key the
 * identifier has (its SHA-256, SHA-1 or MD5) applies to it, so an identifier that arrived raw meets a registration
 * that arrived hashed, and the other way round whenever the forms overlap.
 */
final class Registrations {

    private final KeyValueStore<Bytes, RegistrationHistory> store;

    Registrations(KeyValueStore<Bytes, RegistrationHistory> store) {
        this.store = store;
    }

    /**
     * The earliest registration of {@code userId}'s identifier, in any form, after {@code time} for a purpose
     * {@code restricted} accepts (withdrawn since or not), or null.
     */
    RegistrationHistory.Event firstRegistrationAfter(String userId, MatchKeys keys, long time,
                                                     java.util.function.Predicate<String> restricted) {
        RegistrationHistory.Event first = null;
        for (Map.Entry<HashForm, String> key : keys.byForm().entrySet()) {
            RegistrationHistory history = store.get(IdentifierKeys.key(userId, key.getKey(), key.getValue()));
            RegistrationHistory.Event event = history == null ? null : history.firstRegistrationAfter(time, restricted);
            if (event != null && (first == null || event.eventTime() < first.eventTime())) {
                first = event;
            }
        }
        return first;
    }

    /** The registrations of {@code userId}'s identifier in force at {@code time}, from every form; in key order. */
    List<ActiveRegistration> activeAt(String userId, MatchKeys keys, long time) {
        List<ActiveRegistration> active = null;
        for (Map.Entry<HashForm, String> key : keys.byForm().entrySet()) {
            RegistrationHistory history = store.get(IdentifierKeys.key(userId, key.getKey(), key.getValue()));
            if (history == null) {
                continue;
            }
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
}
