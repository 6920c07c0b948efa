package org.purposefirewall.app;

import java.nio.file.Path;
import org.purposefirewall.config.ConfigException;
import org.purposefirewall.config.ConfigLoader;
import org.purposefirewall.config.FirewallConfig;
import picocli.CommandLine.Option;

/** The options every command reads its configuration with (a picocli mixin). */
final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "config/application.yaml",
            description = "application config (default: ${DEFAULT-VALUE})")
    Path config;

    @Option(names = "--bootstrap-servers", paramLabel = "HOSTS", description = "override bootstrap-servers")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL",
            description = "override schema-registry.schema.registry.url")
    String schemaRegistryUrl;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "override processing.state-dir")
    Path stateDir;

    /** The configuration the options name, with their overrides. */
    FirewallConfig load() throws ConfigException {
        return load(null);
    }

    /** The configuration with {@code policyOverride} (a candidate policy file, or null) as its policy file. */
    FirewallConfig load(Path policyOverride) throws ConfigException {
        FirewallConfig loaded = new ConfigLoader().load(config, policyOverride);
        if (bootstrapServers != null) {
            loaded = loaded.withBootstrapServers(bootstrapServers);
        }
        if (schemaRegistryUrl != null) {
            try {
                loaded = loaded.withSchemaRegistry(loaded.schemaRegistry().withUrl(schemaRegistryUrl));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--schema-registry-url: " + e.getMessage(), e);
            }
        }
        if (stateDir != null) {
            loaded = loaded.withApplicationId(loaded.applicationId(), stateDir);
        }
        return loaded;
    }
}
