package org.purposefirewall.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.consent.TcfSettings;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.Taxonomy;

class ConfigLoaderTest {

    /** The repository's shipped configuration; Maven runs tests in the module directory. */
    private static final Path SHIPPED = Path.of("..", "config", "application.yaml");

    private static final String POLICY = """
            version: "test-1"
            ad-purpose: marketing.advertising.third_party.targeted
            restricted-purposes:
              - essential.service.security
            """;

    private static final String APPLICATION = """
            application-id: firewall-test
            bootstrap-servers: broker:9092
            policy-file: policy.yaml
            schema-registry:
              schema.registry.url: mock://config-test
            topics:
              contact-points: in.contact-points
              consent: in.consent
              registrations: in.registrations
              audience: out.audience
              quarantine: out.quarantine
              suppressed: out.suppressed
              dead-letter: out.dead-letter
            processing:
              guarantee: exactly_once_v2
              num-stream-threads: 2
            streams: {}
            """;

    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader();

    // ---- the shipped configuration ----------------------------------------------------------------------------

    @Test
    void theShippedConfigurationLoads() {
        // Given the repository's config/application.yaml and the policy it names
        assertThat(SHIPPED).as("run from the streams-app module directory").exists();

        // When it is loaded
        FirewallConfig config = loader.load(SHIPPED);

        // Then it holds the documented defaults and the shipped policy
        assertThat(config.applicationId()).isEqualTo("purpose-firewall");
        assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.schemaRegistry().url()).isEqualTo("mock://purpose-firewall");
        assertThat(config.policy().version()).isEqualTo("2026-11-25.1");
        assertThat(config.policy().adPurpose()).isEqualTo(new Purpose("marketing.advertising.third_party.targeted"));
        assertThat(config.policy().restrictedPurposes()).containsExactly(new Purpose("essential.service.security"));
        assertThat(config.policyFile().getFileName()).hasToString("policy.yaml");
        assertThat(config.topics()).isEqualTo(Topics.defaults());
        assertThat(config.topics().contactPoints()).isEqualTo("user.contact-points");
        assertThat(config.topics().deadLetter()).isEqualTo("privacy.dead-letter");
        assertThat(config.processing().guarantee()).isEqualTo(Guarantee.EXACTLY_ONCE_V2);
        assertThat(config.processing().exactlyOnce()).isTrue();
        assertThat(config.processing().maxTaskIdle()).isEqualTo(Duration.ofMillis(0L));
        assertThat(config.processing().settle()).isEqualTo(Duration.ofMillis(200L));
        assertThat(config.processing().sideBarrierPoll()).isEqualTo(Duration.ofMillis(50L));
        assertThat(config.processing().eventTimeBounds())
                .isEqualTo(new org.purposefirewall.policy.EventTimeBounds(946_684_800_000L, 300_000L));
        assertThat(config.processing().registryOutageMaxBlock()).isEqualTo(Duration.ofMillis(2_000L));
        assertThat(config.processing().consentHistoryRetention()).isEqualTo(Duration.ofMillis(2_592_000_000L));
        assertThat(config.streams()).isEmpty();
    }

    // ---- valid files ------------------------------------------------------------------------------------------

    @Test
    void aValidFileLoadsWithItsTopicsProcessingAndPolicy() throws IOException {
        // Given a complete application file and policy
        Path app = write("application.yaml", APPLICATION);
        write("policy.yaml", POLICY);

        // When it is loaded
        FirewallConfig config = loader.load(app);

        // Then every setting is read as written
        assertThat(config.applicationId()).isEqualTo("firewall-test");
        assertThat(config.bootstrapServers()).isEqualTo("broker:9092");
        assertThat(config.topics().consent()).isEqualTo("in.consent");
        assertThat(config.topics().deadLetter()).isEqualTo("out.dead-letter");
        assertThat(config.processing().numStreamThreads()).isEqualTo(2);
        assertThat(config.policy()).isEqualTo(new Policy("test-1",
                new Purpose("marketing.advertising.third_party.targeted"),
                List.of(new Purpose("essential.service.security"))).withContentHash(sha256(POLICY)));
        assertThat(config.policyFile()).isEqualTo(dir.resolve("policy.yaml").toAbsolutePath().normalize());
    }

    @Test
    void thePolicyCarriesTheSha256OfItsFileBytesAsLoaded() throws IOException {
        // Given a policy file with a comment and CRLF line ends, bytes a YAML parser would read the same as POLICY
        Path app = write("application.yaml", APPLICATION);
        byte[] bytes = ("# reviewed by legal\r\n" + POLICY.replace("\n", "\r\n")).getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("policy.yaml"), bytes);

        // When it is loaded
        Policy policy = loader.load(app).policy();

        // Then its content hash is what sha256sum prints for the file: the bytes, not the parsed rules
        assertThat(policy.contentHash()).isEqualTo(hex(bytes)).hasSize(64).matches("[0-9a-f]{64}");
        assertThat(policy.version()).isEqualTo("test-1");
    }

    @Test
    void thePolicyHashChangesWhenThePolicyFileChangesEvenWithTheSameVersion() throws IOException {
        // Given a policy, loaded once
        Path app = write("application.yaml", APPLICATION);
        write("policy.yaml", POLICY);
        String before = loader.load(app).policy().contentHash();

        // When the file is edited without bumping its version (one more restricted purpose), and loaded again
        write("policy.yaml", POLICY + "  - essential.service.operations\n");
        Policy after = loader.load(app).policy();

        // Then the version cannot tell the two apart, but the hash does
        assertThat(after.version()).isEqualTo("test-1");
        assertThat(after.contentHash()).isNotEqualTo(before).isEqualTo(sha256(POLICY
                + "  - essential.service.operations\n"));
        assertThat(before).isEqualTo(sha256(POLICY));
    }

    @Test
    void aPolicyBuiltInCodeHasNoContentHash() {
        Policy policy = new Policy("code-1", new Purpose("marketing.advertising.third_party.targeted"),
                List.of(new Purpose("essential.service.security")));

        assertThat(policy.contentHash()).isNull();
        assertThat(policy.withContentHash("").contentHash()).as("blank is no hash").isNull();
    }

    @Test
    void knownKafkaSettingsPassThroughUnderStreams() throws IOException {
        // Given pass-through settings: a prefixed consumer setting, a common client setting and a Streams setting
        Path app = write("application.yaml", APPLICATION.replace("streams: {}", """
                streams:
                  consumer.max.poll.records: 100
                  security.protocol: SSL
                  statestore.cache.max.bytes: 0
                  topic.min.insync.replicas: 2
                """));
        write("policy.yaml", POLICY);

        // When the file is loaded
        FirewallConfig config = loader.load(app);

        // Then they are accepted and passed through as given
        assertThat(config.streams()).isEqualTo(Map.of(
                "consumer.max.poll.records", "100",
                "security.protocol", "SSL",
                "statestore.cache.max.bytes", "0",
                "topic.min.insync.replicas", "2"));
    }

    // ---- the application file ---------------------------------------------------------------------------------

    @Test
    void anUnknownTopLevelKeyIsRejected() throws IOException {
        // Given a misspelt top-level key
        Path app = write("application.yaml", APPLICATION + "bootstrap-server: typo:9092\n");
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file and the unknown key, and lists the known ones
        assertFails(app)
                .hasMessageStartingWith(app + ": unknown key 'bootstrap-server'")
                .hasMessageContaining("bootstrap-servers");
    }

    @Test
    void anUnknownNestedKeyIsRejectedWithItsPath() throws IOException {
        // Given processing.max-task-idle, which should be max-task-idle-ms
        Path app = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  max-task-idle: 500"));
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file and the full path of the key
        assertFails(app)
                .hasMessageStartingWith(app + ": unknown key 'processing.max-task-idle'")
                .hasMessageContaining("max-task-idle-ms");
    }

    @Test
    void theIdentitySectionIsOptionalAndSetsTheDefaultRegion() throws IOException {
        // Given the test configuration without an identity section, and with one naming a region in lower case
        Path without = write("application.yaml", APPLICATION);
        write("policy.yaml", POLICY);
        FirewallConfig none = loader.load(without);
        Path with = write("application.yaml", APPLICATION + "identity:\n  default-region: gb\n");

        // When each is loaded
        FirewallConfig gb = loader.load(with);

        // Then the first has no default region, and the second the region, upper-cased
        assertThat(none.identity()).isEqualTo(IdentityOptions.defaults());
        assertThat(none.identity().defaultRegion()).isNull();
        assertThat(gb.identity().defaultRegion()).isEqualTo("GB");
    }

    @Test
    void emailProviderCanonicalizationIsOffByDefaultAndBoundFromTheIdentitySection() throws IOException {
        // Given the test configuration without an identity section, and with the option set, alone or with a region
        Path without = write("application.yaml", APPLICATION);
        write("policy.yaml", POLICY);
        FirewallConfig none = loader.load(without);
        FirewallConfig on = loader.load(write("application.yaml",
                APPLICATION + "identity:\n  email-provider-canonicalization: true\n"));
        FirewallConfig both = loader.load(write("application.yaml",
                APPLICATION + "identity:\n  default-region: us\n  email-provider-canonicalization: true\n"));
        FirewallConfig off = loader.load(write("application.yaml",
                APPLICATION + "identity:\n  email-provider-canonicalization: false\n"));

        // Then it is off unless set, and set it is bound alongside the region
        assertThat(none.identity().emailProviderCanonicalization()).isFalse();
        assertThat(on.identity()).isEqualTo(new IdentityOptions(null, true));
        assertThat(both.identity()).isEqualTo(new IdentityOptions("US", true));
        assertThat(off.identity()).isEqualTo(IdentityOptions.defaults());
    }

    @Test
    void aNonBooleanEmailProviderCanonicalizationIsRejected() throws IOException {
        // Given the option with a value that is not a boolean
        Path app = write("application.yaml", APPLICATION + "identity:\n  email-provider-canonicalization: maybe\n");
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file and the full key
        assertFails(app).hasMessageContaining("identity.email-provider-canonicalization");
    }

    @Test
    void anUnknownDefaultRegionIsRejected() throws IOException {
        // Given a default region with no numbering plan
        Path app = write("application.yaml", APPLICATION + "identity:\n  default-region: XX\n");
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file, the full key and the rule
        assertFails(app)
                .hasMessageStartingWith(app + ": key 'identity.default-region': 'XX' is not a region with a phone "
                        + "numbering plan");
    }

    @Test
    void anUnknownIdentityKeyIsRejected() throws IOException {
        // Given the region key misspelled
        Path app = write("application.yaml", APPLICATION + "identity:\n  region: US\n");
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file, the key and the known key
        assertFails(app)
                .hasMessageStartingWith(app + ": unknown key 'identity.region'")
                .hasMessageContaining("default-region");
    }

    @Test
    void anUnknownProcessingGuaranteeIsRejected() throws IOException {
        // Given a guarantee that is neither exactly_once_v2 nor at_least_once
        Path app = write("application.yaml", APPLICATION.replace("guarantee: exactly_once_v2", "guarantee: sometimes"));
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file, the section, the key and the bad value
        assertFails(app)
                .hasMessageStartingWith(app + ": invalid value under 'processing'")
                .hasMessageContaining("guarantee: 'sometimes' is not one of exactly_once_v2, at_least_once");
    }

    @Test
    void zeroStreamThreadsAreRejected() throws IOException {
        // Given no stream threads
        Path app = write("application.yaml", APPLICATION.replace("num-stream-threads: 2", "num-stream-threads: 0"));
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file, the key and the minimum
        assertFails(app)
                .hasMessageStartingWith(app + ": invalid value under 'processing'")
                .hasMessageContaining("num-stream-threads: 0 is below the minimum 1");
    }

    @Test
    void aValueOfTheWrongTypeIsRejected() throws IOException {
        // Given a thread count that is not a number
        Path app = write("application.yaml", APPLICATION.replace("num-stream-threads: 2", "num-stream-threads: abc"));
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file and the full path of the key
        assertFails(app)
                .hasMessageStartingWith(app + ": key 'processing.num-stream-threads' has a value of the wrong type");
    }

    @Test
    void oneTopicUsedForTwoPurposesIsRejected() throws IOException {
        // Given the quarantine and the audience on one topic
        Path app = write("application.yaml", APPLICATION.replace("quarantine: out.quarantine",
                "quarantine: out.audience"));
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file, both keys and the topic
        // (which of the two keys is reported first depends on Map.of iteration order, so accept either)
        assertFails(app)
                .hasMessageStartingWith(app + ": invalid value under 'topics'")
                .message()
                .satisfiesAnyOf(
                        m -> assertThat(m).contains(
                                "quarantine: topic 'out.audience' is also used for audience; every topic must be"),
                        m -> assertThat(m).contains(
                                "audience: topic 'out.audience' is also used for quarantine; every topic must be"));
    }

    @Test
    void anIllegalTopicNameIsRejected() throws IOException {
        // Given a topic name with a space
        Path app = write("application.yaml", APPLICATION.replace("consent: in.consent", "consent: in consent"));
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file, the key and the rule
        assertFails(app)
                .hasMessageStartingWith(app + ": invalid value under 'topics'")
                .hasMessageContaining("consent: 'in consent' is not a legal Kafka topic name");
    }

    @Test
    void anUnknownStreamsSettingIsRejected() throws IOException {
        // Given a setting that Kafka does not define
        Path app = write("application.yaml", APPLICATION.replace("streams: {}", "streams: {no.such.setting: 1}"));
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file and the key
        assertFails(app).hasMessageStartingWith(app + ": unknown key 'streams.no.such.setting'");
    }

    @Test
    void anUnknownSettingBehindAClientPrefixIsRejected() throws IOException {
        // Given a consumer prefix on a setting that consumers do not have
        Path app = write("application.yaml", APPLICATION.replace("streams: {}", "streams: {consumer.no.such: 1}"));
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then it is rejected like any unknown key
        assertFails(app).hasMessageStartingWith(app + ": unknown key 'streams.consumer.no.such'");
    }

    @Test
    void aSettingTheFirewallOwnsIsRejectedUnderStreams() throws IOException {
        // Given application.id under streams, where it would contradict application-id
        Path app = write("application.yaml", APPLICATION.replace("streams: {}",
                "streams:\n  application.id: other-app"));
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file, the key and where to set it instead
        assertFails(app)
                .hasMessage(app + ": key 'streams.application.id' is set by 'application-id'; set it there");
    }

    @Test
    void aMissingSchemaRegistryUrlIsRejected() throws IOException {
        // Given registry settings without a URL
        Path app = write("application.yaml", APPLICATION.replace("schema.registry.url: mock://config-test",
                "auto.register.schemas: \"true\""));
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file and the key
        assertFails(app).hasMessageStartingWith(app + ": key 'schema-registry.schema.registry.url' is required");
    }

    @Test
    void aMissingRequiredKeyIsRejected() throws IOException {
        // Given no application id
        Path app = write("application.yaml", APPLICATION.replace("application-id: firewall-test\n", ""));
        write("policy.yaml", POLICY);

        // When the file is loaded
        // Then the error names the file and the key
        assertFails(app).hasMessage(app + ": key 'application-id' is required");
    }

    @Test
    void invalidYamlIsRejectedWithItsLine() throws IOException {
        // Given a file whose third line is not YAML (a second ':' in a plain scalar)
        Path app = write("application.yaml", "application-id: firewall-test\nbootstrap-servers: broker:9092\n"
                + "policy-file: policy.yaml: extra\n");

        // When the file is loaded
        // Then the error names the file and the line
        assertFails(app).hasMessage(app + ": not valid YAML at line 3 (key 'policy-file')");
    }

    @Test
    void invalidYamlIsRejectedNamingTheKey() throws IOException {
        // Given a file whose policy-file line is not YAML
        Path app = write("application.yaml", "application-id: firewall-test\nbootstrap-servers: broker:9092\n"
                + "policy-file: policy.yaml: extra\n");

        // When the file is loaded
        // Then the error names the file and the key
        assertFails(app).hasMessageStartingWith(app + ": ").hasMessageContaining("policy-file");
    }

    @Test
    void anEmptyFileFailsNamingTheFile() throws IOException {
        // Given an empty application file
        Path app = write("application.yaml", "");

        // When it is loaded
        // Then it fails, naming the file
        assertFails(app).hasMessageStartingWith(app + ": ");
    }

    @Test
    void anEmptyFileIsReportedAsEmpty() throws IOException {
        // Given an empty application file
        Path app = write("application.yaml", "");

        // When it is loaded
        // Then the error says the file is empty
        assertFails(app).hasMessage(app + ": the file is empty");
    }

    @Test
    void aMissingApplicationFileIsRejected() {
        // Given no file
        Path app = dir.resolve("nowhere.yaml");

        // When it is loaded
        // Then the error names the file
        assertFails(app).hasMessage(app + ": no such file");
    }

    // ---- the policy file --------------------------------------------------------------------------------------

    // ---- the shadow policy file -------------------------------------------------------------------------------

    private static final String SHADOW = """
            version: "candidate-2"
            ad-purpose: marketing.advertising.third_party.targeted
            restricted-purposes:
              - essential.service.security
              - marketing.advertising.first_party
            """;

    @Test
    void shouldHaveNoShadowPolicyWithoutTheKey() throws IOException {
        Path app = write("application.yaml", APPLICATION);
        write("policy.yaml", POLICY);

        FirewallConfig config = loader.load(app);

        assertThat(config.shadow()).isNull();
        assertThat(config.topics().shadowDecisions()).isEqualTo("privacy.shadow-decisions");
    }

    @Test
    void shouldLoadTheShadowPolicyRelativeToTheConfigFileWithItsOwnVersionAndHash() throws IOException {
        // Given a candidate policy beside the enforcing one, and a topic for its disagreements
        Path app = write("application.yaml", APPLICATION.replace("policy-file: policy.yaml",
                "policy-file: policy.yaml\nshadow-policy-file: candidates/shadow.yaml")
                .replace("  dead-letter: out.dead-letter", "  dead-letter: out.dead-letter\n  shadow-decisions: out.shadow"));
        write("policy.yaml", POLICY);
        Files.createDirectories(dir.resolve("candidates"));
        write("candidates/shadow.yaml", SHADOW);

        // When loaded
        FirewallConfig config = loader.load(app);

        // Then the candidate is its own policy: version, rules and the hash of its own bytes
        assertThat(config.shadow().file()).isEqualTo(dir.resolve("candidates/shadow.yaml").toAbsolutePath().normalize());
        assertThat(config.shadow().policy().version()).isEqualTo("candidate-2");
        assertThat(config.shadow().policy().contentHash()).isEqualTo(sha256(SHADOW));
        assertThat(config.shadow().policy().restrictedPurposes()).containsExactly(
                new Purpose("essential.service.security"), new Purpose("marketing.advertising.first_party"));
        assertThat(config.policy().version()).isEqualTo("test-1");
        assertThat(config.policy().contentHash()).isEqualTo(sha256(POLICY));
        assertThat(config.topics().shadowDecisions()).isEqualTo("out.shadow");
        // And a copy keeps it
        assertThat(config.withBootstrapServers("other:9092").shadow()).isEqualTo(config.shadow());
    }

    @Test
    void shouldRejectAMissingShadowPolicyFileNamingTheApplicationFileTheKeyAndTheFile() throws IOException {
        Path app = write("application.yaml", APPLICATION.replace("policy-file: policy.yaml",
                "policy-file: policy.yaml\nshadow-policy-file: missing-shadow.yaml"));
        write("policy.yaml", POLICY);

        assertFails(app).hasMessage(app + ": key 'shadow-policy-file': "
                + dir.resolve("missing-shadow.yaml").toAbsolutePath().normalize() + ": no such file");
    }

    @Test
    void shouldRejectABadShadowPolicyNamingItsFileAndKey() throws IOException {
        Path app = write("application.yaml", APPLICATION.replace("policy-file: policy.yaml",
                "policy-file: policy.yaml\nshadow-policy-file: shadow.yaml"));
        write("policy.yaml", POLICY);
        Path shadow = write("shadow.yaml", SHADOW.replace("marketing.advertising.first_party", "Not A Purpose"));

        assertFails(app).hasMessageStartingWith(shadow.toAbsolutePath().normalize() + ": key 'restricted-purposes[1]'");
    }

    @Test
    void shouldRejectAShadowPolicyWithOtherHashFormsBecauseTheStoresAreShared() throws IOException {
        Path app = write("application.yaml", APPLICATION.replace("policy-file: policy.yaml",
                "policy-file: policy.yaml\nshadow-policy-file: shadow.yaml"));
        write("policy.yaml", POLICY);
        Path shadow = write("shadow.yaml", SHADOW + "match-hash-forms: [SHA-256]\n");

        assertFails(app).hasMessageStartingWith(shadow.toAbsolutePath().normalize() + ": key 'match-hash-forms' must "
                + "be the same as policy-file's");
    }

    @Test
    void shouldAddAShadowPolicyGivenOnTheCommandLineCheckedAsTheKeyIs() throws IOException {
        Path app = write("application.yaml", APPLICATION);
        write("policy.yaml", POLICY);
        Path good = write("good.yaml", SHADOW);
        Path bad = write("bad.yaml", SHADOW + "match-hash-forms: [SHA-256, MD5]\n");
        FirewallConfig config = loader.load(app);

        FirewallConfig shadowed = loader.withShadowPolicy(config, good);

        assertThat(shadowed.shadow().policy().version()).isEqualTo("candidate-2");
        assertThat(shadowed.shadow().policy().contentHash()).isEqualTo(sha256(SHADOW));
        assertThat(shadowed.policy()).isEqualTo(config.policy());
        assertThatThrownBy(() -> loader.withShadowPolicy(config, bad)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(bad.toAbsolutePath().normalize() + ": key 'match-hash-forms'");
    }

    @Test
    void shouldRejectABlankShadowPolicyFileKey() throws IOException {
        Path app = write("application.yaml", APPLICATION.replace("policy-file: policy.yaml",
                "policy-file: policy.yaml\nshadow-policy-file: \"  \""));
        write("policy.yaml", POLICY);

        assertFails(app).hasMessage(app + ": key 'shadow-policy-file' must name a file (omit the key for no shadow "
                + "policy)");
    }

    @Test
    void aMissingPolicyFileIsRejectedNamingThatFile() throws IOException {
        // Given an application file naming a policy that does not exist
        Path app = write("application.yaml", APPLICATION.replace("policy-file: policy.yaml",
                "policy-file: missing-policy.yaml"));

        // When the file is loaded
        // Then the error names the missing policy file
        assertFails(app).hasMessage(app + ": key 'policy-file': "
                + dir.resolve("missing-policy.yaml").toAbsolutePath().normalize() + ": no such file");
    }

    @Test
    void aMissingPolicyFileIsRejectedNamingTheApplicationFileAndKey() throws IOException {
        // Given an application file naming a policy that does not exist
        Path app = write("application.yaml", APPLICATION.replace("policy-file: policy.yaml",
                "policy-file: missing-policy.yaml"));

        // When the file is loaded
        // Then the error names the application file, the key and the missing file
        assertFails(app)
                .hasMessageContaining(app.toString())
                .hasMessageContaining("policy-file")
                .hasMessageContaining("missing-policy.yaml");
    }

    @Test
    void aPolicyWithAnUnparseableAdPurposeIsRejected() throws IOException {
        // Given an ad purpose with an empty segment
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", POLICY.replace("marketing.advertising.third_party.targeted",
                "marketing..targeted"));

        // When the application file is loaded
        // Then the error names the policy file and the key
        assertFails(app).hasMessageStartingWith(policy.toAbsolutePath().normalize() + ": key 'ad-purpose': ")
                .hasMessageContaining("dot-separated");
    }

    @Test
    void aPolicyWithAnUnparseableRestrictedPurposeIsRejectedWithItsIndex() throws IOException {
        // Given a second restricted purpose with a space in it
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", POLICY + "  - essential.fraud detection\n");

        // When the application file is loaded
        // Then the error names the policy file and the list element
        assertFails(app)
                .hasMessageStartingWith(policy.toAbsolutePath().normalize() + ": key 'restricted-purposes[1]': ");
    }

    @Test
    void aPolicyWithoutRestrictedPurposesIsRejected() throws IOException {
        // Given an empty list of restricted purposes
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", """
                version: "test-1"
                ad-purpose: marketing.advertising.third_party.targeted
                restricted-purposes: []
                """);

        // When the application file is loaded
        // Then the error names the policy file and the key
        assertFails(app).hasMessage(policy.toAbsolutePath().normalize()
                + ": key 'restricted-purposes' must list at least one purpose");
    }

    @Test
    void aPolicyWhoseAdPurposeOverlapsARestrictedPurposeIsRejected() throws IOException {
        // Given an ad purpose below a restricted purpose
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", """
                version: "test-1"
                ad-purpose: marketing.advertising.third_party.targeted
                restricted-purposes:
                  - essential.service.security
                  - marketing.advertising
                """);

        // When the application file is loaded
        // Then the error names the policy file, the key and both purposes
        assertFails(app).hasMessage(policy.toAbsolutePath().normalize()
                + ": ad-purpose marketing.advertising.third_party.targeted overlaps restricted purpose "
                + "marketing.advertising");
    }

    @Test
    void anUnknownPolicyKeyIsRejected() throws IOException {
        // Given a policy with a misspelt key
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", POLICY + "restricted-purpose: essential\n");

        // When the application file is loaded
        // Then the error names the policy file and the key
        assertFails(app)
                .hasMessageStartingWith(policy.toAbsolutePath().normalize() + ": unknown key 'restricted-purpose'");
    }

    @Test
    void aPolicyWithoutAVersionIsRejected() throws IOException {
        // Given a policy without a version
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", POLICY.replace("version: \"test-1\"\n", ""));

        // When the application file is loaded
        // Then the error names the policy file and the key
        assertFails(app).hasMessage(policy.toAbsolutePath().normalize() + ": key 'version' is required");
    }

    // ---- known purposes (the taxonomy) -------------------------------------------------------------------------

    @Test
    void withoutKnownPurposesThePolicyKnowsFideslangsDataUsesAndTheShippedFileListsThem() throws IOException {
        // Given a policy without known-purposes, and the shipped policy, which lists them
        Path app = write("application.yaml", APPLICATION);
        write("policy.yaml", POLICY);

        // When both are loaded
        Taxonomy defaulted = loader.load(app).policy().taxonomy();
        Taxonomy shipped = loader.load(SHIPPED).policy().taxonomy();

        // Then both are fideslang's top-level data uses
        assertThat(defaulted).isEqualTo(Taxonomy.fideslang());
        assertThat(shipped).isEqualTo(Taxonomy.fideslang());
        assertThat(shipped.roots()).extracting(Purpose::value).containsExactlyElementsOf(Taxonomy.FIDESLANG_DATA_USES);
    }

    @Test
    void knownPurposesAreReadAsWrittenAndNormalized() throws IOException {
        // Given a narrower taxonomy, one entry in another spelling, and a TCF mapping within it
        Path app = write("application.yaml", APPLICATION);
        write("policy.yaml", POLICY + """
                known-purposes:
                  - Marketing.Advertising
                  - essential.service
                consent-signals:
                  tcf:
                    purposes:
                      4: [marketing.advertising.third_party.targeted]
                """);

        // When it is loaded
        Taxonomy taxonomy = loader.load(app).policy().taxonomy();

        // Then the roots are the normalized purposes, and only what lies within them is known
        assertThat(taxonomy.roots()).containsExactly(new Purpose("marketing.advertising"),
                new Purpose("essential.service"));
        assertThat(taxonomy.knows(new Purpose("marketing.advertising.third_party"))).isTrue();
        assertThat(taxonomy.knows(new Purpose("marketing"))).isFalse();
        assertThat(taxonomy.knows(new Purpose("analytics"))).isFalse();
    }

    @Test
    void aKnownPurposeThatIsNotAPurposeIsRejectedWithItsIndex() throws IOException {
        // Given a second entry with an empty segment
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", POLICY + "known-purposes: [marketing, essential..service]\n");

        // When the application file is loaded
        // Then the error names the policy file and the list element
        assertFails(app)
                .hasMessageStartingWith(policy.toAbsolutePath().normalize() + ": key 'known-purposes[1]': ")
                .hasMessageContaining("dot-separated");
    }

    @Test
    void anEmptyListABlankEntryOrAScalarUnderKnownPurposesIsRejectedByItsKey() throws IOException {
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", POLICY + "known-purposes: []\n");
        assertFails(app).hasMessage(policy.toAbsolutePath().normalize()
                + ": key 'known-purposes' must list at least one purpose (omit the key for the default, fideslang's "
                + "data uses)");

        write("policy.yaml", POLICY + "known-purposes:\n  - marketing\n  -\n");
        assertFails(app)
                .hasMessageStartingWith(policy.toAbsolutePath().normalize() + ": key 'known-purposes[1]': ");

        write("policy.yaml", POLICY + "known-purposes:\n  - marketing\n  - {essential: true}\n");
        assertFails(app).hasMessageStartingWith(policy.toAbsolutePath().normalize() + ": key 'known-purposes[1]' has "
                + "a value of the wrong type");
    }

    @Test
    void anAdOrRestrictedPurposeOutsideTheKnownPurposesIsRejected() throws IOException {
        // Given known purposes that leave out the ad purpose, then the restricted purpose
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", POLICY + "known-purposes: [essential]\n");

        // When the application file is loaded
        // Then the error names the policy file, the purpose and the known purposes
        assertFails(app).hasMessage(policy.toAbsolutePath().normalize()
                + ": ad-purpose marketing.advertising.third_party.targeted is not within known-purposes [essential]");

        write("policy.yaml", POLICY + "known-purposes: [marketing]\n");
        assertFails(app).hasMessage(policy.toAbsolutePath().normalize()
                + ": restricted purpose essential.service.security is not within known-purposes [marketing]");
    }

    @Test
    void aTcfMappingOntoAnUnknownPurposeIsRejectedByItsKey() throws IOException {
        // Given known purposes that leave out first-party advertising, which the default TCF mapping names
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", POLICY + "known-purposes: [marketing.advertising.third_party, essential]\n");

        // When the application file is loaded
        // Then the error names the mapping's key, says it is the default, and names the purpose
        assertFails(app).hasMessage(policy.toAbsolutePath().normalize()
                + ": key 'consent-signals.tcf.purposes.3[0]' (the default mapping; set the key): purpose "
                + "marketing.advertising.first_party.targeted is not within known-purposes "
                + "[marketing.advertising.third_party, essential]");

        // And an explicit mapping is named without the hint
        write("policy.yaml", POLICY + """
                known-purposes: [marketing.advertising.third_party, essential]
                consent-signals:
                  tcf:
                    purposes:
                      4: [marketing.advertising.third_party.targeted, marketing.advertsing]
                """);
        assertFails(app).hasMessage(policy.toAbsolutePath().normalize()
                + ": key 'consent-signals.tcf.purposes.4[1]': purpose marketing.advertsing is not within "
                + "known-purposes [marketing.advertising.third_party, essential]");
    }

    // ---- hash forms, honeytokens, guarded topics ---------------------------------------------------------------

    @Test
    void everyHashFormIsMatchedByDefaultAndThePolicyCanNarrowThem() throws IOException {
        Path app = write("application.yaml", APPLICATION);
        write("policy.yaml", POLICY);
        assertThat(loader.load(app).identity().hashForms()).isEqualTo(IdentityOptions.ALL_HASH_FORMS);

        write("policy.yaml", POLICY + "match-hash-forms: [sha-256, SHA1]\n");

        assertThat(loader.load(app).identity().hashForms()).containsExactlyInAnyOrder(HashForm.SHA256, HashForm.SHA1);
    }

    @Test
    void matchHashFormsWithoutSha256OrWithAnUnknownFormAreRejected() throws IOException {
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", POLICY + "match-hash-forms: [MD5]\n");
        assertFails(app).hasMessageStartingWith(policy.toAbsolutePath().normalize()
                + ": key 'match-hash-forms' must include SHA-256");

        write("policy.yaml", POLICY + "match-hash-forms: [SHA-256, SHA-512]\n");
        assertFails(app).hasMessageStartingWith(policy.toAbsolutePath().normalize()
                + ": key 'match-hash-forms[1]': 'SHA-512' is not a hash form");
    }

    @Test
    void honeytokensAreNormalizedAtStartup() throws IOException {
        Path app = write("application.yaml", APPLICATION);
        write("policy.yaml", POLICY + """
                honeytokens:
                  - label: canary-phone-1
                    type: phone
                    value: "+1 202 555 0147"
                  - label: canary-email-1
                    type: EMAIL
                    value: h0ney.pot@example.org
                """);

        FirewallConfig config = loader.load(app);

        assertThat(config.honeytokens().size()).isEqualTo(2);
        Normalization.Ok sha1 = (Normalization.Ok) IdentifierNormalizer.normalize(IdentifierKind.PHONE,
                HashForm.SHA1.hex("+12025550147"));
        assertThat(config.honeytokens().labelOf(sha1)).isEqualTo("canary-phone-1");
    }

    @Test
    void aHoneytokenThatIsNotAnIdentifierIsRejectedWithoutEchoingItsValue() throws IOException {
        Path app = write("application.yaml", APPLICATION);
        Path policy = write("policy.yaml", POLICY + """
                honeytokens:
                  - label: canary-bad
                    type: EMAIL
                    value: not-an-address
                """);

        assertFails(app).hasMessageStartingWith(policy.toAbsolutePath().normalize() + ": honeytokens[0] ('canary-bad')")
                .hasMessageNotContaining("not-an-address");

        write("policy.yaml", POLICY + """
                honeytokens:
                  - label: canary-bad
                    type: FAX
                    value: "1"
                """);
        assertFails(app).hasMessageContaining("key 'honeytokens[0].type': 'FAX' is not one of");

        write("policy.yaml", POLICY + """
                honeytokens:
                  - label: canary
                    type: EMAIL
                """);
        assertFails(app).hasMessageContaining("key 'honeytokens[0].value' is required");
    }

    @Test
    void thePhoneCacheSizeIsBoundFromTheIdentitySectionAndABadOneIsRejectedByItsKey() throws IOException {
        write("policy.yaml", POLICY);
        Path app = write("application.yaml", APPLICATION + "identity:\n  phone-cache-entries: 1000\n");
        assertThat(loader.load(app).identity().phoneCacheEntries()).isEqualTo(1000);

        write("application.yaml", APPLICATION);
        assertThat(loader.load(app).identity().phoneCacheEntries())
                .isEqualTo(IdentityOptions.DEFAULT_PHONE_CACHE_ENTRIES);

        write("application.yaml", APPLICATION + "identity:\n  phone-cache-entries: -5\n");
        assertFails(app).hasMessage(app.toString() + ": key 'identity.phone-cache-entries': must be between 0 (off) "
                + "and 16777216, not -5");
    }

    @Test
    void theShippedTcfMappingIsTheDocumentedDefaultAndAMappingIsValidatedByKey() throws IOException {
        assertThat(loader.load(SHIPPED).consentSignals()).isEqualTo(TcfSettings.defaults());

        Path app = write("application.yaml", APPLICATION);
        write("policy.yaml", POLICY + """
                consent-signals:
                  tcf:
                    max-age-days: 30
                    vendor-ids: [755]
                    purposes:
                      4: [marketing.advertising]
                """);
        TcfSettings tcf = loader.load(app).consentSignals();
        assertThat(tcf.maxAge()).isEqualTo(java.time.Duration.ofDays(30));
        assertThat(tcf.requiredVendorIds()).containsExactly(755);
        assertThat(tcf.purposes()).containsOnlyKeys(4);
        assertThat(tcf.supportedPolicyVersions()).containsExactlyInAnyOrder(4, 5);

        Path policy = write("policy.yaml", POLICY + """
                consent-signals:
                  tcf:
                    purposes:
                      31: [marketing.advertising]
                """);
        assertFails(app).hasMessageStartingWith(policy.toAbsolutePath().normalize()
                + ": key 'consent-signals.tcf.purposes': TCF purpose 31 does not exist");

        write("policy.yaml", POLICY + """
                consent-signals:
                  tcf:
                    purposes:
                      3: [marketing..advertising]
                """);
        assertFails(app).hasMessageContaining("key 'consent-signals.tcf.purposes.3[0]'");

        write("policy.yaml", POLICY + """
                consent-signals:
                  tcf:
                    max-age: 30
                """);
        assertFails(app).hasMessageContaining("unknown key 'consent-signals.tcf.max-age'");
    }

    @Test
    void theConsentHoldIsOffByDefaultAndANegativeOneIsRejectedByItsKey() throws IOException {
        write("policy.yaml", POLICY);
        Path app = write("application.yaml", APPLICATION);
        assertThat(loader.load(app).processing().consentHold()).isZero();
        assertThat(loader.load(app).processing().maxHeldRecords()).isEqualTo(100_000);

        write("application.yaml", APPLICATION.replace("  num-stream-threads: 2\n",
                "  num-stream-threads: 2\n  consent-hold-ms: 30000\n  max-held-records: 500\n"));
        assertThat(loader.load(app).processing().consentHold()).isEqualTo(Duration.ofMillis(30_000L));
        assertThat(loader.load(app).processing().maxHeldRecords()).isEqualTo(500);

        write("application.yaml", APPLICATION.replace("  num-stream-threads: 2\n",
                "  num-stream-threads: 2\n  consent-hold-ms: -1\n"));
        assertFails(app).hasMessageContaining("consent-hold-ms: -1 is below the minimum 0");
    }

    @Test
    void theEventTimeBoundsAndTheBarrierAreBoundByTheirKeysAndBadOnesAreRejectedByThem() throws IOException {
        write("policy.yaml", POLICY);
        Path app = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2\n",
                "  num-stream-threads: 2\n  settle-ms: 250\n  side-barrier-poll-ms: 20\n"
                        + "  event-time-floor-ms: 1000\n  max-event-time-skew-ms: 60000\n"));
        Processing processing = loader.load(app).processing();
        assertThat(processing.settle()).isEqualTo(Duration.ofMillis(250L));
        assertThat(processing.sideBarrierPoll()).isEqualTo(Duration.ofMillis(20L));
        assertThat(processing.eventTimeBounds()).isEqualTo(new org.purposefirewall.policy.EventTimeBounds(1000L,
                60_000L));

        write("application.yaml", APPLICATION.replace("  num-stream-threads: 2\n",
                "  num-stream-threads: 2\n  max-event-time-skew-ms: 3600000\n"));
        assertFails(app).hasMessageContaining("max-event-time-skew-ms: 3600000 must stay below");
        write("application.yaml", APPLICATION.replace("  num-stream-threads: 2\n",
                "  num-stream-threads: 2\n  side-barrier-poll-ms: 1\n"));
        assertFails(app).hasMessageContaining("side-barrier-poll-ms: 1 is below the minimum 5");
        write("application.yaml", APPLICATION.replace("  num-stream-threads: 2\n",
                "  num-stream-threads: 2\n  settle-ms: -5\n"));
        assertFails(app).hasMessageContaining("settle-ms: -5 is below the minimum 0");
    }

    @Test
    void guardedTopicsAreReadAndMustBeDistinctFromTheOthers() throws IOException {
        Path app = write("application.yaml", APPLICATION.replace("  dead-letter: out.dead-letter\n",
                "  dead-letter: out.dead-letter\n  guarded: [crm.profile-updates, analytics.page-views]\n"));
        write("policy.yaml", POLICY);

        assertThat(loader.load(app).topics().guarded()).containsExactly("crm.profile-updates", "analytics.page-views");
        assertThat(loader.load(app).topics().inputs()).containsExactly("in.contact-points", "in.consent",
                "in.registrations", "crm.profile-updates", "analytics.page-views");

        write("application.yaml", APPLICATION.replace("  dead-letter: out.dead-letter\n",
                "  dead-letter: out.dead-letter\n  guarded: [in.consent]\n"));
        assertFails(app).hasMessageContaining("guarded[0]: topic 'in.consent' is also used for consent");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static String sha256(String utf8) {
        return hex(utf8.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    // ---- restarts and failover -----------------------------------------------------------------------------

    @Test
    void theRestartKeysAreReadTyped() throws IOException {
        // Given an explicit static member id and one standby (transactional stores off, their default), and beside
        // it transactional stores turned on with small memtables
        Path app = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  group-instance-id: firewall-a\n  num-standby-replicas: 1"));
        Path transactional = write("transactional.yaml", APPLICATION.replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  transactional-state-stores: true\n  store-write-buffer-bytes: 65536"));
        write("policy.yaml", POLICY);

        // When the files are loaded
        Processing p = loader.load(app).processing();
        Processing t = loader.load(transactional).processing();

        // Then each is there, typed
        assertThat(p.groupInstanceId()).isEqualTo(GroupInstanceId.of("firewall-a"));
        assertThat(p.staticMemberId()).contains("firewall-a");
        assertThat(p.numStandbyReplicas()).isEqualTo(1);
        assertThat(p.transactionalStateStores()).isFalse();
        assertThat(t.transactionalStateStores()).isTrue();
        assertThat(t.storeWriteBufferBytes()).isEqualTo(65_536L);
    }

    @Test
    void aStandbyWithTransactionalStoresIsAccepted() throws IOException {
        // Given one standby and transactional stores turned on (refused until ReopenedHistory explained the loss)
        Path app = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  num-standby-replicas: 1\n  transactional-state-stores: true"));
        write("policy.yaml", POLICY);

        // When it is loaded, Then both are there
        Processing p = loader.load(app).processing();
        assertThat(p.numStandbyReplicas()).isEqualTo(1);
        assertThat(p.transactionalStateStores()).isTrue();
    }

    @Test
    void theStreamsProtocolWithStaticMembershipIsRefusedNamingTheFileAndBothKeys() throws IOException {
        // Given Kafka's streams rebalance protocol and the default (derived) static member id
        Path app = write("application.yaml", APPLICATION.replace("streams: {}",
                "streams:\n  group.protocol: STREAMS"));
        write("policy.yaml", POLICY);

        // When it is loaded, then it is refused: a member restarted after a kill would fail fatally until its
        // old session timed out
        assertFails(app)
                .hasMessageContaining(app.toString())
                .hasMessageContaining("streams.group.protocol")
                .hasMessageContaining("processing.group-instance-id: none")
                .hasMessageContaining("UNRELEASED_INSTANCE_ID");
    }

    @Test
    void theStreamsProtocolWithoutStaticMembershipOrTheClassicOneWithItIsAccepted() throws IOException {
        // Given the streams protocol with static membership off, and the classic protocol with it on
        Path streams = write("application.yaml", APPLICATION.replace("streams: {}",
                "streams:\n  group.protocol: streams").replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  group-instance-id: none"));
        write("policy.yaml", POLICY);
        FirewallConfig dynamic = loader.load(streams);
        Path classic = write("application.yaml", APPLICATION.replace("streams: {}",
                "streams:\n  group.protocol: classic"));
        FirewallConfig staticMember = loader.load(classic);

        // Then both load, and the setting is passed through as written
        assertThat(dynamic.streams()).containsEntry("group.protocol", "streams");
        assertThat(dynamic.processing().groupInstanceId()).isEqualTo(GroupInstanceId.NONE);
        assertThat(staticMember.streams()).containsEntry("group.protocol", "classic");
        assertThat(staticMember.processing().groupInstanceId().enabled()).isTrue();
    }

    @Test
    void aMemtableAboveOneMebibyteIsRefused() throws IOException {
        // Given Kafka's own 16 MiB memtables (refused whether transactional stores are on or not)
        Path app = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  store-write-buffer-bytes: 16777216"));
        write("policy.yaml", POLICY);

        // When it is loaded, then it is refused naming the file and the key: the campaign lost consent history so
        assertFails(app)
                .hasMessageContaining(app.toString())
                .hasMessageContaining("store-write-buffer-bytes")
                .hasMessageContaining("1048576");
    }

    @Test
    void aCommitIntervalCeilingBelowTheFloorIsRefusedNamingTheKey() throws IOException {
        // Given a ceiling below the interval it is the ceiling of
        Path app = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  commit-interval-ms: 2000\n  commit-interval-max-ms: 1000"));
        write("policy.yaml", POLICY);

        // When it is loaded, then it is refused naming the file, the key and both values
        assertFails(app)
                .hasMessageContaining(app.toString())
                .hasMessageContaining("commit-interval-max-ms")
                .hasMessageContaining("1000 is below commit-interval-ms (2000)");
    }

    @Test
    void aCommitIntervalFloorAndCeilingAreReadAsGiven() throws IOException {
        Path app = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  commit-interval-ms: 80\n  commit-interval-max-ms: 2500"));
        write("policy.yaml", POLICY);

        FirewallConfig config = loader.load(app);

        assertThat(config.processing().commitInterval()).isEqualTo(java.time.Duration.ofMillis(80));
        assertThat(config.processing().commitIntervalMax()).isEqualTo(java.time.Duration.ofMillis(2500));
    }

    @Test
    void aMemtableBelowRocksDbsFloorIsRefused() throws IOException {
        Path app = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  store-write-buffer-bytes: 4096"));
        write("policy.yaml", POLICY);

        assertFails(app)
                .hasMessageContaining("store-write-buffer-bytes");
    }

    @Test
    void noneOrAnEmptyIdTurnsStaticMembershipOff() throws IOException {
        for (String off : new String[] {"none", "\"\"", "NONE"}) {
            // Given the id none, or empty
            Path app = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2",
                    "  num-stream-threads: 2\n  group-instance-id: " + off));
            write("policy.yaml", POLICY);

            // When the file is loaded
            // Then there is no static member id
            assertThat(loader.load(app).processing().staticMemberId()).as(off).isEmpty();
        }
    }

    @Test
    void aBadStaticMemberIdIsRejectedNamingTheKey() throws IOException {
        // Given an id with a space, and one too long
        Path spaced = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  group-instance-id: firewall a"));
        write("policy.yaml", POLICY);
        assertFails(spaced).hasMessageContaining("processing.group-instance-id")
                .hasMessageContaining("printable ASCII without spaces");
        Path longOne = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  group-instance-id: " + "x".repeat(201)));
        assertFails(longOne).hasMessageContaining("processing.group-instance-id")
                .hasMessageContaining("1 to 200 characters");
        Path negative = write("application.yaml", APPLICATION.replace("  num-stream-threads: 2",
                "  num-stream-threads: 2\n  num-standby-replicas: -1"));
        assertFails(negative).hasMessageEndingWith("under 'processing': num-standby-replicas: -1 is below the minimum 0");
    }

    @Test
    void theRestartSettingsCannotBeSetUnderStreams() throws IOException {
        write("policy.yaml", POLICY);
        for (String[] owned : new String[][] {{"group.instance.id", "processing.group-instance-id"},
                {"main.consumer.group.instance.id", "processing.group-instance-id"},
                {"consumer.group.instance.id", "processing.group-instance-id"},
                {"num.standby.replicas", "processing.num-standby-replicas"},
                {"enable.transactional.statestores", "processing.transactional-state-stores"}}) {
            // Given the Kafka setting under streams
            Path app = write("application.yaml", APPLICATION.replace("streams: {}",
                    "streams:\n  " + owned[0] + ": x"));

            // When the file is loaded
            // Then the error says where to set it
            assertFails(app).hasMessage(app + ": key 'streams." + owned[0] + "' is set by '" + owned[1]
                    + "'; set it there");
        }
    }

    @Test
    void theTimestampExtractorCannotBeSetUnderStreams() throws IOException {
        write("policy.yaml", POLICY);
        Path app = write("application.yaml", APPLICATION.replace("streams: {}",
                "streams:\n  default.timestamp.extractor: org.apache.kafka.streams.processor.WallclockTimestampExtractor"));

        assertFails(app).hasMessageStartingWith(app + ": key 'streams.default.timestamp.extractor' cannot be set: ")
                .hasMessageContaining("side-records topic");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertFails(Path app) {
        return assertThatThrownBy(() -> loader.load(app)).isInstanceOf(ConfigException.class);
    }
}
