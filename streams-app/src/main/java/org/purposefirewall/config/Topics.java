package org.purposefirewall.config;

import java.util.LinkedHashMap;
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
 */
public record Topics(String contactPoints,
                     String consent,
                     String registrations,
                     String audience,
                     String quarantine,
                     String suppressed,
                     String deadLetter) {

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public Topics {
        contactPoints = orDefault(contactPoints, "user.contact-points");
        consent = orDefault(consent, "privacy.consent");
        registrations = orDefault(registrations, "privacy.purpose-registrations");
        audience = orDefault(audience, "ads.audience-identifiers");
        quarantine = orDefault(quarantine, "privacy.quarantine");
        suppressed = orDefault(suppressed, "privacy.suppressed");
        deadLetter = orDefault(deadLetter, "privacy.dead-letter");
        Map<String, String> byName = new LinkedHashMap<>();
        Map<String, String> all = Map.of("contact-points", contactPoints, "consent", consent,
                "registrations", registrations, "audience", audience, "quarantine", quarantine,
                "suppressed", suppressed, "dead-letter", deadLetter);
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
        return new Topics(null, null, null, null, null, null, null);
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
