package org.purposefirewall.benchmarks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.purposefirewall.config.Topics;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.fixtures.ScenarioTraffic.Event;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * The realistic mode's traffic: a population whose state is loaded before timing, then contact points over it with
 * side traffic. Deterministic: every choice is a hash of an index, so a run's expected outcomes are known exactly.
 *
 * <p><b>Population</b> ({@code users}, ids {@code user-0 .. user-(users-1)}): every user has one consent record
 * (88% grant the ad purpose, 5% deny it, 4% grant it but opt out of targeted advertising, 3% grant only an
 * unrelated purpose), one email address and one phone number. {@code registrations} of them, spread evenly over
 * the population, registered an identifier for security: 70% their phone for two-factor authentication, 30% their
 * email for account recovery, each written as the security service stores it.
 *
 * <p><b>Contact points</b> (the warm-up ones, then the timed ones: {@code contactPoints} in all, numbered from
 * 0): contact point {@code k} is for a user drawn uniformly from the population (so
 * about {@code registrations/users} of them hit a registered user, and repeats happen), or, for 2%, a user with no
 * consent yet. Its identifier: 40% the raw email, 20% the email's SHA-256 (producer-hashed), 30% the phone in one
 * of four ad-pipeline spellings (one of them the SHA-256 of E.164), 10% a mobile ad id; half declare a third-party ad
 * purpose. Expected: quarantined if it is the user's registered identifier (in any spelling), else forwarded if the
 * consent grants ads, else suppressed.
 *
 * <p><b>Side traffic</b> (during timing): consent changes (3 in 4; a grant becomes a denial and the others a grant)
 * and new two-factor registrations (1 in 4), only for users no timed contact point is about, so that they change no
 * expected outcome and cause no recall, but cost the firewall what side records cost: re-homing, the barrier,
 * store writes.
 */
final class RealisticTraffic {

    static final String AD = ScenarioTraffic.AD_GRANT;
    static final int MAX_USERS = 8_000_000;

    private enum Consent { GRANTED, DENIED, OPTED_OUT, NOT_GRANTED }

    private enum Kind { EMAIL, EMAIL_SHA256, PHONE, AD_ID }

    private final Topics topics;
    private final FirewallSerdes serdes;
    private final int users;
    private final int registrations;
    private final int contactPoints;
    private final long preloadTime;
    private final long timedStart;
    private final BitSet registered = new BitSet();
    private final BitSet timedUsers = new BitSet();

    /**
     * @param preloadTime   event time of every preloaded record
     * @param contactPoints contact points, warm-up and timed
     * @param timedStart    event time of contact point 0 (later ones 1 ms apart); after preloadTime
     */
    RealisticTraffic(Topics topics, FirewallSerdes serdes, int users, int registrations, int contactPoints,
                     long preloadTime, long timedStart) {
        if (users > MAX_USERS) {
            throw new IllegalArgumentException("at most " + MAX_USERS + " users (unique phone numbers), got " + users);
        }
        if (registrations > users) {
            throw new IllegalArgumentException("more registrations (" + registrations + ") than users (" + users + ")");
        }
        if (timedStart <= preloadTime) {
            throw new IllegalArgumentException("timed contact points must come after the preload");
        }
        this.topics = topics;
        this.serdes = serdes;
        this.users = users;
        this.registrations = registrations;
        this.contactPoints = contactPoints;
        this.preloadTime = preloadTime;
        this.timedStart = timedStart;
        for (int j = 0; j < registrations; j++) {
            registered.set(registeredUser(j));
        }
        for (int k = 0; k < contactPoints; k++) {
            int u = contactUser(k);
            if (u < users) {
                timedUsers.set(u);
            }
        }
    }

    int users() {
        return users;
    }

    int registrations() {
        return registrations;
    }

    int contactPoints() {
        return contactPoints;
    }

    /** Users of the population that at least one contact point is about. */
    int distinctTimedUsers() {
        return timedUsers.cardinality();
    }

    /** Contact points of {@code [from, to)} whose user is registered for security (whatever they carry). */
    long contactPointsOfRegisteredUsers(int from, int to) {
        long n = 0;
        for (int k = from; k < to; k++) {
            int u = contactUser(k);
            if (u < users && registered.get(u)) {
                n++;
            }
        }
        return n;
    }

    // ---- preload ----

    /** The consent record of population user {@code i}. */
    Event consent(int i) {
        return consentEvent(i, consentOf(i), preloadTime);
    }

