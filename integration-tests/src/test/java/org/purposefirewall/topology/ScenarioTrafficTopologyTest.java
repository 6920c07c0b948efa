package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.fixtures.ScenarioTraffic.Event;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;

/**
 * The scenario traffic of the demo, the benchmarks and the end-to-end tests through the firewall topology in a
 * {@link org.apache.kafka.streams.TopologyTestDriver}: the expected outcomes {@link ScenarioTraffic} states are the
 * ones the topology gives, with no broker in between. It lives here rather than beside the other topology tests
 * because {@code ScenarioTraffic} is in test-fixtures, which depends on streams-app; it is in the topology package to
 * reuse streams-app's package-private {@link FirewallDriver} (from streams-app's test jar) unchanged.
 */
class ScenarioTrafficTopologyTest {

    private static final long T = 1_700_000_000_000L;

    @TempDir
    Path stateDir;

    private FirewallDriver fw;

    @BeforeEach
    void start() {
        fw = new FirewallDriver(stateDir);
    }

    @AfterEach
    void stop() {
        fw.close();
    }

    @Test
    void everyContactPointOfTheScenarioEndsInExactlyOneOutput() {
        ScenarioTraffic traffic = new ScenarioTraffic(fw.topics, fw.serdes, T);
        int users = 2_000;
        long contactPoints = 0;
        for (int i = 0; i < users; i++) {
            for (Event e : traffic.user(i)) {
                var input = fw.driver.createInputTopic(e.topic(), new StringSerializer(), new ByteArraySerializer());
                input.pipeInput(e.key(), e.value(), e.timestamp());
                if (e.expected() != null) {
                    contactPoints++;
                }
            }
        }
        Map<Expected, Long> expected = traffic.expectedCounts(users);

        long forwarded = fw.audience.getQueueSize();
        long quarantined = fw.quarantine.getQueueSize();
        long suppressed = fw.suppressed.getQueueSize();
        long dead = fw.deadLetter.getQueueSize();
        assertThat(forwarded + quarantined + suppressed + dead).isEqualTo(contactPoints);
        assertThat(forwarded).isEqualTo(expected.get(Expected.FORWARD));
        assertThat(quarantined).isEqualTo(expected.get(Expected.QUARANTINE));
        assertThat(suppressed).isEqualTo(expected.get(Expected.SUPPRESS));
        assertThat(dead).isEqualTo(expected.get(Expected.DEAD_LETTER));
        assertThat(forwarded).isPositive();
        assertThat(quarantined).isPositive();
    }
}
