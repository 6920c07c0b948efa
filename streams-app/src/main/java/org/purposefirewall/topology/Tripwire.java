package org.purposefirewall.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.generic.IndexedRecord;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.IdentifierCandidates;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.policy.ActiveRegistration;
import org.purposefirewall.policy.FieldMatch;

/**
 * Checks every string of a record, beyond the identifiers the record declares, against the record user's
 * registrations (in every hash form, at the record's event time) and against the honeytokens. It finds a security
 * email hidden in a nested field of a schema the firewall has never seen, a phone number written into a free-text
 * note, or a digest of either in a URL.
 *
 * <p>A string equal to the record's key (the user id) is not checked: user ids are pseudonymous by contract, and a
 * deployment that keys by email would otherwise match every record against itself. Stateless apart from the store
 * it reads; one per processor.
 */
final class Tripwire {

    private final IdentifierNormalizer.Configured normalizer;
    private final Honeytokens honeytokens;

    Tripwire(IdentifierNormalizer.Configured normalizer, Honeytokens honeytokens) {
        this.normalizer = normalizer;
        this.honeytokens = honeytokens;
    }

    /**
     * What the check found.
     *
     * @param matches fields holding a honeytoken or a registered identifier of the user, in field order
     * @param unscannablePath the first field that could not be read entirely (too long, too many phone-like runs,
     *     or nested too deep), or null; the caller must not forward such a record
     */
    record Result(List<FieldMatch> matches, String unscannablePath) {
    }

    /**
     * Checks {@code record}.
     *
     * @param skipPaths fields not to check (the identifiers the caller decides itself)
     */
    Result scan(Registrations registrations, String userId, long eventTime, IndexedRecord record,
                Set<String> skipPaths) {
        List<FieldMatch> matches = new ArrayList<>(0);
        String[] unscannable = new String[1];
        String stopped = FieldWalker.walk(record, (path, value, pii, mapKey) -> {
            if (skipPaths.contains(path) || value.length() == 0 || value.toString().equals(userId)) {
                return;
            }
            IdentifierCandidates.Scan scan = IdentifierCandidates.find(normalizer, value);
            if (!scan.complete() && unscannable[0] == null) {
                unscannable[0] = path;
            }
            for (Normalization.Ok candidate : scan.candidates()) {
                String label = honeytokens.labelOf(candidate);
                List<ActiveRegistration> active = registrations.activeAt(userId, candidate.keys(), eventTime);
                if (label != null || !active.isEmpty()) {
                    matches.add(new FieldMatch(path, active, label));
                }
            }
        });
        return new Result(matches, stopped != null ? stopped : unscannable[0]);
    }
}
