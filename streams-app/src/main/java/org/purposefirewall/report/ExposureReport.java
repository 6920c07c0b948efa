package org.purposefirewall.report;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;

/**
 * What was forwarded to the ad side and what was recalled, per user and identifier digest: the exposure report.
 * Pure aggregation over the two output topics' records; {@link ExposureReportReader} feeds it from Kafka.
 *
 * <p>Filters: one user, and a time range on forwarded event times ({@code [from, to)}); recalls are shown for the
 * identifiers that pass. Digests are printed in full (they are what the ad platform must be asked to delete); raw
 * identifiers never reach these topics, so never this report.
 */
public final class ExposureReport {

    private final String user;
    private final Instant from;
    private final Instant to;
    private final Map<String, Row> rows = new TreeMap<>();
    /** Recalls read so far; attached to their rows when the rows are asked for, whatever order they came in. */
    private final List<AudienceRecall> pending = new ArrayList<>();

    /**
     * @param user only this user, or null for all
     * @param from only forwards at or after this event time, or null
     * @param to only forwards before this event time, or null
     */
    public ExposureReport(String user, Instant from, Instant to) {
        this.user = user;
        this.from = from;
        this.to = to;
    }

    /** One identifier of one user: what was forwarded, and the recalls. */
    public static final class Row {
        final String userId;
        final String type;
        final String algorithm;
        final String digest;
        long forwarded;
        Instant first;
        Instant last;
        final List<AudienceRecall> recalls = new ArrayList<>();

        Row(String userId, String type, String algorithm, String digest) {
            this.userId = userId;
            this.type = type;
            this.algorithm = algorithm;
            this.digest = digest;
        }

        public String userId() {
            return userId;
        }

        public String digest() {
            return digest;
        }

        public long forwarded() {
            return forwarded;
        }

        public List<AudienceRecall> recalls() {
            return List.copyOf(recalls);
        }
    }

    public void forwarded(AudienceIdentifier audience) {
        Objects.requireNonNull(audience, "audience");
        if (user != null && !user.equals(audience.getUserId())) {
            return;
        }
        Instant time = audience.getEventTime();
        if ((from != null && time.isBefore(from)) || (to != null && !time.isBefore(to))) {
            return;
        }
        Row row = rows.computeIfAbsent(key(audience.getUserId(), audience.getHashAlgorithm().name(),
                audience.getIdentifierHash()), k -> new Row(audience.getUserId(),
                audience.getIdentifierType().name(), audience.getHashAlgorithm().name(), audience.getIdentifierHash()));
        row.forwarded++;
        row.first = row.first == null || time.isBefore(row.first) ? time : row.first;
        row.last = row.last == null || time.isAfter(row.last) ? time : row.last;
    }

    /** A recall; kept if its identifier was forwarded within the filters (call after all forwards, or in any order). */
    public void recalled(AudienceRecall recall) {
        Objects.requireNonNull(recall, "recall");
        if (user != null && !user.equals(recall.getUserId())) {
            return;
        }
        pending.add(recall);
    }

    /** The rows, by user and digest, with their recalls attached. */
    public List<Row> rows() {
        for (AudienceRecall recall : pending) {
            Row row = rows.get(key(recall.getUserId(), recall.getHashAlgorithm().name(), recall.getIdentifierHash()));
            if (row != null && !row.recalls.contains(recall)) {
                row.recalls.add(recall);
            }
        }
        pending.clear();
        List<Row> all = new ArrayList<>(rows.values());
        all.forEach(r -> r.recalls.sort(Comparator.comparing(AudienceRecall::getCauseTime)));
        return all;
    }

    /** Prints the report: one line per identifier and one per recall, then totals. */
    public void print(PrintWriter out) {
        List<Row> all = rows();
        out.printf("Exposure report%s%s%n", user == null ? "" : " for user " + user,
                from == null && to == null ? "" : " forwarded in [" + (from == null ? "-inf" : from) + ", "
                        + (to == null ? "+inf" : to) + ")");
        out.printf("%-24s %-13s %-7s %-64s %9s  %-24s %-24s%n", "user", "type", "hash", "digest", "forwarded",
                "first forwarded", "last forwarded");
        long recalled = 0;
        for (Row row : all) {
            out.printf("%-24s %-13s %-7s %-64s %9d  %-24s %-24s%n", row.userId, row.type, row.algorithm, row.digest,
                    row.forwarded, row.first, row.last);
            for (AudienceRecall recall : row.recalls) {
                out.printf("    recalled: %s at %s (exposure %s .. %s, %d forwarded; recall %s)%n",
                        recall.getReason(), recall.getCauseTime(), recall.getExposureStart(),
                        recall.getExposureEnd(), recall.getForwardedCount(), recall.getRecallId());
            }
            if (!row.recalls.isEmpty()) {
                recalled++;
            }
        }
        out.printf("%d identifiers forwarded, %d recalled, %d never recalled%n", all.size(), recalled,
                all.size() - recalled);
    }

    private static String key(String user, String algorithm, String digest) {
        return user + '\u0000' + algorithm + '\u0000' + digest;
    }
}
