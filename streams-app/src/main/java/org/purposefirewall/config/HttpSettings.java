package org.purposefirewall.config;

import org.purposefirewall.config.def.ConfigDef;
import org.purposefirewall.config.def.ConfigDef.Default;
import org.purposefirewall.config.def.ConfigDef.Key;
import org.purposefirewall.config.def.ConfigDef.Type;
import org.purposefirewall.config.def.ConfigDef.Validator;
import org.purposefirewall.config.def.ConfigValues;

/**
 * The service's HTTP endpoint: the {@code http:} section ({@link #DEF}). It serves {@code /metrics},
 * {@code /health/live}, {@code /health/ready} and the quarantine monitor; {@code run} starts it beside the
 * firewall.
 *
 * @param bindAddress the address to listen on ({@code 0.0.0.0}: every interface, as Kubernetes probes need)
 * @param port the port; 0 picks a free one (tests)
 */
public record HttpSettings(String bindAddress, int port) {

    public static final ConfigDef DEF = new ConfigDef("http");

    public static final Key<String> BIND_ADDRESS = DEF.define("bind-address", Type.STRING, Default.of("0.0.0.0"),
            "Address the HTTP endpoint (metrics, health, quarantine monitor) listens on.");
    public static final Key<Integer> PORT = DEF.define("port", Type.INT, Default.of(8080), Validator.atLeast(0),
            "Port of the HTTP endpoint; 0 picks a free one.");

    public HttpSettings {
        bindAddress = bindAddress == null ? BIND_ADDRESS.defaultValue() : bindAddress;
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " is not a TCP port (0 to 65535)");
        }
    }

    public static HttpSettings defaults() {
        return new HttpSettings(null, PORT.defaultValue());
    }

    static HttpSettings from(ConfigValues v) {
        return new HttpSettings(v.get(BIND_ADDRESS), v.get(PORT));
    }
}
