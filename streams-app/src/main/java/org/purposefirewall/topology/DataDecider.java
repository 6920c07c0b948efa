package org.purposefirewall.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.policy.ActiveRegistration;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.FieldMatch;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.PurposePolicy;
import org.purposefirewall.policy.RecordFacts;
import org.purposefirewall.policy.Verdict;

/**
 * Gathers what the policy needs about a data record from the task's state, as of the record's event time (the
 * user's consent, each identifier's registrations in every form, what the tripwire finds in its other fields and
 * which honeytokens it holds), and asks the policy: one decision per identifier, combined into one {@link Verdict}.
 * It decides nothing itself and writes nothing. One per processor instance.
 */
final class DataDecider {

    /**
     * The verdict, with what was read for it.
     *
     * @param verdict the record's one outcome
     * @param histories each identifier's registration histories, same order as the facts' identifiers, for the
     *     recall check after a forward
     * @param unscannablePath a field the tripwire could not read whole, or null: then {@code verdict} is null and the
     *     record must be dead-lettered
     */
    record Decided(Verdict verdict, List<Registrations.Histories> histories, String unscannablePath) {
    }

    private final Policy policy;
    private final Honeytokens honeytokens;
    private final Tripwire tripwire;
    private final VersionedKeyValueStore<String, ConsentSnapshot> consent;
    private final Registrations registrations;

    DataDecider(Policy policy, Honeytokens honeytokens, Tripwire tripwire,
                VersionedKeyValueStore<String, ConsentSnapshot> consent, Registrations registrations) {
        this.policy = policy;
        this.honeytokens = honeytokens;
        this.tripwire = tripwire;
        this.consent = consent;
        this.registrations = registrations;
    }

    Decided decide(DataFacts facts) {
        String userId = facts.userId();
        long eventTime = facts.eventTime();
        Tripwire.Result scan = tripwire.scan(registrations, userId, eventTime, facts.payload(), facts.decidedPaths());
        if (scan.unscannablePath() != null) {
            return new Decided(null, List.of(), scan.unscannablePath());
        }
        List<FieldMatch> matches = new ArrayList<>(scan.matches());
        for (DataFacts.Identifier identifier : facts.identifiers()) {
            String label = honeytokens.labelOf(identifier.normalized());
            if (label != null) {
                matches.add(0, new FieldMatch(identifier.path(), List.of(), label));
            }
        }
        if (facts.identifiers().isEmpty()) {
            return new Decided(Verdict.withoutIdentifier(PurposePolicy.decideWithoutIdentifier(policy,
                    new RecordFacts(List.of(), eventTime, false, matches))), List.of(), null);
        }
        Optional<ConsentSnapshot> state = consentAt(userId, eventTime);
        List<Decision> decisions = new ArrayList<>(facts.identifiers().size());
        List<String> forwardKeys = new ArrayList<>(facts.identifiers().size());
        List<Registrations.Histories> histories = new ArrayList<>(facts.identifiers().size());
        for (DataFacts.Identifier identifier : facts.identifiers()) {
            Registrations.Histories registered = registrations.of(userId, identifier.normalized().keys());
            RecordFacts recordFacts = new RecordFacts(facts.declared(), eventTime,
                    identifier.normalized().limitAdTracking(), matches);
            decisions.add(PurposePolicy.decide(policy, recordFacts, state, registered.activeAt(eventTime)));
            forwardKeys.add(identifier.normalized().keys().forwardKey());
            histories.add(registered);
        }
        return new Decided(Verdict.of(decisions, forwardKeys), histories, null);
    }

    /**
     * What {@code decided} was decided on, read again from the same stores at the same event time, with every rule's
     * result: for an attached {@link DecisionObserver} only.
     */
    DecisionTrace trace(Coordinates at, DataFacts facts, Decided decided) {
        String userId = facts.userId();
        long eventTime = facts.eventTime();
        List<FieldMatch> matches = new ArrayList<>(tripwire.scan(registrations, userId, eventTime, facts.payload(),
                facts.decidedPaths()).matches());
        for (DataFacts.Identifier identifier : facts.identifiers()) {
            String label = honeytokens.labelOf(identifier.normalized());
            if (label != null) {
                matches.add(0, new FieldMatch(identifier.path(), List.of(), label));
            }
        }
        if (facts.identifiers().isEmpty()) {
            return new DecisionTrace(at.topic(), at.partition(), at.offset(), userId, eventTime, facts.declared(),
                    matches, List.of(), PurposePolicy.explainWithoutIdentifier(policy,
                            new RecordFacts(List.of(), eventTime, false, matches)), decided.verdict());
        }
        Optional<ConsentSnapshot> state = consentAt(userId, eventTime);
        List<DecisionTrace.IdentifierTrace> traces = new ArrayList<>();
        for (DataFacts.Identifier identifier : facts.identifiers()) {
            MatchKeys keys = identifier.normalized().keys();
            List<DecisionTrace.FormMatch> forms = new ArrayList<>();
            for (MatchKeys.Key key : keys.all()) {
                for (ActiveRegistration r : registrations.activeAt(userId, MatchKeys.ofDigest(key.form(), key.hex()),
                        eventTime)) {
                    forms.add(new DecisionTrace.FormMatch(key.form(), key.hex(), r));
                }
            }
            RecordFacts recordFacts = new RecordFacts(facts.declared(), eventTime,
                    identifier.normalized().limitAdTracking(), matches);
            traces.add(new DecisionTrace.IdentifierTrace(identifier.path(), identifier.type().name(), keys,
                    identifier.normalized().limitAdTracking(), state, forms, PurposePolicy.explain(policy,
                            recordFacts, state, registrations.activeAt(userId, keys, eventTime))));
        }
        return new DecisionTrace(at.topic(), at.partition(), at.offset(), userId, eventTime, facts.declared(),
                matches, traces, null, decided.verdict());
    }

    /** True if the user has a consent state at {@code eventTime}: late consent for a waiting record has arrived. */
    boolean hasConsent(String userId, long eventTime) {
        return userId != null && consent.get(userId, eventTime) != null;
    }

    private Optional<ConsentSnapshot> consentAt(String userId, long eventTime) {
        VersionedRecord<ConsentSnapshot> state = consent.get(userId, eventTime);
        return state == null ? Optional.empty() : Optional.of(state.value());
    }
}
