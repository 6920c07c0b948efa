package org.purposefirewall.topology;

import java.util.List;
import java.util.Set;
import org.apache.avro.generic.IndexedRecord;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;

/**
 * What a data record (a contact point, or a record of a guarded topic) holds that the decision needs, read and
 * validated by its input adapter.
 *
 * @param userId the user id (key and payload agree)
 * @param eventTime the record's event time
 * @param identifiers the identifiers it would send to the ad side, in field order (none: it has nothing to forward)
 * @param declared the purposes its producer declared
 * @param payload the record, for the tripwire to read its other fields
 * @param decidedPaths the fields of {@code identifiers}, which the tripwire skips
 * @param contact the contact point, copied into a quarantine record; null for a guarded record
 * @param guarded a guarded topic's record: its quarantine keeps the original bytes, and its decision ids name the
 *     identifier's field
 */
record DataFacts(String userId, long eventTime, List<Identifier> identifiers, List<Purpose> declared,
                 IndexedRecord payload, Set<String> decidedPaths, ContactPoint contact, boolean guarded) {

    /**
     * One identifier of the record.
     *
     * @param path its field
     * @param type its type, as the output schemas name it
     * @param normalized its normal form and match keys
     */
    record Identifier(String path, IdentifierType type, Normalization.Ok normalized) {
    }
}
