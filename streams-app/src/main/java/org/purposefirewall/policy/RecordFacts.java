package org.purposefirewall.policy;

import java.util.List;
import java.util.Objects;

/**
 * What the decision needs to know of one input record, already validated by the caller.
 *
 * @param declaredPurposes purposes the producer declared for the identifier
 * @param eventTime event time of the record, epoch milliseconds
 * @param limitAdTracking the identifier is the all-zero mobile advertising id: the device asked to limit ad tracking
 * @param fieldMatches what the tripwire found anywhere in the record, the decided identifier's own field included
 *     when it is a honeytoken
 */
public record RecordFacts(List<Purpose> declaredPurposes, long eventTime, boolean limitAdTracking,
                          List<FieldMatch> fieldMatches) {

    public RecordFacts {
        declaredPurposes = List.copyOf(Objects.requireNonNull(declaredPurposes, "declaredPurposes"));
        fieldMatches = List.copyOf(Objects.requireNonNull(fieldMatches, "fieldMatches"));
    }

    /** Facts with no tripwire findings. */
    public RecordFacts(List<Purpose> declaredPurposes, long eventTime, boolean limitAdTracking) {
        this(declaredPurposes, eventTime, limitAdTracking, List.of());
    }
}
