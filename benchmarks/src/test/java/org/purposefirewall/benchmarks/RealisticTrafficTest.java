package org.purposefirewall.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.ScenarioTraffic.Event;
import org.purposefirewall.fixtures.ScenarioTraffic.Expected;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.serde.FirewallSerdes;

/** The realistic mode's traffic: deterministic, counted exactly, and side traffic that changes no outcome. */
class RealisticTrafficTest {

    private static final Topics TOPICS = new Topics("t.cp", "t.consent", "t.reg", "t.a", "t.q", "t.s", "t.d");

    private static RealisticTraffic traffic(int users, int registrations, int contactPoints) {
        FirewallSerdes serdes = FirewallSerdes.fromSettings(
                SchemaRegistryConfig.inMemory("realistic-traffic-test"));
        return new RealisticTraffic(TOPICS, serdes, users, registrations, contactPoints, 1_000_000L, 2_000_000L);
    }

    @Test
    void sameIndexSameRecord() {
        RealisticTraffic a = traffic(10_000, 1_000, 5_000);
        RealisticTraffic b = traffic(10_000, 1_000, 5_000);
        for (int k = 0; k < 200; k++) {
            assertThat(a.contactPoint(k).value()).isEqualTo(b.contactPoint(k).value());
            assertThat(a.contactPoint(k).expected()).isEqualTo(b.contactPoint(k).expected());
        }
        assertThat(a.consent(17).value()).isEqualTo(b.consent(17).value());
        assertThat(a.registration(3).value()).isEqualTo(b.registration(3).value());
    }

    @Test
    void expectedCountsCoverEveryContactPointAndEveryOutcomeOccurs() {
        RealisticTraffic t = traffic(20_000, 2_000, 10_000);
        Map<Expected, Long> counts = t.expectedCounts(0, 10_000);
        assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(10_000);
        assertThat(counts.get(Expected.FORWARD)).isPositive();
        assertThat(counts.get(Expected.QUARANTINE)).isPositive();
        assertThat(counts.get(Expected.SUPPRESS)).isPositive();
        assertThat(counts.get(Expected.DEAD_LETTER)).isZero();
        Map<Expected, Long> first = t.expectedCounts(0, 4_000);
        Map<Expected, Long> rest = t.expectedCounts(4_000, 10_000);
        for (Expected e : Expected.values()) {
            assertThat(first.get(e) + rest.get(e)).isEqualTo(counts.get(e));
        }
        assertThat(t.contactPointsOfRegisteredUsers(0, 10_000)).isPositive();
    }

    @Test
    void registrationsAreOfDistinctUsersAndSideTrafficAvoidsContactPointUsers() {
        RealisticTraffic t = traffic(5_000, 500, 3_000);
        Set<String> registered = new HashSet<>();
        for (int j = 0; j < 500; j++) {
            Event e = t.registration(j);
            assertThat(e.topic()).isEqualTo(TOPICS.registrations());
            assertThat(registered.add(e.key())).as("user of registration %d", j).isTrue();
        }
        Set<String> contacted = new HashSet<>();
        for (int k = 0; k < 3_000; k++) {
            contacted.add(t.contactPoint(k).key());
        }
        for (int j = 0; j < 400; j++) {
            Event side = t.side(j, 2_500_000L);
            assertThat(contacted).as("side record %d's user", j).doesNotContain(side.key());
            assertThat(side.topic()).isEqualTo(RealisticTraffic.sideIsRegistration(j) ? TOPICS.registrations()
                    : TOPICS.consent());
            if (RealisticTraffic.sideIsRegistration(j)) {
                assertThat(registered).doesNotContain(side.key());
            }
        }
    }

    @Test
    void everyPopulationUserHasOneConsentRecord() {
        RealisticTraffic t = traffic(1_000, 100, 100);
        Set<String> users = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            Event e = t.consent(i);
            assertThat(e.topic()).isEqualTo(TOPICS.consent());
            users.add(e.key());
        }
        assertThat(users).hasSize(1_000);
    }
}