    /** The {@code j}-th preloaded security registration. */
    Event registration(int j) {
        int u = registeredUser(j);
        return registersPhone(u)
                ? registrationEvent(u, IdentifierType.PHONE, phoneAsRegistered(u),
                        ScenarioTraffic.SECURITY_2FA, "two-factor-auth", preloadTime)
                : registrationEvent(u, IdentifierType.EMAIL, " " + email(u) + " ",
                        ScenarioTraffic.SECURITY_RECOVERY, "account-recovery", preloadTime);
    }

    // ---- timed contact points ----

    /** Sends every user's consent, then every security registration: the preload, applied before anything is timed. */
    void sendPreload(BenchmarkKafka.Loader loader) {
        for (int i = 0; i < users; i++) {
            loader.send(consent(i));
        }
        for (int j = 0; j < registrations; j++) {
            loader.send(registration(j));
        }
    }

    /** Sends contact points {@code [from, to)}. */
    void sendContactPoints(BenchmarkKafka.Loader loader, int from, int to) {
        for (int k = from; k < to; k++) {
            loader.send(contactPoint(k));
        }
    }

    /** Event time of contact point {@code k}. */
    long eventTime(int k) {
        return timedStart + k;
    }

    /** Contact point {@code k}, with its expected outcome. */
    Event contactPoint(int k) {
        int u = contactUser(k);
        String user = ScenarioTraffic.userId(u);
        Kind kind = kind(k);
        String value = switch (kind) {
            case EMAIL -> email(u);
            case EMAIL_SHA256 -> HashForm.SHA256.hex(email(u).toLowerCase(Locale.ROOT));
            case PHONE -> phoneAsSeenByAds(u, k);
            case AD_ID -> adId(u);
        };
        IdentifierType type = switch (kind) {
            case EMAIL, EMAIL_SHA256 -> IdentifierType.EMAIL;
            case PHONE -> IdentifierType.PHONE;
            case AD_ID -> IdentifierType.MOBILE_AD_ID;
        };
        List<String> declared = mix(k, 0x5eed) % 2 == 0 ? List.of(AD + ".third_party") : List.of();
        long t = eventTime(k);
        ContactPoint contact = ContactPoint.newBuilder()
                .setUserId(user)
                .setIdentifierType(type)
                .setValue(value)
                .setDeclaredPurposes(declared)
                .setSourceSystem("ads-audience-sync")
                .setEventTime(Instant.ofEpochMilli(t))
                .setAttributes(Map.of("campaign", "spring-sale"))
                .build();
        return new Event(topics.contactPoints(), user, serdes.contactPoint().encode(topics.contactPoints(), contact),
                t, expected(u, kind));
    }

    /** How many of contact points {@code [from, to)} each outcome should get. */
    Map<Expected, Long> expectedCounts(int from, int to) {
        Map<Expected, Long> counts = new EnumMap<>(Expected.class);
        for (Expected e : Expected.values()) {
            counts.put(e, 0L);
        }
        for (int k = from; k < to; k++) {
            counts.merge(expected(contactUser(k), kind(k)), 1L, Long::sum);
        }
        return counts;
    }

    private Expected expected(int u, Kind kind) {
        if (u >= users) {
            return Expected.SUPPRESS; // no consent state: consent.missing
        }
        if (registered.get(u)) {
            boolean phone = registersPhone(u);
            if ((phone && kind == Kind.PHONE) || (!phone && (kind == Kind.EMAIL || kind == Kind.EMAIL_SHA256))) {
                return Expected.QUARANTINE;
            }
        }
        return consentOf(u) == Consent.GRANTED ? Expected.FORWARD : Expected.SUPPRESS;
    }

    // ---- side traffic ----

    /**
     * Side record {@code j} of the timed phase, with event time {@code eventTime}: a consent change or a new
     * two-factor registration of a population user no timed contact point is about.
     */
    Event side(int j, long eventTime) {
        int u = sideUser(j);
        if (j % 4 == 3) {
            // A new registration, of a phone nobody registered in the preload.
            return registrationEvent(u, IdentifierType.PHONE, phoneAsRegistered(u), ScenarioTraffic.SECURITY_2FA,
                    "two-factor-auth", eventTime);
        }
        Consent now = consentOf(u) == Consent.GRANTED ? Consent.DENIED : Consent.GRANTED;
        return consentEvent(u, now, eventTime);
    }

    /** True if side record {@code j} is a registration (else consent). */
    static boolean sideIsRegistration(int j) {
        return j % 4 == 3;
    }

