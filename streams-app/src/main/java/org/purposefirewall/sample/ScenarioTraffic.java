package org.purposefirewall.sample;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.utils.Utils;
import org.purposefirewall.config.Topics;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.Sha256;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * Deterministic traffic for {@code users} users: user {@code i}'s events depend only on {@code i}, so any range of
 * users can be generated independently (in parallel, or resumed) and counted exactly.
 *
 * <p>Per 20 users: 4 have a 2FA phone that also flows toward ads (quarantined, while their consented email is
 * forwarded), 2 a recovery email that flows toward ads in another spelling, as its SHA-256 or MD5, or hidden in a
 * free-text attribute of a record about another address (quarantined; the four variants rotate), 6 consent
 * to ads (forwarded), 3 never answered (suppressed), 1 denied, 1 opted out (suppressed), 1 consented with a
 * mobile ad id (forwarded), 1 consented but declared a security purpose on the record itself (quarantined) and 1
 * sends a malformed record (dead-lettered; five kinds in rotation).
 *
 * <p>Consent and registrations of a user take effect 5 ms of event time before the user's contact points, so a
 * firewall that respects event time gives exactly the expected outcomes.
 */
public final class ScenarioTraffic {

    /** Where a contact point must end up. */
    public enum Expected { FORWARD, QUARANTINE, SUPPRESS, DEAD_LETTER }

    /**
     * One record to produce.
     *
     * @param topic the topic
     * @param key the user id, or null for a record without a key
     * @param value wire-format bytes, or garbage on purpose
     * @param timestamp the Kafka timestamp (equal to the payload's event time)
     * @param expected for contact points, the outcome the default policy gives; null for consent and registrations
     */
    public record Event(String topic, String key, byte[] value, long timestamp, Expected expected) {
    }

    public static final String AD_GRANT = "marketing.advertising";
    public static final String SECURITY_2FA = "essential.service.security.authentication";
    public static final String SECURITY_RECOVERY = "essential.service.security.account_recovery";
    /** Source system of {@link #endOfTrafficMarkers}. */
    public static final String MARKER_SOURCE = "purpose-firewall-end-of-traffic";

    private final Topics topics;
    private final FirewallSerdes serdes;
    private final long startMs;

