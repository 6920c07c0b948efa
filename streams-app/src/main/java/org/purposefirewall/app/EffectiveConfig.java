package org.purposefirewall.app;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.config.Processing;
import org.purposefirewall.config.Topics;
import org.purposefirewall.registry.SchemaRegistryConfig;

/**
 * The settings a firewall runs with, after defaults and command-line overrides, under the keys of the configuration
 * file: what {@code validate} prints and {@code run} logs once at start. Pure, no I/O.
 *
 * <p>Nothing secret is in it: registry URLs are shown without user info ({@link SchemaRegistryConfig#url()}),
 * registry credentials and store passwords not at all, and a {@code streams.*} pass-through setting whose name says
 * it holds a secret (password, JAAS config, secret, token, credentials, user info) as {@value #MASK}.
 */
final class EffectiveConfig {

    /** What a secret is shown as. */
    static final String MASK = "[hidden]";

    private static final Pattern SECRET = Pattern.compile("password|jaas|secret|token|credential|user\\.info");

    private EffectiveConfig() {
    }

    /** Every effective setting, in the order of the reference, by its file key. */
    static Map<String, String> of(FirewallConfig config) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("application-id", config.applicationId());
        s.put("bootstrap-servers", config.bootstrapServers());
        // The hash names the exact policy text every output of this run is stamped with (policyHash).
        s.put("policy-file", config.policyFile() + " (version " + config.policy().version()
                + (config.policy().contentHash() == null ? "" : ", sha256 " + config.policy().contentHash()) + ")");
        s.put("shadow-policy-file", config.shadow() == null ? "none" : config.shadow().file() + " (version "
                + config.shadow().policy().version() + (config.shadow().policy().contentHash() == null ? ""
                : ", sha256 " + config.shadow().policy().contentHash()) + ")");
        SchemaRegistryConfig registry = config.schemaRegistry();
        s.put("schema-registry.schema.registry.url", registry.url()
                + (config.inMemoryRegistry() ? " (in memory: no producer outside this process can use it)" : ""));
        s.put("schema-registry.auto.register.schemas", String.valueOf(registry.autoRegister()));
        s.put("schema-registry.use.latest.version", String.valueOf(registry.useLatestVersion()));
        if (registry.credentialsSource() != null) {
            s.put("schema-registry.basic.auth.credentials.source", registry.credentialsSource() + " (credentials "
                    + MASK + ")");
        }
        Topics t = config.topics();
        s.put("topics.contact-points", t.contactPoints());
        s.put("topics.consent", t.consent());
        s.put("topics.registrations", t.registrations());
        s.put("topics.audience", t.audience());
        s.put("topics.quarantine", t.quarantine());
        s.put("topics.suppressed", t.suppressed());
        s.put("topics.dead-letter", t.deadLetter());
        s.put("topics.recalls", t.recalls());
        s.put("topics.guarded", t.guarded().toString());
        s.put("topics.shadow-decisions", t.shadowDecisions());
        Processing p = config.processing();
        s.put("processing.guarantee", p.guarantee().kafkaValue());
        s.put("processing.max-task-idle-ms", String.valueOf(p.maxTaskIdle().toMillis()));
        s.put("processing.settle-ms", String.valueOf(p.settle().toMillis()));
        s.put("processing.side-barrier-poll-ms", String.valueOf(p.sideBarrierPoll().toMillis()));
        s.put("processing.commit-interval-ms", String.valueOf(p.commitInterval().toMillis()));
        s.put("processing.commit-interval-max-ms", String.valueOf(p.commitIntervalMax().toMillis()));
        s.put("processing.num-stream-threads", String.valueOf(p.numStreamThreads()));
        s.put("processing.state-dir", p.stateDir().toString());
        s.put("processing.event-time-floor-ms", String.valueOf(p.eventTimeFloorMs()));
        s.put("processing.max-event-time-skew-ms", String.valueOf(p.maxEventTimeSkew().toMillis()));
        s.put("processing.consent-history-retention-ms", String.valueOf(p.consentHistoryRetention().toMillis()));
        s.put("processing.registry-outage-max-block-ms", String.valueOf(p.registryOutageMaxBlock().toMillis()));
        s.put("processing.consent-hold-ms", String.valueOf(p.consentHold().toMillis()));
        s.put("processing.max-held-records", String.valueOf(p.maxHeldRecords()));
        s.put("processing.max-held-heap-percent", String.valueOf(p.maxHeldHeapPercent()));
        s.put("processing.group-instance-id", p.staticMemberId().map(id -> id
                + (p.groupInstanceId().explicit() == null ? " (derived from the host name and state-dir)" : ""))
                .orElse("none (dynamic membership)"));
        s.put("processing.num-standby-replicas", String.valueOf(p.numStandbyReplicas()));
        s.put("processing.transactional-state-stores", String.valueOf(p.transactionalStateStores()));
        s.put("processing.store-write-buffer-bytes", String.valueOf(p.storeWriteBufferBytes()));
        String region = config.identity().defaultRegion();
        s.put("identity.default-region", region == null ? "none" : region);
        s.put("identity.email-provider-canonicalization",
                String.valueOf(config.identity().emailProviderCanonicalization()));
        s.put("identity.phone-cache-entries", String.valueOf(config.identity().phoneCacheEntries()));
        s.put("http.bind-address", config.http().bindAddress());
        s.put("http.port", String.valueOf(config.http().port()));
        config.streams().forEach((key, value) -> s.put("streams." + key, secret(key) ? MASK : value));
        return Collections.unmodifiableMap(s);
    }

    /** The settings as {@code key: value} lines, keys aligned, each indented by two spaces. */
    static String lines(FirewallConfig config) {
        Map<String, String> settings = of(config);
        int width = settings.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder out = new StringBuilder();
        settings.forEach((key, value) -> out.append("  ").append(key).append(':')
                .append(" ".repeat(width - key.length() + 1)).append(value).append(System.lineSeparator()));
        return out.toString();
    }

    /** Whether a pass-through setting holds a secret, judged by its name (any prefix). */
    static boolean secret(String key) {
        return SECRET.matcher(key.toLowerCase(Locale.ROOT)).find();
    }
}
