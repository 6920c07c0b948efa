package org.purposefirewall.campaign;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.RegistrationAction;

/**
 * The campaign's traffic and its oracle: a pure function of a seed and an index, so that every contact point's
 * expected outcome, and for a forward the digest on the ad topic, is computed from the traffic alone, with none of
 * the firewall's code (digests with the JDK's {@link MessageDigest}, normal forms written out by construction).
 *
 * <p><b>Users and contact points.</b> Contact point {@code k} is user {@code k / 2}'s: slot 0 its email address
 * ({@code User.<u>@Example.COM}, raw or as the SHA-256 hex of its normal form), slot 1 its US phone number in one of
 * four ad-pipeline spellings (one of them the SHA-256 hex of E.164). Every identifier belongs to one contact point
 * only, so "one ad record per forwarded identifier" is "one per forwarded contact point".
 *
 * <p><b>Consent</b> per user ({@link Consent}): preloaded (event time before all traffic), live (produced and
 * acknowledged just before the user's contact points, event time 1 ms before theirs) or late (produced after them,
 * event time 1 ms after: the forward stands and must be recalled). <b>Registrations</b> per user
 * ({@link Registration}): the phone for two-factor authentication, preloaded, live or late; or the email for
 * account recovery, preloaded. One phone contact point in a hundred is malformed instead (dead letter).
 *
 * <p><b>Expected</b>: dead letter if malformed; quarantine if the identifier is registered for security at its event
 * time (preloaded or live); otherwise forward if consent at its event time grants the ad purpose (preloaded or live
 * grant, or a grant revoked only later), else suppress. A forward is expected to be recalled if consent is revoked
 * later or its phone is registered later.
 */
final class CampaignTraffic {

    /** The one outcome each contact point must have. */
    enum Outcome { FORWARD, QUARANTINE, SUPPRESS, DEAD_LETTER }

    enum Consent {
        PRELOADED_GRANT, LIVE_GRANT, PRELOADED_DENY, NONE, PRELOADED_OPT_OUT, LATE_REVOCATION, LIVE_REVOCATION;

        /** Whether consent at the contact points' event time grants the ad purpose. */
        boolean grantsAtContactTime() {
            return this == PRELOADED_GRANT || this == LIVE_GRANT || this == LATE_REVOCATION;
        }
    }

    enum Registration { NONE, PRELOADED_PHONE, LIVE_PHONE, LATE_PHONE, PRELOADED_EMAIL }

    /** When a side record is produced relative to its user's contact points. */
    enum Phase { PRELOAD, LIVE, LATE }

    /** One side record to produce: consent (else a registration), its key and its value. */
    record Side(boolean consent, String key, Object value) {
    }

    static final String AD_GRANT = "marketing.advertising";
    static final String SECURITY_2FA = "essential.service.security.authentication";
    static final String SECURITY_RECOVERY = "essential.service.security.account_recovery";
    private static final HexFormat HEX = HexFormat.of();

    private final long seed;
    private final int contactPoints;

    CampaignTraffic(long seed, int contactPoints) {
        if (contactPoints < 2) {
            throw new IllegalArgumentException("at least 2 contact points, got " + contactPoints);
        }
        this.seed = seed;
        this.contactPoints = contactPoints;
    }

    int contactPoints() {
        return contactPoints;
    }

    int users() {
        return (contactPoints + 1) / 2;
    }

    /** Contact points of user {@code u}: {@code 2u} and, unless past the end, {@code 2u + 1}. */
    int[] contactPointsOf(int u) {
        return 2 * u + 1 < contactPoints ? new int[] {2 * u, 2 * u + 1} : new int[] {2 * u};
    }

    String userId(int u) {
        return "cu-" + Long.toHexString(seed & 0xffff) + "-" + u;
    }

    static int userOf(int k) {
        return k / 2;
    }

    Consent consent(int u) {
        int h = (int) (mix(u, 1) % 100);
        if (h < 70) {
            return Consent.PRELOADED_GRANT;
        } else if (h < 78) {
            return Consent.LIVE_GRANT;
        } else if (h < 83) {
            return Consent.PRELOADED_DENY;
        } else if (h < 87) {
            return Consent.NONE;
        } else if (h < 90) {
            return Consent.PRELOADED_OPT_OUT;
        } else if (h < 95) {
            return Consent.LATE_REVOCATION;
        }
        return Consent.LIVE_REVOCATION;
    }

