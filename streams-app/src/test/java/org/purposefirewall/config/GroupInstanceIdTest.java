package org.purposefirewall.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GroupInstanceIdTest {

    @Test
    void theDerivedIdIsTheHostAndAHashOfTheStateDirectory() {
        // Given one host and two state directories
        Path a = Path.of("/var/lib/firewall-a");
        Path b = Path.of("/var/lib/firewall-b");

        // When the default id is worked out for each
        String idA = GroupInstanceId.DERIVED.resolve(a, "node-1.example").orElseThrow();
        String idB = GroupInstanceId.DERIVED.resolve(b, "node-1.example").orElseThrow();

        // Then each names the host, they differ, and the same directory gives the same id again
        assertThat(idA).matches("node-1\\.example-[0-9a-f]{12}");
        assertThat(idB).startsWith("node-1.example-").isNotEqualTo(idA);
        assertThat(GroupInstanceId.DERIVED.resolve(Path.of("/var/lib/../lib/firewall-a"), "node-1.example"))
                .contains(idA);
        assertThat(GroupInstanceId.DERIVED.resolve(a, "node-2.example").orElseThrow()).isNotEqualTo(idA);
    }

    @Test
    void aHostNameIsMadeAPlainNameOfBoundedLength() {
        String id = GroupInstanceId.DERIVED.resolve(Path.of("/s"), "Ünïcode host/" + "h".repeat(300)).orElseThrow();

        assertThat(id).matches("[a-z0-9._-]+").hasSizeLessThanOrEqualTo(GroupInstanceId.MAX_LENGTH);
        assertThat(GroupInstanceId.DERIVED.resolve(Path.of("/s"), " ").orElseThrow()).startsWith("unknown-host-");
    }

    @Test
    void noneAndEmptyTurnItOffAndAnExplicitIdIsKeptAsGiven() {
        assertThat(GroupInstanceId.parse("none").resolve(Path.of("/s"), "h")).isEmpty();
        assertThat(GroupInstanceId.parse("  ").resolve(Path.of("/s"), "h")).isEmpty();
        assertThat(GroupInstanceId.parse("derived")).isEqualTo(GroupInstanceId.DERIVED);
        assertThat(GroupInstanceId.parse(" firewall-0 ").resolve(Path.of("/s"), "h")).contains("firewall-0");
        assertThat(GroupInstanceId.DERIVED).hasToString("derived");
        assertThat(GroupInstanceId.NONE).hasToString("none");
    }

    @Test
    void anIdMustBePrintableAndBounded() {
        assertThatThrownBy(() -> GroupInstanceId.of("a\tb")).hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> GroupInstanceId.of("é")).hasMessageContaining("character 1 is not");
        assertThatThrownBy(() -> GroupInstanceId.of("x".repeat(201))).hasMessageContaining("1 to 200 characters");
        assertThat(GroupInstanceId.of("x".repeat(200)).explicit()).hasSize(200);
    }
}
