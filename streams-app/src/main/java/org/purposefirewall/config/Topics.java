package org.purposefirewall.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.purposefirewall.config.def.ConfigDef;
import org.purposefirewall.config.def.ConfigDef.Default;
import org.purposefirewall.config.def.ConfigDef.Key;
import org.purposefirewall.config.def.ConfigDef.Type;
import org.purposefirewall.config.def.ConfigValues;

/**
 * Topic names: the {@code topics:} section, each key declared once below ({@link #DEF}). A null component takes
 * its key's default. Inputs must be co-partitioned by user id (same partition count, keys = user ids, default
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
 * @param shadowDecisions output of shadow mode: where the candidate policy disagreed with the enforcing one (written
 *     only when {@code shadow-policy-file} is set)
 */
public record Topics(String contactPoints,
                     String consent,
                     String registrations,
                     String audience,
                     String quarantine,
                     String suppressed,
                     String deadLetter,
                     String recalls,
                     List<String> guarded,
                     String shadowDecisions) {

    /** The keys of {@code topics:}. */
    public static final ConfigDef DEF = new ConfigDef("topics");

    public static final Key<String> CONTACT_POINTS = DEF.define("contact-points", Type.STRING,
            Default.of("user.contact-points"), "Input: identifiers on their way to ad matching.");
    public static final Key<String> CONSENT = DEF.define("consent", Type.STRING, Default.of("privacy.consent"),
            "Input, compacted: consent state per user.");
    public static final Key<String> REGISTRATIONS = DEF.define("registrations", Type.STRING,
            Default.of("privacy.purpose-registrations"), "Input: collection events per user and identifier.");
    public static final Key<String> AUDIENCE = DEF.define("audience", Type.STRING,
            Default.of("ads.audience-identifiers"), "Output: forwarded, minimized identifiers.");
    public static final Key<String> QUARANTINE = DEF.define("quarantine", Type.STRING,
            Default.of("privacy.quarantine"), "Output: security identifiers stopped.");
    public static final Key<String> SUPPRESSED = DEF.define("suppressed", Type.STRING,
            Default.of("privacy.suppressed"), "Output: decisions not to forward, with reasons.");
    public static final Key<String> DEAD_LETTER = DEF.define("dead-letter", Type.STRING,
            Default.of("privacy.dead-letter"), "Output: bad input, whole, with reasons.");
    public static final Key<String> RECALLS = DEF.define("recalls", Type.STRING,
            Default.of("ads.audience-recalls"), "Output: recalls of forwarded identifiers.");
    public static final Key<List<String>> GUARDED = DEF.define("guarded", Type.LIST, Default.of(List.of()),
            "Further inputs in any Avro schema, decided by their \"pii\" fields and tripwire-checked.");
    public static final Key<String> SHADOW_DECISIONS = DEF.define("shadow-decisions", Type.STRING,
            Default.of("privacy.shadow-decisions"), "Output of shadow mode: the candidate policy's disagreements.");

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public Topics {
        contactPoints = orDefault(contactPoints, CONTACT_POINTS);
        consent = orDefault(consent, CONSENT);
        registrations = orDefault(registrations, REGISTRATIONS);
        audience = orDefault(audience, AUDIENCE);
        quarantine = orDefault(quarantine, QUARANTINE);
        suppressed = orDefault(suppressed, SUPPRESSED);
        deadLetter = orDefault(deadLetter, DEAD_LETTER);
        recalls = orDefault(recalls, RECALLS);
        shadowDecisions = orDefault(shadowDecisions, SHADOW_DECISIONS);
        // Not List.copyOf: a null element must reach the check below, which names its index.
        guarded = java.util.Collections.unmodifiableList(new ArrayList<>(orDefault(guarded, GUARDED)));
        Map<String, String> byName = new LinkedHashMap<>();
        Map<String, String> all = new LinkedHashMap<>(Map.of("contact-points", contactPoints, "consent", consent,
                "registrations", registrations, "audience", audience, "quarantine", quarantine,
                "suppressed", suppressed, "dead-letter", deadLetter, "recalls", recalls,
                "shadow-decisions", shadowDecisions));
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
        return new Topics(null, null, null, null, null, null, null, null, null, null);
    }

    /** These topics, shadow decisions under their default name. */
    public Topics(String contactPoints, String consent, String registrations, String audience, String quarantine,
                  String suppressed, String deadLetter, String recalls, List<String> guarded) {
        this(contactPoints, consent, registrations, audience, quarantine, suppressed, deadLetter, recalls, guarded,
                null);
    }

    /** These topics without guarded ones. */
    public Topics(String contactPoints, String consent, String registrations, String audience, String quarantine,
                  String suppressed, String deadLetter) {
        this(contactPoints, consent, registrations, audience, quarantine, suppressed, deadLetter, null, null);
    }

    /** A copy guarding {@code topics} too. */
    public Topics withGuarded(List<String> topics) {
        return new Topics(contactPoints, consent, registrations, audience, quarantine, suppressed, deadLetter,
                recalls, topics, shadowDecisions);
    }

    /** A copy writing recalls to {@code topic}. */
    public Topics withRecalls(String topic) {
        return new Topics(contactPoints, consent, registrations, audience, quarantine, suppressed, deadLetter, topic,
                guarded, shadowDecisions);
    }

    /** A copy writing shadow decisions to {@code topic}. */
    public Topics withShadowDecisions(String topic) {
        return new Topics(contactPoints, consent, registrations, audience, quarantine, suppressed, deadLetter,
                recalls, guarded, topic);
    }

    /** Every input topic: contact points, consent, registrations, then the guarded ones. */
    public List<String> inputs() {
        List<String> inputs = new ArrayList<>(List.of(contactPoints, consent, registrations));
        inputs.addAll(guarded);
        return inputs;
    }

    /** The topics read from the section. */
    static Topics from(ConfigValues v) {
        return new Topics(v.get(CONTACT_POINTS), v.get(CONSENT), v.get(REGISTRATIONS), v.get(AUDIENCE),
                v.get(QUARANTINE), v.get(SUPPRESSED), v.get(DEAD_LETTER), v.get(RECALLS), v.get(GUARDED),
                v.get(SHADOW_DECISIONS));
    }

    private static <T> T orDefault(T value, Key<T> key) {
        return value == null ? key.defaultValue() : value;
    }
}