    private int sideUser(int j) {
        // Users outside the timed set; past the population if the timed set covers it (new users then).
        for (int attempt = 0; attempt < 64; attempt++) {
            int u = (int) (mix(j, 0x51de + attempt) % users);
            if (!timedUsers.get(u) && !(sideIsRegistration(j) && registered.get(u))) {
                return u;
            }
        }
        return users + contactPoints + j;
    }

    // ---- choices ----

    private Consent consentOf(int u) {
        if (u >= users) {
            return Consent.NOT_GRANTED;
        }
        long r = mix(u, 0xc0) % 100;
        return r < 88 ? Consent.GRANTED : r < 93 ? Consent.DENIED : r < 97 ? Consent.OPTED_OUT : Consent.NOT_GRANTED;
    }

    /** Registration j's user: spread evenly over the population, distinct for distinct j. */
    private int registeredUser(int j) {
        return (int) ((long) j * users / registrations);
    }

    private static boolean registersPhone(int u) {
        return mix(u, 0x2fa) % 10 < 7;
    }

    private int contactUser(int k) {
        if (mix(k, 0x4e) % 50 == 0) {
            return users + k; // a new user: nothing preloaded
        }
        return (int) (mix(k, 0xcafe) % users);
    }

    private static Kind kind(int k) {
        long r = mix(k, 0x7) % 10;
        return r < 4 ? Kind.EMAIL : r < 6 ? Kind.EMAIL_SHA256 : r < 9 ? Kind.PHONE : Kind.AD_ID;
    }

    /** A non-negative 63-bit hash of (i, salt): SplitMix64's finalizer. */
    static long mix(long i, long salt) {
        long z = i * 0x9E3779B97F4A7C15L + salt * 0xBF58476D1CE4E5B9L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    // ---- identifiers (as ScenarioTraffic spells them) ----

    private static String email(int u) {
        return "Mail.User" + u + "@Example.COM";
    }

    private static String subscriber(int u) {
        int area = 200 + (u / 10_000) % 800;
        return area + "555" + String.format(Locale.ROOT, "%04d", u % 10_000);
    }

    private static String phoneAsRegistered(int u) {
        String n = subscriber(u);
        return "+1 (" + n.substring(0, 3) + ") " + n.substring(3, 6) + "-" + n.substring(6);
    }

    private static String phoneAsSeenByAds(int u, int k) {
        String n = subscriber(u);
        return switch ((int) (mix(k, 0xf0) % 4)) {
            case 0 -> "1" + n;
            case 1 -> "1." + n.substring(0, 3) + "." + n.substring(3, 6) + "." + n.substring(6);
            case 2 -> "00 1 " + n;
            default -> HashForm.SHA256.hex("+1" + n).toUpperCase(Locale.ROOT);
        };
    }

    private static String adId(int u) {
        return String.format(Locale.ROOT, "%08X-0000-4000-8000-%012X", u, (long) u * 7919);
    }

    private Event consentEvent(int u, Consent consent, long t) {
        String user = ScenarioTraffic.userId(u);
        List<PurposeConsent> purposes = switch (consent) {
            case GRANTED, OPTED_OUT -> List.of(new PurposeConsent(AD, ConsentStatus.GRANTED));
            case DENIED -> List.of(new PurposeConsent(AD, ConsentStatus.DENIED));
            case NOT_GRANTED -> List.of(new PurposeConsent("analytics.measurement", ConsentStatus.GRANTED));
        };
        ConsentState state = ConsentState.newBuilder()
                .setUserId(user)
                .setPurposes(purposes)
                .setOptOutOfTargetedAdvertising(consent == Consent.OPTED_OUT)
                .setOptOutOfSale(false)
                .setSource("cmp")
                .setEffectiveTime(Instant.ofEpochMilli(t))
                .build();
        return new Event(topics.consent(), user, serdes.consentState().encode(topics.consent(), state), t, null);
    }

    private Event registrationEvent(int u, IdentifierType type, String value, String purpose, String source, long t) {
        return ScenarioTraffic.registration(topics, serdes, ScenarioTraffic.userId(u), type, value, purpose, source, t);
    }

    /** Timed contact points {@code [from, to)}. */
    List<Event> contactPoints(int from, int to) {
        List<Event> list = new ArrayList<>(to - from);
        for (int k = from; k < to; k++) {
            list.add(contactPoint(k));
        }
        return list;
    }
}
