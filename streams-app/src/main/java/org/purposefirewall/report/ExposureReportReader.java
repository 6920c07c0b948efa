package org.purposefirewall.report;

import java.time.Duration;
import java.util.Map;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * Reads the ad topic and the recalls topic from their beginning up to their end at the time of the call
 * (read_committed), into an {@link ExposureReport}. Uses no consumer group: it commits nothing and disturbs no one.
 */
public final class ExposureReportReader {

    private ExposureReportReader() {
    }

    /**
     * @param clientProperties consumer properties: bootstrap servers and any security settings
     * @param deadline how long to read before failing
     * @throws IllegalStateException if a topic does not exist or cannot be read to its end within the deadline
     */
    public static void read(Map<String, Object> clientProperties, FirewallSerdes serdes, String audienceTopic,
                            String recallsTopic, ExposureReport report, Duration deadline) {
        try (TopicReader reader = new TopicReader(clientProperties, "purpose-firewall-exposure-report", deadline)) {
            // Both ends taken at one moment; every forward before any recall, which is matched against the
            // exposure it ends.
            var forwards = reader.ranges(audienceTopic, null);
            var recalls = reader.ranges(recallsTopic, null);
            reader.read(forwards, r -> report.forwarded(serdes.audience().decode(r.value())));
            reader.read(recalls, r -> report.recalled(serdes.recall().decode(r.value())));
        }
    }
}
