package org.purposefirewall.identity;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Synthetic identifiers planted as security registrations of a synthetic user: no real person owns them, so one
 * that reaches a guarded topic proves that security data is flowing toward the ad side, whoever's record carries it.
 * They are matched in every record of every user, in every hash form and spelling, and only their labels are ever logged.
 *
 * <p>Immutable and thread-safe.
 */
public final class Honeytokens {

    private static final Honeytokens NONE = new Honeytokens(Map.of(), 0);

    private final Map<MatchKeys.Key, String> labelByKey;
    private final int size;

    /**
     * One honeytoken.
     *
     * @param label a name safe to log and alert on (never the value)
     * @param kind the kind of identifier
     * @param value the identifier, raw or as a digest
     */
    public record Token(String label, IdentifierKind kind, String value) {
        public Token {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(value, "value");
        }
    }

    private Honeytokens(Map<MatchKeys.Key, String> labelByKey, int size) {
        this.labelByKey = labelByKey;
        this.size = size;
    }

    public static Honeytokens none() {
        return NONE;
    }

    /**
     * Normalizes {@code tokens} with {@code normalizer}, so they are keyed exactly as the records they will meet.
     *
     * @throws IllegalArgumentException naming the token (by index and label, never by value) that is blank, does not
     *     normalize, or repeats a label
     */
    public static Honeytokens of(List<Token> tokens, IdentifierNormalizer.Configured normalizer) {
        Map<MatchKeys.Key, String> byKey = new HashMap<>();
        Map<String, Integer> labels = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            String where = "honeytokens[" + i + "]";
            if (token.label().isBlank()) {
                throw new IllegalArgumentException(where + ": label must not be blank");
            }
            Integer earlier = labels.put(token.label(), i);
            if (earlier != null) {
                throw new IllegalArgumentException(where + ": label '" + token.label() + "' is also used by honeytokens["
                        + earlier + "]");
            }
            Normalization result = normalizer.normalize(token.kind(), token.value());
            if (result instanceof Normalization.Invalid invalid) {
                throw new IllegalArgumentException(where + " ('" + token.label() + "'): the value is not a valid "
                        + token.kind() + ": " + invalid.detail());
            }
            for (MatchKeys.Key key : ((Normalization.Ok) result).keys().all()) {
                byKey.put(key, token.label());
            }
        }
        return new Honeytokens(Map.copyOf(byKey), tokens.size());
    }

    /** The label of the honeytoken {@code identifier} is, in any of its forms, or null. */
    public String labelOf(Normalization.Ok identifier) {
        if (size == 0) {
            return null;
        }
        for (MatchKeys.Key key : identifier.keys().all()) {
            String label = labelByKey.get(key);
            if (label != null) {
                return label;
            }
        }
        return null;
    }

    /** Number of honeytokens. */
    public int size() {
        return size;
    }
}
