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
}
