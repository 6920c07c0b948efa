package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.purposefirewall.identity.IdentifierError;
import org.purposefirewall.policy.Rejection;
import org.purposefirewall.serde.SerdeException;

/** The dead-letter reasons are one list, whichever stage refused a record. */
class RejectionCodesTest {

    @Test
    void shouldNameEveryIdentifierErrorAndDecodingFailureAsARejectionOfTheSameCode() {
        for (String code : Arrays.stream(IdentifierError.values()).map(Enum::name).toList()) {
            assertThat(Rejection.named(code).name()).as(code).isEqualTo(code);
        }
        for (String code : Arrays.stream(SerdeException.Kind.values()).map(Enum::name).toList()) {
            assertThat(Rejection.named(code).name()).as(code).isEqualTo(code);
        }
    }

    @Test
    void shouldListEveryCodeAnOutputCanCarryInItsSchemasDoc() {
        String deadLetter = org.purposefirewall.schema.DeadLetterRecord.getClassSchema().getField("reason").doc();
        for (Rejection rejection : Rejection.values()) {
            assertThat(deadLetter).as("DeadLetterRecord.reason doc").contains(rejection.name());
        }
        String suppressed = org.purposefirewall.schema.SuppressedRecord.getClassSchema().getField("reason").doc();
        for (org.purposefirewall.policy.Reason reason : org.purposefirewall.policy.Reason.values()) {
            if (reason.outcome() == org.purposefirewall.policy.Outcome.SUPPRESS) {
                assertThat(suppressed).as("SuppressedRecord.reason doc").contains(reason.name());
            }
        }
    }
}
