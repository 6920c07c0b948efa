package org.purposefirewall.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.purposefirewall.policy.ReplayChange.Fate;

class ReplayChangeTest {

    private static final Set<Fate> DECIDED = EnumSet.of(Fate.FORWARDED, Fate.QUARANTINED, Fate.SUPPRESSED,
            Fate.DEAD_LETTERED);

    @Test
    void shouldCallEveryPairOfEqualDecidedFatesAnAgreement() {
        for (Fate fate : DECIDED) {
            assertThat(ReplayChange.of(fate, fate)).as(fate.name()).isNull();
        }
        assertThat(ReplayChange.of(Fate.NONE, Fate.NONE)).isNull();
    }

    @Test
    void shouldClassifyEveryOtherPairAndOnlyForwardedThenAsHavingReachedTheAdSide() {
        int classified = 0;
        for (Fate then : Fate.values()) {
            for (Fate now : Fate.values()) {
                ReplayChange change = ReplayChange.of(then, now);
                if (then == now && then != Fate.SEVERAL) {
                    continue;
                }
                assertThat(change).as(then + " -> " + now).isNotNull();
                classified++;
                if (change.reachedAdSideThen()) {
                    assertThat(then).as(change.code()).isEqualTo(Fate.FORWARDED);
                    assertThat(now).isNotEqualTo(Fate.FORWARDED);
                }
                if (change == ReplayChange.NEWLY_FORWARDED) {
                    assertThat(now).isEqualTo(Fate.FORWARDED);
                }
            }
        }
        assertThat(classified).isEqualTo(Fate.values().length * Fate.values().length - 5);
    }

    @Test
    void shouldNameTheCasesAnInvestigationAsksAbout() {
        assertThat(ReplayChange.of(Fate.FORWARDED, Fate.QUARANTINED)).isEqualTo(ReplayChange.EXPOSURE);
        assertThat(ReplayChange.of(Fate.FORWARDED, Fate.SUPPRESSED))
                .isEqualTo(ReplayChange.FORWARDED_WITHOUT_CONSENT);
        assertThat(ReplayChange.of(Fate.SUPPRESSED, Fate.FORWARDED)).isEqualTo(ReplayChange.NEWLY_FORWARDED);
        assertThat(ReplayChange.of(Fate.QUARANTINED, Fate.FORWARDED)).isEqualTo(ReplayChange.NEWLY_FORWARDED);
        assertThat(ReplayChange.of(Fate.SUPPRESSED, Fate.QUARANTINED)).isEqualTo(ReplayChange.NEWLY_QUARANTINED);
        assertThat(ReplayChange.of(Fate.QUARANTINED, Fate.SUPPRESSED))
                .isEqualTo(ReplayChange.RELEASED_FROM_QUARANTINE);
        assertThat(ReplayChange.of(Fate.DEAD_LETTERED, Fate.SUPPRESSED)).isEqualTo(ReplayChange.NOW_DECIDED);
        assertThat(ReplayChange.of(Fate.SUPPRESSED, Fate.DEAD_LETTERED)).isEqualTo(ReplayChange.NOW_REJECTED);
        // The service's own faults first, whatever the replay says
        assertThat(ReplayChange.of(Fate.NONE, Fate.FORWARDED)).isEqualTo(ReplayChange.UNDECIDED_THEN);
        assertThat(ReplayChange.of(Fate.SEVERAL, Fate.SEVERAL)).isEqualTo(ReplayChange.SEVERAL_OUTCOMES_THEN);
        assertThat(ReplayChange.of(Fate.FORWARDED, Fate.NONE)).isEqualTo(ReplayChange.UNDECIDED_NOW);
        assertThat(ReplayChange.of(Fate.FORWARDED, Fate.SEVERAL)).isEqualTo(ReplayChange.SEVERAL_OUTCOMES_NOW);
    }

    @Test
    void shouldGiveEachChangeADistinctStableCode() {
        assertThat(EnumSet.allOf(ReplayChange.class)).extracting(ReplayChange::code).doesNotHaveDuplicates()
                .allMatch(code -> code.matches("[a-z]+(-[a-z]+)*"));
    }
}
