package org.purposefirewall.policy;

import java.util.Objects;

/**
 * A collection purpose in force for one identifier of one user at the record's event time.
 *
 * @param purpose the purpose the identifier was collected for
 * @param sourceSystem the system that registered it (audit only)
 * @param registeredAt event time of the registration, epoch milliseconds
 */
public record ActiveRegistration(Purpose purpose, String sourceSystem, long registeredAt) {

    public ActiveRegistration {
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(sourceSystem, "sourceSystem");
    }
}
