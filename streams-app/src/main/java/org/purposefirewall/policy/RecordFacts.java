package org.purposefirewall.policy;

import java.util.List;
import java.util.Objects;

/**
 * What the decision needs to know of one input record, already validated by the caller.
 *
 * @param declaredPurposes purposes the producer declared for the identifier
 * @param eventTime event time of the record, epoch milliseconds
 * @param limitAdTracking the identifier is the all-zero mobile advertising id: the device asked to limit ad tracking
 */
public record RecordFacts(List<Purpose> declaredPurposes, long eventTime, boolean limitAdTracking) {

    public RecordFacts {
        declaredPurposes = List.copyOf(Objects.requireNonNull(declaredPurposes, "declaredPurposes"));
    }
}
