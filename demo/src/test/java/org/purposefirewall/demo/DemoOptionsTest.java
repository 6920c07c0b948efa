package org.purposefirewall.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The demo against a running cluster: its own options. */
class DemoOptionsTest {

    @Test
    void shouldTakeARunningClusterWithItsFirewallsRegistry() {
        DemoOptions options = DemoOptions.parse(new String[]{"--bootstrap-servers", "127.0.0.1:19092",
                "--registry-url=http://127.0.0.1:18081/apis/ccompat/v7", "--users", "500"});

        assertThat(options.bootstrapServers()).isEqualTo("127.0.0.1:19092");
        assertThat(options.registryUrl()).isEqualTo("http://127.0.0.1:18081/apis/ccompat/v7");
        assertThat(options.users()).isEqualTo(500);
        assertThat(DemoOptions.parse(new String[0]).bootstrapServers()).as("in-process by default").isNull();
    }

    @Test
    void shouldRefuseARunningClusterWithTheInMemoryRegistryWhichItsFirewallCannotShare() {
        assertThatThrownBy(() -> DemoOptions.parse(new String[]{"--bootstrap-servers", "127.0.0.1:19092"}))
                .isInstanceOf(DemoOptions.UsageException.class)
                .hasMessageContaining("--registry-url");
        assertThatThrownBy(() -> DemoOptions.parse(new String[]{"--bootstrap-servers", " "}))
                .isInstanceOf(DemoOptions.UsageException.class);
    }
}
