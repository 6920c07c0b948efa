package org.purposefirewall.policy;

import java.util.List;
import java.util.Objects;

/**
 * What the tripwire found in one field of a record: an identifier that is a honeytoken, or that is registered to the
 * record's user at the record's event time. Fields whose identifiers match nothing are not reported.
 *
 * @param path where in the record, e.g. {@code profile.contacts[2].value} or {@code attributes["backup"]}; never
 *     contains the identifier
 * @param registrations the identifier's registrations in force at the record's event time (possibly empty)
 * @param honeytoken the label of the honeytoken it is, or null
 */
public record FieldMatch(String path, List<ActiveRegistration> registrations, String honeytoken) {

    public FieldMatch {
        Objects.requireNonNull(path, "path");
        registrations = List.copyOf(Objects.requireNonNull(registrations, "registrations"));
    }
}
