package org.purposefirewall.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The instance's static member id ({@code processing.group-instance-id}): Kafka's {@code group.instance.id}, which
 * Kafka Streams gives its main consumer with a per-thread suffix ({@code -1}, {@code -2}, ...). A member that comes
 * back with the same id gets its old assignment at once, without a rebalance and without the group waiting out the
 * session timeout for the dead one.
 *
 * <p>Three forms: {@link #DERIVED} (the default) is worked out when the instance starts from the host name and the
 * state directory, so that two instances on one host with different state directories never share an id (two live
 * members with one id fence each other) while a restart on the same host and directory keeps it; {@link #NONE}
 * turns static membership off (dynamic members, as Kafka's default); {@link #of} is an id given in the file.
 *
 * @param explicit the id given, or null for the other two forms
 * @param enabled false only for {@link #NONE}
 */
public record GroupInstanceId(String explicit, boolean enabled) {

    /** The longest id accepted: Kafka adds the thread suffix, and the broker keeps ids in every group record. */
    public static final int MAX_LENGTH = 200;

    /** Worked out at start from the host name and the state directory. */
    public static final GroupInstanceId DERIVED = new GroupInstanceId(null, true);
    /** No static membership. */
    public static final GroupInstanceId NONE = new GroupInstanceId(null, false);

    public GroupInstanceId {
        if (explicit != null) {
            checkId(explicit);
            if (!enabled) {
                throw new IllegalArgumentException("an explicit id is enabled");
            }
        }
    }

    /** An id given in the file; {@code none} or empty is {@link #NONE}, {@code derived} is {@link #DERIVED}. */
    public static GroupInstanceId parse(String text) {
        String t = text.strip();
        if (t.isEmpty() || t.equalsIgnoreCase("none")) {
            return NONE;
        }
        if (t.equalsIgnoreCase("derived")) {
            return DERIVED;
        }
        return new GroupInstanceId(t, true);
    }

    /** An explicit id. */
    public static GroupInstanceId of(String id) {
        return new GroupInstanceId(id, true);
    }

    /**
     * The id Kafka gets, empty when static membership is off.
     *
     * @param stateDir the (absolute) state directory this instance runs on
     * @param host this machine's host name ({@link #localHostName()} in the service)
     */
    public Optional<String> resolve(Path stateDir, String host) {
        if (!enabled) {
            return Optional.empty();
        }
        if (explicit != null) {
            return Optional.of(explicit);
        }
        return Optional.of(derive(stateDir, host));
    }

    /**
     * {@code <host>-<first 12 hex digits of the SHA-256 of the absolute state directory>}: the host as a plain name
     * (characters outside {@code [A-Za-z0-9._-]} become {@code -}, at most 120 of them), the directory as its hash, so
     * that the id names the machine an operator sees in the group's description without spelling out a path.
     */
    static String derive(Path stateDir, String host) {
        String name = host == null || host.isBlank() ? "unknown-host" : host.strip();
        StringBuilder plain = new StringBuilder();
        for (int i = 0; i < name.length() && plain.length() < 120; i++) {
            char c = name.charAt(i);
            plain.append(c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-') ? c : '-');
        }
        String dir = stateDir.toAbsolutePath().normalize().toString();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(dir.getBytes(StandardCharsets.UTF_8));
            return plain.toString().toLowerCase(Locale.ROOT) + "-" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** {@code HOSTNAME} if set (a Kubernetes pod's name), else what the resolver calls this machine. */
    public static String localHostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown-host";
        }
    }

    private static void checkId(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("must be 1 to " + MAX_LENGTH + " characters, not " + id.length()
                    + " (or `none`)");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("must be printable ASCII without spaces; character " + (i + 1)
                        + " is not");
            }
        }
    }

    @Override
    public String toString() {
        return explicit != null ? explicit : enabled ? "derived" : "none";
    }
}
