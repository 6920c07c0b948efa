package org.purposefirewall.campaign;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One start of a firewall instance, read back from its log: where the seconds from process start to RUNNING went.
 * Every time is wall-clock milliseconds, -1 where the start never got there (it was killed first).
 *
 * @param processStart   when the harness started the process (its {@code ==== campaign: start} line)
 * @param firstLog       the service's first log line: the JVM is up and the service's main has begun
 * @param streamsStarted {@code starting purpose firewall}: configuration, policy, topic check and schemas done
 * @param rebalancing    Kafka Streams went from CREATED to REBALANCING: its threads run and it has joined the group
 * @param firstRestore   the first {@code restoring store from its changelog} after that (-1 also when nothing was
 *                       restored)
 * @param running        the first RUNNING: tasks assigned and stores restored
 */
record InstanceStart(long processStart, long firstLog, long streamsStarted, long rebalancing, long firstRestore,
                     long running) {

    static final String START_MARKER = "==== campaign: start ";

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");

    boolean reachedRunning() {
        return running >= 0;
    }

    /**
     * The starts in one instance's log, in order. {@code zone} is the zone of the service's log times (the
     * harness's own, as both run on one machine).
     */
    static List<InstanceStart> parse(Stream<String> lines, ZoneId zone) {
        List<InstanceStart> starts = new ArrayList<>();
        long[] current = null;
        for (String line : (Iterable<String>) lines::iterator) {
            if (line.startsWith(START_MARKER)) {
                if (current != null) {
                    starts.add(of(current));
                }
                int at = line.lastIndexOf(" at ");
                current = new long[] {-1, -1, -1, -1, -1, -1};
                try {
                    current[0] = Instant.parse(line.substring(at + 4).strip()).toEpochMilli();
                } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
                    current = null;
                }
                continue;
            }
            if (current == null || current[5] >= 0) {
                continue;
            }
            long time = time(line, zone);
            if (time < 0) {
                continue;
            }
            if (current[1] < 0) {
                current[1] = time;
            }
            if (current[2] < 0 && line.contains("starting purpose firewall")) {
                current[2] = time;
            } else if (current[3] < 0 && line.contains("from=\"CREATED\" to=\"REBALANCING\"")) {
                current[3] = time;
            } else if (current[3] >= 0 && current[4] < 0 && line.contains("restoring store from its changelog")) {
                current[4] = time;
            } else if (current[3] >= 0 && line.contains("streams state changed") && line.contains("to=\"RUNNING\"")) {
                current[5] = time;
            }
        }
        if (current != null) {
            starts.add(of(current));
        }
        return starts;
    }

    private static InstanceStart of(long[] t) {
        return new InstanceStart(t[0], t[1], t[2], t[3], t[4], t[5]);
    }

    private static long time(String line, ZoneId zone) {
        if (line.length() < 23 || !Character.isDigit(line.charAt(0))) {
            return -1;
        }
        try {
            return LocalDateTime.parse(line.substring(0, 23), LOG_TIME).atZone(zone).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
