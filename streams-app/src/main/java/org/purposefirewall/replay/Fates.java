package org.purposefirewall.replay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.purposefirewall.policy.ReplayChange.Fate;

/**
 * Outputs grouped by the input they name, and the one fate they give it. A record forwarded with several
 * identifiers has several ad records and is FORWARDED; outputs of two kinds for one record are SEVERAL (under
 * exactly-once that never happens, which is what a replay checks); none is NONE. Not thread-safe.
 */
final class Fates {

    private final Set<Output.Source> wanted;
    private final Map<Output.Source, List<Output>> bySource = new HashMap<>();
    /** Ad records written before ad records carried coordinates, by decision id. */
    private final Map<String, List<Output>> sourceless = new HashMap<>();
    private final Set<String> sourcelessVersions = new LinkedHashSet<>();
    private final Map<String, String> pool = new HashMap<>();
    private long read;

    /** @param wanted the inputs whose outputs are kept (null: all) */
    Fates(Set<Output.Source> wanted) {
        this.wanted = wanted;
    }

    void add(Output output) {
        read++;
        if (output.source() == null) {
            if (output.decisionId() != null && output.fate() == Fate.FORWARDED) {
                sourceless.computeIfAbsent(output.decisionId(), k -> new ArrayList<>(1)).add(output.shared(pool));
                sourcelessVersions.add(output.policyVersion());
            }
            return;
        }
        if (wanted == null || wanted.contains(output.source())) {
            Output kept = output.shared(pool);
            bySource.computeIfAbsent(kept.source(), k -> new ArrayList<>(1)).add(kept);
        }
    }

    /** How many outputs were read, kept or not. */
    long read() {
        return read;
    }

    /** Every output that names {@code source}, possibly none. */
    List<Output> of(Output.Source source) {
        List<Output> found = bySource.getOrDefault(source, List.of());
        if (sourceless.isEmpty()) {
            return found;
        }
        List<Output> all = new ArrayList<>(found);
        for (String version : sourcelessVersions) {
            List<Output> matched = sourceless.get(Output.contactPointDecisionId(source, version));
            if (matched != null) {
                matched.forEach(o -> all.add(o.at(source)));
            }
        }
        return all;
    }

    /** The one fate of a record with these outputs. */
    static Fate fate(List<Output> outputs) {
        if (outputs.isEmpty()) {
            return Fate.NONE;
        }
        Fate first = outputs.get(0).fate();
        for (Output o : outputs) {
            if (o.fate() != first) {
                return Fate.SEVERAL;
            }
        }
        return first;
    }
}
