package org.purposefirewall.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Topic names. Inputs must be co-partitioned by user id (same partition count, keys = user ids, default
 * partitioner) so that the joins need no repartition.
 *
 * @param contactPoints input: identifiers on their way to ad matching
 * @param consent input, compacted: per-user consent state
 * @param registrations input: per-user identifier collection events
 * @param audience output: forwarded, minimized identifiers (the ad side)
 * @param quarantine output: identifiers stopped for a restricted purpose
 * @param suppressed output: decisions not to forward for lack of consent
 * @param deadLetter output: input that could not be read or decided
 * @param recalls output: identifiers forwarded earlier that the ad side must now delete
 * @param guarded further inputs on their way to the ad side, of any Avro schema (each record's writer schema comes
 *     from the registry): fields marked {@code "pii"} are decided as identifiers, and every string is
 *     tripwire-checked. Co-partitioned with the others; may be empty
 */
public record Topics(String contactPoints,
                     String consent,
                     String registrations,
                     String audience,
                     String quarantine,
                     String suppressed,
                     String deadLetter,
                     String recalls,
                     List<String> guarded) {

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public Topics {
        contactPoints = orDefault(contactPoints, "user.contact-points");
        consent = orDefault(consent, "privacy.consent");
        registrations = orDefault(registrations, "privacy.purpose-registrations");
        audience = orDefault(audience, "ads.audience-identifiers");
        quarantine = orDefault(quarantine, "privacy.quarantine");
        suppressed = orDefault(suppressed, "privacy.suppressed");
        deadLetter = orDefault(deadLetter, "privacy.dead-letter");
        recalls = orDefault(recalls, "ads.audience-recalls");
        guarded = List.copyOf(guarded == null ? List.of() : guarded);
        Map<String, String> byName = new LinkedHashMap<>();
        Map<String, String> all = new LinkedHashMap<>(Map.of("contact-points", contactPoints, "consent", consent,
                "registrations", registrations, "audience", audience, "quarantine", quarantine,
                "suppressed", suppressed, "dead-letter", deadLetter, "recalls", recalls));
        for (int i = 0; i < guarded.size(); i++) {
            if (guarded.get(i) == null) {
                throw new IllegalArgumentException("guarded[" + i + "]: a topic name is required");
            }
            all.put("guarded[" + i + "]", guarded.get(i));
        }
        for (Map.Entry<String, String> e : all.entrySet()) {
            if (!LEGAL.matcher(e.getValue()).matches() || e.getValue().equals(".") || e.getValue().equals("..")) {
                throw new IllegalArgumentException(e.getKey() + ": '" + e.getValue()
                        + "' is not a legal Kafka topic name ([a-zA-Z0-9._-], at most 249 characters)");
            }
            String clash = byName.put(e.getValue(), e.getKey());
            if (clash != null) {
                throw new IllegalArgumentException(e.getKey() + ": topic '" + e.getValue() + "' is also used for "
                        + clash + "; every topic must be distinct");
            }
        }
    }

    /** The defaults: the topic names in the README. */
    public static Topics defaults() {
        return new Topics(null, null, null, null, null, null, null, null, null);
    }

    /** These topics without guarded ones. */
    public Topics(String contactPoints, String consent, String registrations, String audience, String quarantine,
                  String suppressed, String deadLetter) {
        this(contactPoints, consent, registrations, audience, quarantine, suppressed, deadLetter, null, null);
    }

    /** A copy guarding {@code topics} too. */
    public Topics withGuarded(List<String> topics) {
        return new Topics(contactPoints, consent, registrations, audience, quarantine, suppressed, deadLetter,
                recalls, topics);
    }

    /** A copy writing recalls to {@code topic}. */
    public Topics withRecalls(String topic) {
        return new Topics(contactPoints, consent, registrations, audience, quarantine, suppressed, deadLetter, topic,
                guarded);
    }

    /** Every input topic: contact points, consent, registrations, then the guarded ones. */
    public List<String> inputs() {
        List<String> inputs = new ArrayList<>(List.of(contactPoints, consent, registrations));
        inputs.addAll(guarded);
        return inputs;
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
