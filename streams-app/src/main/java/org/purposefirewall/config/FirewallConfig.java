package org.purposefirewall.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.purposefirewall.consent.TcfSettings;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.registry.SchemaRegistryConfig;

/**
 * The whole configuration of one firewall instance, validated. Immutable.
 *
 * @param applicationId Kafka Streams {@code application.id}: the consumer group, and the prefix of internal topics
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param schemaRegistry which schema registry the serdes use and how ({@code schema-registry:}), validated
 * @param topics topic names
 * @param processing processing settings
 * @param identity how identifiers are read (the default region of phone numbers); null means the defaults
 * @param streams further Kafka Streams, consumer, producer or admin settings, passed through as given. A map, not a
 *     typed value, on purpose: these are Kafka's own settings, declared, typed and documented by Kafka
 *     ({@code StreamsConfig}, {@code ConsumerConfig}, ...); the loader checks every key against those definitions and
 *     rejects the ones the firewall owns, and Kafka Streams checks the values when it starts
 * @param policyFile where the policy was read from
 * @param policy the policy enforced
 * @param honeytokens the policy's honeytokens, normalized under {@code identity}; none if null
 * @param consentSignals how TCF consent maps onto the taxonomy (the policy's {@code consent-signals.tcf}); the
 *     defaults if null
 * @param http the service's HTTP endpoint (metrics, health, monitor); the defaults if null
 * @param shadow the candidate policy decided beside {@code policy} ({@code shadow-policy-file}); null: no shadow mode
 */
public record FirewallConfig(String applicationId,
                             String bootstrapServers,
                             SchemaRegistryConfig schemaRegistry,
                             Topics topics,
                             Processing processing,
                             IdentityOptions identity,
                             Map<String, String> streams,
                             Path policyFile,
                             Policy policy,
                             Honeytokens honeytokens,
                             TcfSettings consentSignals,
                             HttpSettings http,
                             ShadowPolicy shadow) {

    public FirewallConfig {
        Objects.requireNonNull(applicationId, "application-id");
        Objects.requireNonNull(bootstrapServers, "bootstrap-servers");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(processing, "processing");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(schemaRegistry, "schema-registry");
        identity = identity == null ? IdentityOptions.defaults() : identity;
        honeytokens = honeytokens == null ? Honeytokens.none() : honeytokens;
        consentSignals = consentSignals == null ? TcfSettings.defaults() : consentSignals;
        http = http == null ? HttpSettings.defaults() : http;
        streams = Map.copyOf(new TreeMap<>(streams == null ? Map.of() : streams));
    }

    /** A configuration with the default HTTP endpoint. */
    public FirewallConfig(String applicationId, String bootstrapServers, SchemaRegistryConfig schemaRegistry,
                          Topics topics, Processing processing, IdentityOptions identity, Map<String, String> streams,
                          Path policyFile, Policy policy, Honeytokens honeytokens, TcfSettings consentSignals) {
        this(applicationId, bootstrapServers, schemaRegistry, topics, processing, identity, streams, policyFile,
                policy, honeytokens, consentSignals, null);
    }

    /** A configuration without a shadow policy. */
    public FirewallConfig(String applicationId, String bootstrapServers, SchemaRegistryConfig schemaRegistry,
                          Topics topics, Processing processing, IdentityOptions identity, Map<String, String> streams,
                          Path policyFile, Policy policy, Honeytokens honeytokens, TcfSettings consentSignals,
                          HttpSettings http) {
        this(applicationId, bootstrapServers, schemaRegistry, topics, processing, identity, streams, policyFile,
                policy, honeytokens, consentSignals, http, null);
    }

    /** A configuration with the default consent-signal mapping. */
    public FirewallConfig(String applicationId, String bootstrapServers, SchemaRegistryConfig schemaRegistry,
                          Topics topics, Processing processing, IdentityOptions identity, Map<String, String> streams,
                          Path policyFile, Policy policy, Honeytokens honeytokens) {
        this(applicationId, bootstrapServers, schemaRegistry, topics, processing, identity, streams, policyFile,
                policy, honeytokens, null);
    }

    /** A configuration without honeytokens. */
    public FirewallConfig(String applicationId, String bootstrapServers, SchemaRegistryConfig schemaRegistry,
                          Topics topics, Processing processing, IdentityOptions identity, Map<String, String> streams,
                          Path policyFile, Policy policy) {
        this(applicationId, bootstrapServers, schemaRegistry, topics, processing, identity, streams, policyFile,
                policy, null);
    }

    /**
     * Whether the schemas live in the in-memory {@code mock://} registry: nothing outside this process can read or
     * register them, so no producer can write records the firewall reads. For tests and trying the firewall alone;
     * {@code run} refuses it unless told otherwise, and the health endpoint may report it.
     */
    public boolean inMemoryRegistry() {
        return schemaRegistry.inMemory();
    }

    /** A copy with other topics, e.g. with guarded topics added. */
    public FirewallConfig withTopics(Topics other) {
        return new FirewallConfig(applicationId, bootstrapServers, schemaRegistry, other, processing, identity,
                streams, policyFile, policy, honeytokens, consentSignals, http, shadow);
    }

    /** A copy deciding {@code candidate} beside the enforcing policy (shadow mode); null turns shadow mode off. */
    public FirewallConfig withShadow(ShadowPolicy candidate) {
        return new FirewallConfig(applicationId, bootstrapServers, schemaRegistry, topics, processing, identity,
                streams, policyFile, policy, honeytokens, consentSignals, http, candidate);
    }

    /** A copy with other bootstrap servers, for command-line overrides. */
    public FirewallConfig withBootstrapServers(String servers) {
        return new FirewallConfig(applicationId, servers, schemaRegistry, topics, processing, identity, streams,
                policyFile, policy, honeytokens, consentSignals, http, shadow);
    }

    /** A copy with other schema registry settings, for command-line overrides. */
    public FirewallConfig withSchemaRegistry(SchemaRegistryConfig settings) {
        return new FirewallConfig(applicationId, bootstrapServers, settings, topics, processing, identity, streams,
                policyFile, policy, honeytokens, consentSignals, http, shadow);
    }

    /** A copy with other HTTP endpoint settings (tests listen on port 0). */
    public FirewallConfig withHttp(HttpSettings settings) {
        return new FirewallConfig(applicationId, bootstrapServers, schemaRegistry, topics, processing, identity,
                streams, policyFile, policy, honeytokens, consentSignals, settings, shadow);
    }

    /** A copy with other processing settings, e.g. a replay's, which never waits for late consent. */
    public FirewallConfig withProcessing(Processing other) {
        return new FirewallConfig(applicationId, bootstrapServers, schemaRegistry, topics, other, identity, streams,
                policyFile, policy, honeytokens, consentSignals, http);
    }

    /** A copy with another application id and state directory, e.g. for a replay beside the live instance. */
    public FirewallConfig withApplicationId(String id, Path stateDir) {
        Processing p = processing.withStateDir(stateDir);
        return new FirewallConfig(id, bootstrapServers, schemaRegistry, topics, p, identity, streams, policyFile,
                policy, honeytokens, consentSignals, http, shadow);
    }
}
