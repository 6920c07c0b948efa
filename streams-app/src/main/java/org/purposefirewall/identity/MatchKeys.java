package org.purposefirewall.identity;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The keys one identifier is matched by: its digest in each {@link HashForm} that could be computed. A raw
 * identifier has a key in every enabled form; one that arrived already hashed has only the form it arrived in
 * (a digest cannot be turned into another digest).
 *
 * @param byForm lowercase hex digest per form; never empty
 * @param arrivedAs the form the identifier arrived in, or null if it arrived raw
 */
public record MatchKeys(Map<HashForm, String> byForm, HashForm arrivedAs) {

    public MatchKeys {
        Objects.requireNonNull(byForm, "byForm");
        if (byForm.isEmpty()) {
            throw new IllegalArgumentException("an identifier has at least one match key");
        }
        if (arrivedAs != null && (byForm.size() != 1 || !byForm.containsKey(arrivedAs))) {
            throw new IllegalArgumentException("a hashed identifier has exactly the key of its own form");
        }
        byForm = Collections.unmodifiableMap(new EnumMap<>(byForm));
    }

    /** The keys of the canonical form {@code canonical} in each of {@code forms}. */
    public static MatchKeys ofCanonical(String canonical, Set<HashForm> forms) {
        Map<HashForm, String> keys = new EnumMap<>(HashForm.class);
        for (HashForm form : forms) {
            keys.put(form, form.hex(canonical));
        }
        return new MatchKeys(keys, null);
    }

    /** The single key of an identifier that arrived as a digest. */
    public static MatchKeys ofDigest(HashForm form, String lowercaseHex) {
        return new MatchKeys(Map.of(form, lowercaseHex), form);
    }

    /** The key in {@code form}, or null if it is not known. */
    public String get(HashForm form) {
        return byForm.get(form);
    }

    /**
     * The form forwarded to the ad side: SHA-256 for a raw identifier (what ad platforms match on), the arrival form
     * for a hashed one.
     */
    public HashForm forwardForm() {
        return arrivedAs == null ? HashForm.SHA256 : arrivedAs;
    }

    /** The key forwarded to the ad side, in {@link #forwardForm()}. */
    public String forwardKey() {
        return byForm.get(forwardForm());
    }
}
