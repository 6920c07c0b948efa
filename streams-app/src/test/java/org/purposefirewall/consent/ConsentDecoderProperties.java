package org.purposefirewall.consent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Outcome;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.PurposePolicy;
import org.purposefirewall.policy.RecordFacts;

/** The decoder never throws, and what it cannot read never forwards. */
class ConsentDecoderProperties {

    private static final Purpose TARGETED = Purpose.parse("marketing.advertising.third_party.targeted");
    private static final Policy POLICY = new Policy("p", TARGETED, List.of(Purpose.parse("essential.service.security")));
    private static final ConsentDecoder DECODER = new ConsentDecoder(TcfSettings.defaults());

    @Property(tries = 2000)
    void anyStringDecodesToAStateOrAProblemAndAProblemNeverForwards(@ForAll("consentStrings") String tcf,
                                                                     @ForAll("consentStrings") String gpp,
                                                                     @ForAll boolean useTcf, @ForAll boolean useGpp) {
        // A native grant that would forward on its own
        ConsentSnapshot snapshot = DECODER.decode(new ConsentSignals(Map.of(TARGETED, ConsentChoice.GRANTED),
                false, false, false, useTcf ? tcf : null, useGpp ? gpp : null, System.currentTimeMillis()));

        var decision = PurposePolicy.decide(POLICY, new RecordFacts(List.of(), 0L, false), Optional.of(snapshot),
                List.of());
        if (snapshot.problem() != null) {
            assertThat(decision.outcome()).isEqualTo(Outcome.SUPPRESS);
            assertThat(snapshot.problem()).doesNotContain(useTcf && tcf.length() > 8 ? tcf : "\u0000");
        }
    }

    @Property(tries = 300)
    void aTcfStringForwardsExactlyWhenPurposes3And4AreBothConsented(@ForAll("purposeSets") Set<Integer> purposes) {
        ConsentSnapshot snapshot = DECODER.decode(new ConsentSignals(Map.of(), false, false, false,
                ConsentStrings.tcf(purposes), null, System.currentTimeMillis()));

        Outcome outcome = PurposePolicy.decide(POLICY, new RecordFacts(List.of(), 0L, false), Optional.of(snapshot),
                List.of()).outcome();
        assertThat(outcome).isEqualTo(purposes.containsAll(Set.of(3, 4)) ? Outcome.FORWARD : Outcome.SUPPRESS);
    }

    @Provide
    Arbitrary<String> consentStrings() {
        Arbitrary<String> random = Arbitraries.strings().ofMaxLength(80);
        Arbitrary<String> base64ish = Arbitraries.strings().withCharRange('A', 'Z').withCharRange('a', 'z')
                .numeric().withChars("-_.~").ofMinLength(1).ofMaxLength(120);
        Arbitrary<String> mutated = Arbitraries.integers().between(0, 60).flatMap(cut -> Arbitraries.of(
                ConsentStrings.tcf(Set.of(3, 4)), ConsentStrings.gpp("usnat", "SaleOptOut", 1),
                ConsentStrings.gppWithTcf(4, Set.of(3, 4))).map(s -> s.substring(0, Math.min(cut, s.length()))));
        return Arbitraries.oneOf(random, base64ish, mutated);
    }

    @Provide
    Arbitrary<Set<Integer>> purposeSets() {
        return Arbitraries.integers().between(1, 11).set().ofMaxSize(11);
    }
}
