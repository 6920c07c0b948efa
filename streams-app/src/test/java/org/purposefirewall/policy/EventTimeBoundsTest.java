package org.purposefirewall.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Which event times are believed, and that whatever a record says, the time written is one a broker accepts. */
class EventTimeBoundsTest {

    private static final long NOW = 1_764_000_000_000L;
    private final EventTimeBounds bounds = EventTimeBounds.defaults();

    @Test
    void shouldRejectTimesBeforeTheFloorOrBeyondTheSkewAndAcceptTheEdges() {
        assertThat(bounds.problem(EventTimeBounds.DEFAULT_FLOOR_MS, NOW)).isNull();
        assertThat(bounds.problem(NOW + 300_000L, NOW)).isNull();
        assertThat(bounds.problem(EventTimeBounds.DEFAULT_FLOOR_MS - 1, NOW)).contains("floor");
        assertThat(bounds.problem(NOW + 300_001L, NOW)).contains("ahead of the processing clock");
        assertThat(bounds.problem(-1L, NOW)).isNotNull();
        long year2100 = 4_102_444_800_000L;
        assertThat(bounds.problem(year2100, NOW)).isNotNull();
    }

    @Test
    void shouldFallBackToTheKafkaTimestampThenTheClock() {
        assertThat(bounds.safe(NOW - 5, NOW - 9, NOW)).isEqualTo(NOW - 5);
        assertThat(bounds.safe(4_102_444_800_000L, NOW - 9, NOW)).isEqualTo(NOW - 9);
        assertThat(bounds.safe(-1L, -1L, NOW)).isEqualTo(NOW);
    }

    @Test
    void shouldRejectNegativeBounds() {
        assertThatThrownBy(() -> new EventTimeBounds(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventTimeBounds(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 2_000)
    void aSafeTimeIsAlwaysWithinTheBoundsWhateverTheRecordHolds(@ForAll long preferred, @ForAll long fallback) {
        long safe = bounds.safe(preferred, fallback, NOW);
        assertThat(bounds.plausible(safe, NOW)).isTrue();
        assertThat(safe).isBetween(EventTimeBounds.DEFAULT_FLOOR_MS, NOW + 300_000L);
    }
}