    Registration registration(int u) {
        int h = (int) (mix(u, 2) % 100);
        if (h < 10) {
            return Registration.PRELOADED_PHONE;
        } else if (h < 13) {
            return Registration.LIVE_PHONE;
        } else if (h < 16) {
            return Registration.LATE_PHONE;
        } else if (h < 18) {
            return Registration.PRELOADED_EMAIL;
        }
        return Registration.NONE;
    }

    boolean malformed(int k) {
        return k % 2 == 1 && mix(userOf(k), 3) % 100 == 0;
    }

    Outcome expected(int k) {
        if (malformed(k)) {
            return Outcome.DEAD_LETTER;
        }
        int u = userOf(k);
        Registration r = registration(u);
        boolean quarantined = k % 2 == 0 ? r == Registration.PRELOADED_EMAIL
                : r == Registration.PRELOADED_PHONE || r == Registration.LIVE_PHONE;
        if (quarantined) {
            return Outcome.QUARANTINE;
        }
        return consent(u).grantsAtContactTime() ? Outcome.FORWARD : Outcome.SUPPRESS;
    }

    /** For an expected forward: the lowercase SHA-256 hex that must be on the ad topic. */
    String expectedDigest(int k) {
        int u = userOf(k);
        return k % 2 == 0 ? sha256(emailNormal(u)) : sha256(phoneE164(u));
    }

    /** Whether an expected forward must be followed by a recall (consent revoked later, or its phone registered later). */
    boolean expectsRecall(int k) {
        if (expected(k) != Outcome.FORWARD) {
            return false;
        }
        int u = userOf(k);
        return consent(u) == Consent.LATE_REVOCATION || (k % 2 == 1 && registration(u) == Registration.LATE_PHONE);
    }

    /** Whether contact point {@code k}'s identifier is registered for security only after it (late registration). */
    boolean registeredLate(int k) {
        return k % 2 == 1 && registration(userOf(k)) == Registration.LATE_PHONE;
    }

    /**
     * Every digest (SHA-256, SHA-1, MD5; lowercase hex) of every normal form of user {@code u}'s identifier registered
     * for security, or none: E.164 and the digits without {@code +} for a phone, the lower-cased address for an email
     * (no tag, not Gmail: its only spelling).
     */
    List<String> securityDigests(int u) {
        List<String> forms = switch (registration(u)) {
            case NONE -> List.of();
            case PRELOADED_EMAIL -> List.of(emailNormal(u));
            default -> List.of(phoneE164(u), phoneE164(u).substring(1));
        };
        List<String> digests = new ArrayList<>();
        for (String form : forms) {
            digests.add(digest("SHA-256", form));
            digests.add(digest("SHA-1", form));
            digests.add(digest("MD5", form));
        }
        return digests;
    }

    /** The contact point {@code k} as produced at {@code eventTime}, or {@code null} for raw malformed bytes. */
    ContactPoint contactPoint(int k, long eventTime) {
        int u = userOf(k);
        String value;
        IdentifierType type;
        if (k % 2 == 0) {
            type = IdentifierType.EMAIL;
            value = mix(k, 4) % 3 == 0 ? sha256(emailNormal(u)) : "User." + u + "@Example.COM";
        } else {
            type = IdentifierType.PHONE;
            if (malformed(k)) {
                if (mix(k, 5) % 2 == 0) {
                    return null;
                }
                value = "+1 12";
            } else {
                String n = national(u);
                value = switch ((int) (mix(k, 6) % 4)) {
                    case 0 -> "1" + n;
                    case 1 -> "+1 (" + n.substring(0, 3) + ") " + n.substring(3, 6) + "-" + n.substring(6);
                    case 2 -> "1." + n.substring(0, 3) + "." + n.substring(3, 6) + "." + n.substring(6);
                    default -> sha256("+1" + n);
                };
            }
        }
        return ContactPoint.newBuilder()
                .setUserId(userId(u))
                .setIdentifierType(type)
                .setValue(value)
                .setDeclaredPurposes(mix(k, 7) % 2 == 0 ? List.of() : List.of(AD_GRANT + ".third_party"))
                .setSourceSystem("campaign-ads-sync")
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setAttributes(Map.of("campaign", "c" + (k % 7)))
                .build();
    }

