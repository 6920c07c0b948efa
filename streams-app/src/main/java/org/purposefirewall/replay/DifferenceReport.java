package org.purposefirewall.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The machine-readable report of a replay: one JSON object per line per differing record, redacted as the
 * quarantine monitor is (coordinates, fates, rules, reasons, policy versions and hashes, identifier type, a digest
 * prefix, the field path, the user as a digest prefix). Fields:
 * {@code change} (a {@link org.purposefirewall.policy.ReplayChange} code), {@code topic}, {@code partition},
 * {@code offset}, {@code eventTime}, {@code user}, {@code identifierType}, {@code digest}, {@code fieldPath},
 * {@code then} and {@code now}, each {@code {fate, rule, reason, policyVersion, policyHash}}; absent values are
 * omitted.
 */
public final class DifferenceReport implements Replay.Listener, AutoCloseable {

    private final ObjectMapper mapper = new ObjectMapper();
    private final BufferedWriter out;
    private long written;

    public DifferenceReport(Path file) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    /** Writes {@code d} if it is a difference; agreements are only counted by the replay. */
    @Override
    public void compared(Replay.Comparison d) {
        if (d.change() == null) {
            return;
        }
        Map<String, Object> line = line(d);
        try {
            out.write(mapper.writeValueAsString(line));
            out.write('\n');
            written++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The report line of one difference, as a map in field order. */
    static Map<String, Object> line(Replay.Comparison d) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("change", d.change().code());
        line.put("topic", d.source().topic());
        line.put("partition", d.source().partition());
        line.put("offset", d.source().offset());
        if (d.eventTime() >= 0) {
            line.put("eventTime", Instant.ofEpochMilli(d.eventTime()).toString());
        }
        Output any = d.now() != null ? d.now() : d.then();
        put(line, "user", first(d.now() == null ? null : d.now().user(), d.then() == null ? null : d.then().user()));
        put(line, "identifierType", first(d.now() == null ? null : d.now().identifierType(),
                d.then() == null ? null : d.then().identifierType()));
        put(line, "digest", first(d.now() == null ? null : d.now().digest(),
                d.then() == null ? null : d.then().digest()));
        put(line, "fieldPath", any == null ? null : first(any.fieldPath(), null));
        line.put("then", side(d.thenFate(), d.then()));
        line.put("now", side(d.nowFate(), d.now()));
        return line;
    }

    private static Map<String, Object> side(org.purposefirewall.policy.ReplayChange.Fate fate, Output o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fate", fate.name());
        if (o != null) {
            put(m, "rule", o.rule());
            put(m, "reason", o.reason());
            put(m, "policyVersion", o.policyVersion());
            put(m, "policyHash", o.policyHash());
        }
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null && !"".equals(value)) {
            m.put(key, value);
        }
    }

    private static String first(String a, String b) {
        return a != null && !a.isEmpty() ? a : b;
    }

    /** Lines written so far. */
    public long written() {
        return written;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
