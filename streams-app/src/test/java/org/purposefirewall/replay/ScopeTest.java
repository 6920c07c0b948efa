package org.purposefirewall.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScopeTest {

    @Test
    void shouldParseOffsetRangesWithColonsInTheTopicName() {
        assertThat(Scope.OffsetRange.parse("user.contact-points:2:100-200"))
                .isEqualTo(new Scope.OffsetRange("user.contact-points", 2, 100, 200));
        assertThat(Scope.OffsetRange.parse("a:b:0:7")).isEqualTo(new Scope.OffsetRange("a:b", 0, 7, 8));
        assertThat(Scope.OffsetRange.parse("t:1:5-")).isEqualTo(new Scope.OffsetRange("t", 1, 5, Long.MAX_VALUE));
    }

    @Test
    void shouldRejectWhatIsNotARangeWithTheExpectedForm() {
        for (String bad : List.of("t", "t:1", "t:x:1-2", "t:1:5-3", "t:-1:1-2", ":1:1-2", "t:1:a-b")) {
            assertThatThrownBy(() -> Scope.OffsetRange.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TOPIC:PARTITION:FROM");
        }
    }

    @Test
    void shouldKeepDataRecordsByEventTimeOffsetsAndUserAndSideRecordsBeforeTheEnd() {
        Instant from = Instant.ofEpochMilli(1_000);
        Instant to = Instant.ofEpochMilli(2_000);
        Scope scope = new Scope(from, to, List.of(new Scope.OffsetRange("cp", 0, 10, 20)), Set.of("ann"));
        assertThat(scope.dataInScope("cp", 0, 10, 1_000, "ann")).isTrue();
        assertThat(scope.dataInScope("cp", 0, 19, 1_999, "ann")).isTrue();
        assertThat(scope.dataInScope("cp", 0, 20, 1_500, "ann")).as("offset past the range").isFalse();
        assertThat(scope.dataInScope("cp", 1, 15, 1_500, "ann")).as("other partition").isFalse();
        assertThat(scope.dataInScope("cp", 0, 15, 999, "ann")).as("before from").isFalse();
        assertThat(scope.dataInScope("cp", 0, 15, 2_000, "ann")).as("to is exclusive").isFalse();
        assertThat(scope.dataInScope("cp", 0, 15, 1_500, "bob")).as("another user").isFalse();
        assertThat(scope.dataInScope("cp", 0, 15, 1_500, null)).as("no user").isFalse();
        // Any side record before the end may decide a record in scope, however old
        assertThat(scope.sideInScope(0, "ann")).isTrue();
        assertThat(scope.sideInScope(1_999, "ann")).isTrue();
        assertThat(scope.sideInScope(2_000, "ann")).isFalse();
        assertThat(scope.sideInScope(1_500, "bob")).isFalse();
        assertThat(Scope.all().dataInScope("x", 3, 4, 5, null)).isTrue();
        assertThat(Scope.all().sideInScope(Long.MAX_VALUE, null)).isTrue();
    }

    @Test
    void shouldRefuseAnEmptyTimeRange() {
        Instant t = Instant.ofEpochMilli(5);
        assertThatThrownBy(() -> new Scope(t, t, List.of(), Set.of())).hasMessageContaining("--from must be before");
    }
}