    /** Bytes of a malformed contact point that is not even wire format (dead letter NOT_WIRE_FORMAT). */
    static byte[] notWireFormat(int k) {
        return ("not avro " + k).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * User {@code u}'s side records of {@code phase}, in the order they must be produced; {@code contactTime} is the
     * event time of its contact points, {@code preloadTime} that of every preloaded record.
     */
    List<Side> sideRecords(int u, Phase phase, long preloadTime, long contactTime) {
        List<Side> out = new ArrayList<>(2);
        String user = userId(u);
        Consent c = consent(u);
        switch (phase) {
            case PRELOAD -> {
                switch (c) {
                    case PRELOADED_GRANT, LATE_REVOCATION, LIVE_REVOCATION ->
                            out.add(new Side(true, user, consentState(user, ConsentStatus.GRANTED, false, preloadTime)));
                    case PRELOADED_DENY ->
                            out.add(new Side(true, user, consentState(user, ConsentStatus.DENIED, false, preloadTime)));
                    case PRELOADED_OPT_OUT ->
                            out.add(new Side(true, user, consentState(user, ConsentStatus.GRANTED, true, preloadTime)));
                    default -> { }
                }
                Registration r = registration(u);
                if (r == Registration.PRELOADED_PHONE) {
                    out.add(new Side(false, user, phoneRegistration(u, preloadTime)));
                } else if (r == Registration.PRELOADED_EMAIL) {
                    out.add(new Side(false, user, registration(user, IdentifierType.EMAIL,
                            " User." + u + "@Example.COM ", SECURITY_RECOVERY, "account-recovery", preloadTime)));
                }
            }
            case LIVE -> {
                if (c == Consent.LIVE_GRANT) {
                    out.add(new Side(true, user, consentState(user, ConsentStatus.GRANTED, false, contactTime - 1)));
                } else if (c == Consent.LIVE_REVOCATION) {
                    out.add(new Side(true, user, consentState(user, ConsentStatus.DENIED, false, contactTime - 1)));
                }
                if (registration(u) == Registration.LIVE_PHONE) {
                    out.add(new Side(false, user, phoneRegistration(u, contactTime - 1)));
                }
            }
            case LATE -> {
                if (c == Consent.LATE_REVOCATION) {
                    out.add(new Side(true, user, consentState(user, ConsentStatus.DENIED, false, contactTime + 1)));
                }
                if (registration(u) == Registration.LATE_PHONE) {
                    out.add(new Side(false, user, phoneRegistration(u, contactTime + 1)));
                }
            }
            default -> throw new IllegalArgumentException(String.valueOf(phase));
        }
        return out;
    }

    private PurposeRegistration phoneRegistration(int u, long t) {
        String n = national(u);
        return registration(userId(u), IdentifierType.PHONE,
                "+1 (" + n.substring(0, 3) + ") " + n.substring(3, 6) + "-" + n.substring(6), SECURITY_2FA,
                "two-factor-auth", t);
    }

    private static PurposeRegistration registration(String user, IdentifierType type, String value, String purpose,
                                                    String source, long t) {
        return PurposeRegistration.newBuilder()
                .setUserId(user)
                .setIdentifierType(type)
                .setValue(value)
                .setPurpose(purpose)
                .setAction(RegistrationAction.REGISTERED)
                .setSourceSystem(source)
                .setEventTime(Instant.ofEpochMilli(t))
                .build();
    }

    private static ConsentState consentState(String user, ConsentStatus status, boolean optOut, long t) {
        return ConsentState.newBuilder()
                .setUserId(user)
                .setPurposes(List.of(new PurposeConsent(AD_GRANT, status)))
                .setOptOutOfTargetedAdvertising(optOut)
                .setOptOutOfSale(false)
                .setSource("campaign-cmp")
                .setEffectiveTime(Instant.ofEpochMilli(t))
                .build();
    }

    /** A US national number, unique per user below 800 * 800 * 10,000: area and exchange 200-999, line 0000-9999. */
    static String national(int u) {
        int area = 200 + u % 800;
        int exchange = 200 + (u / 800) % 800;
        int line = (u / 640_000) % 10_000;
        return String.format(Locale.ROOT, "%d%d%04d", area, exchange, line);
    }

    static String phoneE164(int u) {
        return "+1" + national(u);
    }

    static String emailNormal(int u) {
        return "user." + u + "@example.com";
    }

    static String sha256(String text) {
        return digest("SHA-256", text);
    }

    static String digest(String algorithm, String text) {
        try {
            return HEX.formatHex(MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SplitMix64 of (seed, index, salt), non-negative. */
    long mix(long index, int salt) {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + salt * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) >>> 1;
    }
}