    public ScenarioTraffic(Topics topics, FirewallSerdes serdes, long startMs) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.serdes = Objects.requireNonNull(serdes, "serdes");
        this.startMs = startMs;
    }

    /** The user id of user {@code i}. */
    public static String userId(int i) {
        return "user-" + i;
    }

    /** All events of user {@code i}, in the order to produce them. */
    public List<Event> user(int i) {
        String user = userId(i);
        long t0 = startMs + i * 10L;
        long t1 = t0 + 5;
        List<Event> events = new ArrayList<>(4);
        switch (i % 20) {
            case 0, 1, 2, 3 -> {
                // The Twitter case: a phone given for 2FA, later fed to ad matching in another format.
                events.add(registration(user, IdentifierType.PHONE, phoneAsRegistered(i), SECURITY_2FA,
                        "two-factor-auth", t0));
                events.add(consent(user, granted(AD_GRANT), false, t0));
                events.add(contact(user, IdentifierType.PHONE, phoneAsSeenByAds(i), List.of(), t1,
                        Expected.QUARANTINE));
                events.add(contact(user, IdentifierType.EMAIL, email(i, "Work"), List.of(), t1, Expected.FORWARD));
            }
            case 4, 5 -> {
                events.add(registration(user, IdentifierType.EMAIL, " " + email(i, "Recovery") + " ",
                        SECURITY_RECOVERY, "account-recovery", t0));
                events.add(consent(user, granted(AD_GRANT), false, t0));
                String recovery = email(i, "recovery").toLowerCase(java.util.Locale.ROOT);
                switch ((i / 20) % 4) {
                    case 0 -> events.add(contact(user, IdentifierType.EMAIL, recovery, List.of(), t1,
                            Expected.QUARANTINE));
                    case 1 -> events.add(contact(user, IdentifierType.EMAIL, HashForm.SHA256.hex(recovery), List.of(),
                            t1, Expected.QUARANTINE));
                    case 2 -> events.add(contact(user, IdentifierType.EMAIL,
                            HashForm.MD5.hex(recovery).toUpperCase(java.util.Locale.ROOT), List.of(), t1,
                            Expected.QUARANTINE));
                    default -> events.add(new Event(topics.contactPoints(), user, encode(contactPoint(user,
                            IdentifierType.EMAIL, email(i, "Shop"), List.of(), t1, Map.of("campaign", "spring-sale",
                                    "note", "customer asked to use " + email(i, "Recovery") + " instead"))), t1,
                            Expected.QUARANTINE));
                }
            }
            case 6, 7, 8, 9, 10, 11 -> {
                events.add(consent(user, granted(AD_GRANT), false, t0));
                events.add(contact(user, IdentifierType.EMAIL, email(i, "Shop"), List.of(AD_GRANT + ".third_party"),
                        t1, Expected.FORWARD));
            }
            case 12, 13, 14 -> events.add(contact(user, IdentifierType.PHONE, phoneAsSeenByAds(i), List.of(), t1,
                    Expected.SUPPRESS));
            case 15 -> {
                events.add(consent(user, List.of(new PurposeConsent(AD_GRANT, ConsentStatus.GRANTED),
                        new PurposeConsent("marketing.advertising.third_party", ConsentStatus.DENIED)), false, t0));
                events.add(contact(user, IdentifierType.EMAIL, email(i, "Shop"), List.of(), t1, Expected.SUPPRESS));
            }
            case 16 -> {
                events.add(consent(user, granted(AD_GRANT), true, t0));
                events.add(contact(user, IdentifierType.PHONE, phoneAsSeenByAds(i), List.of(), t1,
                        Expected.SUPPRESS));
            }
            case 17 -> {
                events.add(consent(user, granted(AD_GRANT), false, t0));
                events.add(contact(user, IdentifierType.MOBILE_AD_ID, adId(i), List.of(), t1, Expected.FORWARD));
            }
            case 18 -> {
                events.add(consent(user, granted(AD_GRANT), false, t0));
                events.add(contact(user, IdentifierType.PHONE, phoneAsSeenByAds(i), List.of(SECURITY_2FA), t1,
                        Expected.QUARANTINE));
            }
            default -> events.add(malformed(i, user, t1));
        }
        return events;
    }

    /** Expected outcome counts of users {@code [0, users)}. */
    public Map<Expected, Long> expectedCounts(int users) {
        Map<Expected, Long> counts = new java.util.EnumMap<>(Expected.class);
        for (Expected e : Expected.values()) {
            counts.put(e, 0L);
        }
        for (int i = 0; i < users; i++) {
            for (Event event : user(i)) {
                if (event.expected() != null) {
                    counts.merge(event.expected(), 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    /**
     * Records that move event time past {@code eventTime} on every partition of the consent and registration topics,
     * for traffic that ends. Kafka Streams processes a task's inputs in timestamp order and, once an input has nothing
     * more, waits up to {@code max.task.idle.ms} for it before going on; live side inputs keep flowing, finite sample
     * traffic does not, so without these the last contact points would wait that long. Each marker belongs to a
     * synthetic user with no contact points and adds no output: an empty consent and the withdrawal of a made-up ad id.
     *
     * @param partitions the partition count of the (co-partitioned) input topics
     * @param eventTime a time after every generated event
     */
    public List<Event> endOfTrafficMarkers(int partitions, long eventTime) {
        List<Event> markers = new ArrayList<>(2 * partitions);
        for (int partition = 0; partition < partitions; partition++) {
            String user = markerUser(partition, partitions);
            ConsentState consent = ConsentState.newBuilder()
                    .setUserId(user)
                    .setPurposes(List.of())
                    .setOptOutOfTargetedAdvertising(false)
                    .setOptOutOfSale(false)
                    .setSource(MARKER_SOURCE)
                    .setEffectiveTime(Instant.ofEpochMilli(eventTime))
                    .build();
            PurposeRegistration registration = PurposeRegistration.newBuilder()
                    .setUserId(user)
                    .setIdentifierType(IdentifierType.MOBILE_AD_ID)
                    .setValue(String.format("00000000-0000-4000-8000-%012d", partition))
                    .setPurpose(AD_GRANT)
                    .setAction(RegistrationAction.WITHDRAWN)
                    .setSourceSystem(MARKER_SOURCE)
                    .setEventTime(Instant.ofEpochMilli(eventTime))
                    .build();
            markers.add(new Event(topics.consent(), user, serdes.consentState().encode(topics.consent(), consent),
                    eventTime, null));
            markers.add(new Event(topics.registrations(), user,
                    serdes.registration().encode(topics.registrations(), registration), eventTime, null));
        }
        return markers;
    }

    /** The event time just after every event of users {@code [0, users)}. */
    public long endTime(int users) {
        return startMs + users * 10L + 6;
    }

    /** A user id that Kafka's default partitioner puts in {@code partition}, as it does every user's records. */
    static String markerUser(int partition, int partitions) {
        for (int n = 0; ; n++) {
            String user = "end-of-traffic-" + n;
            if (Utils.toPositive(Utils.murmur2(user.getBytes(StandardCharsets.UTF_8))) % partitions == partition) {
                return user;
            }
        }
    }

    private Event malformed(int i, String user, long t) {
        byte[] value;
        String key = user;
        switch ((i / 20) % 5) {
            case 0 -> value = new byte[] {'n', 'o', 't', ' ', 'a', 'v', 'r', 'o'};
            case 1 -> value = new byte[] {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 2, 'x'};
            case 2 -> {
                key = null;
                value = encode(contactPoint("", IdentifierType.EMAIL, email(i, "Lost"), List.of(), t));
            }
            case 3 -> value = encode(contactPoint(user, IdentifierType.PHONE, "   ", List.of(), t));
            default -> value = encode(contactPoint(user, IdentifierType.UNKNOWN, "fax:+14155550000", List.of(), t));
        }
        return new Event(topics.contactPoints(), key, value, t, Expected.DEAD_LETTER);
    }

    private Event contact(String user, IdentifierType type, String value, List<String> purposes, long t,
                          Expected expected) {
        return new Event(topics.contactPoints(), user, encode(contactPoint(user, type, value, purposes, t)), t,
                expected);
    }

    private byte[] encode(ContactPoint contact) {
        return serdes.contactPoint().encode(topics.contactPoints(), contact);
    }

    private static ContactPoint contactPoint(String user, IdentifierType type, String value, List<String> purposes,
                                             long t) {
        return contactPoint(user, type, value, purposes, t, Map.of("campaign", "spring-sale"));
    }

    private static ContactPoint contactPoint(String user, IdentifierType type, String value, List<String> purposes,
                                             long t, Map<String, String> attributes) {
        return ContactPoint.newBuilder()
                .setUserId(user)
                .setIdentifierType(type)
                .setValue(value)
                .setDeclaredPurposes(purposes)
                .setSourceSystem("ads-audience-sync")
                .setEventTime(Instant.ofEpochMilli(t))
                .setAttributes(attributes)
                .build();
    }

    private Event registration(String user, IdentifierType type, String value, String purpose, String source,
                               long t) {
        PurposeRegistration registration = PurposeRegistration.newBuilder()
                .setUserId(user)
                .setIdentifierType(type)
                .setValue(value)
                .setPurpose(purpose)
                .setAction(RegistrationAction.REGISTERED)
                .setSourceSystem(source)
                .setEventTime(Instant.ofEpochMilli(t))
                .build();
        return new Event(topics.registrations(), user,
                serdes.registration().encode(topics.registrations(), registration), t, null);
    }

    private Event consent(String user, List<PurposeConsent> choices, boolean optOut, long t) {
        ConsentState state = ConsentState.newBuilder()
                .setUserId(user)
                .setPurposes(choices)
                .setOptOutOfTargetedAdvertising(optOut)
                .setOptOutOfSale(false)
                .setSource("sample-cmp")
                .setEffectiveTime(Instant.ofEpochMilli(t))
                .build();
        return new Event(topics.consent(), user, serdes.consentState().encode(topics.consent(), state), t, null);
    }

    private static List<PurposeConsent> granted(String purpose) {
        return List.of(new PurposeConsent(purpose, ConsentStatus.GRANTED));
    }

    /** A North American number unique per user, written as the 2FA service stores it. */
    static String phoneAsRegistered(int i) {
        String n = subscriber(i);
        return "+1 (" + n.substring(0, 3) + ") " + n.substring(3, 6) + "-" + n.substring(6);
    }

    /** The same number as an ad pipeline spells it: one of several formats, or its SHA-256. */
    static String phoneAsSeenByAds(int i) {
        String n = subscriber(i);
        return switch ((i / 20) % 4) {
            case 0 -> "1" + n;
            case 1 -> "1." + n.substring(0, 3) + "." + n.substring(3, 6) + "." + n.substring(6);
            case 2 -> "00 1 " + n;
            default -> Sha256.hex("+1" + n).toUpperCase(java.util.Locale.ROOT);
        };
    }

    private static String subscriber(int i) {
        // Area codes 200-999 and exchange 555 keep numbers plausible and unique for up to 8M users.
        int area = 200 + (i / 10_000) % 800;
        return area + "555" + String.format("%04d", i % 10_000);
    }

    private static String email(int i, String tag) {
        return tag + ".User" + i + "@Example.COM";
    }

    private static String adId(int i) {
        return String.format("%08X-0000-4000-8000-%012X", i, (long) i * 7919);
    }
}
