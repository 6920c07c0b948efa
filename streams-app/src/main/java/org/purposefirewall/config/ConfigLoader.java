package org.purposefirewall.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.purposefirewall.config.def.ConfigDef;
import org.purposefirewall.config.def.ConfigValues;
import org.purposefirewall.config.def.InvalidConfigException;
import org.purposefirewall.consent.TcfSettings;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.policy.Taxonomy;
import org.purposefirewall.registry.SchemaRegistryConfig;

/**
 * Reads {@code application.yaml} and the policy file it names. Every failure is a {@link ConfigException} whose
 * message starts with the file and names the key: unknown keys, wrong types, bad values and bad policies all stop
 * the firewall before it reads a record.
 */
public final class ConfigLoader {

    /** Settings the firewall owns: setting them under {@code streams:} would make two sources of truth. */
    private static final Map<String, String> OWNED_STREAMS_KEYS = Map.ofEntries(
            Map.entry(StreamsConfig.APPLICATION_ID_CONFIG, ConfigKeys.APPLICATION_ID.qualifiedName()),
            Map.entry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, ConfigKeys.BOOTSTRAP_SERVERS.qualifiedName()),
            Map.entry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, Processing.GUARANTEE.qualifiedName()),
            Map.entry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Processing.MAX_TASK_IDLE.qualifiedName()),
            Map.entry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Processing.NUM_STREAM_THREADS.qualifiedName()),
            Map.entry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Processing.COMMIT_INTERVAL.qualifiedName()),
            Map.entry(StreamsConfig.STATE_DIR_CONFIG, Processing.STATE_DIR.qualifiedName()),
            Map.entry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Processing.NUM_STANDBY_REPLICAS.qualifiedName()),
            Map.entry(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG,
                    Processing.TRANSACTIONAL_STATE_STORES.qualifiedName()),
            // Kafka Streams hands group.instance.id to its main consumer, from any of these spellings.
            Map.entry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, Processing.GROUP_INSTANCE_ID.qualifiedName()),
            Map.entry(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                    Processing.GROUP_INSTANCE_ID.qualifiedName()),
            Map.entry(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                    Processing.GROUP_INSTANCE_ID.qualifiedName()));

    /** Settings the firewall fixes, with why: no key of its own sets them, and no other value is correct. */
    private static final Map<String, String> FIXED_STREAMS_KEYS = Map.of(
            StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, "every input has the firewall's own extractor, "
                    + "and its internal side-records topic one that makes tasks read it first");

    private static final List<String> CLIENT_PREFIXES = List.of(StreamsConfig.MAIN_CONSUMER_PREFIX,
            StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX,
            StreamsConfig.CONSUMER_PREFIX, StreamsConfig.PRODUCER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX,
            StreamsConfig.TOPIC_PREFIX);

    private final ObjectMapper yaml = JsonMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    /**
     * Reads and validates the application config and its policy. The application file is read as a tree and each
     * section by its declared keys ({@link ConfigKeys#SECTIONS}): types, defaults, rules and unknown keys all come
     * from the declarations.
     */
    public FirewallConfig load(Path applicationFile) {
        return load(applicationFile, null);
    }

    /**
     * Reads and validates the application config with another policy file in place of its {@code policy-file}: a
     * candidate policy to replay or explain with. Everything the policy file carries (hash forms, honeytokens,
     * consent-signal mapping) comes from the candidate, so the result is the configuration the service would run
     * with that file.
     *
     * @param policyOverride the candidate policy file, or null for the configured one
     */
    public FirewallConfig load(Path applicationFile, Path policyOverride) {
        Map<String, Object> root = readTree(applicationFile);
        Set<String> known = new TreeSet<>(ConfigKeys.TOP.names());
        ConfigKeys.SECTIONS.stream().map(ConfigDef::section).filter(name -> !name.isEmpty()).forEach(known::add);
        known.add(ConfigKeys.STREAMS);
        for (String key : root.keySet()) {
            if (!known.contains(key)) {
                throw new ConfigException(applicationFile + ": unknown key '" + key + "' (known keys here: "
                        + String.join(", ", known) + ")");
            }
        }
        Map<String, Object> topLevel = new LinkedHashMap<>(root);
        topLevel.keySet().retainAll(ConfigKeys.TOP.names());
        ConfigValues top = values(applicationFile, ConfigKeys.TOP, topLevel);
        String applicationId = require(applicationFile, ConfigKeys.APPLICATION_ID, top);
        String bootstrap = require(applicationFile, ConfigKeys.BOOTSTRAP_SERVERS, top);
        String policyName = require(applicationFile, ConfigKeys.POLICY_FILE, top);
        SchemaRegistryConfig registry = section(applicationFile, root, SchemaRegistryConfig.DEF,
                SchemaRegistryConfig::from);
        Topics topics = section(applicationFile, root, Topics.DEF, Topics::from);
        Processing processing = section(applicationFile, root, Processing.DEF, Processing::from);
        HttpSettings http = section(applicationFile, root, HttpSettings.DEF, HttpSettings::from);
        ConfigValues identitySection = values(applicationFile, ConfigKeys.IDENTITY,
                mapping(applicationFile, ConfigKeys.IDENTITY.section(), root));
        Map<String, String> streams = streams(applicationFile, mapping(applicationFile, ConfigKeys.STREAMS, root));
        validateStreamsKeys(applicationFile, streams);
        refuseStreamsProtocolWithStaticMembership(applicationFile, streams, processing);
        Path base = applicationFile.toAbsolutePath().getParent();
        Path policyFile = policyOverride != null ? policyOverride.toAbsolutePath().normalize()
                : base.resolve(policyName).normalize();
        LoadedPolicy loaded;
        try {
            loaded = readPolicy(policyFile);
        } catch (ConfigException e) {
            if (e.getCause() instanceof NoSuchFileException && policyOverride == null) {
                throw new ConfigException(applicationFile + ": key 'policy-file': " + e.getMessage(), e);
            }
            throw e;
        }
        if (!processing.stateDir().isAbsolute()) {
            processing = processing.withStateDir(base.resolve(processing.stateDir()).normalize());
        }
        IdentityOptions identity = identity(applicationFile, identitySection, loaded.hashForms());
        Honeytokens honeytokens;
        try {
            honeytokens = Honeytokens.of(loaded.honeytokens(), IdentifierNormalizer.of(identity));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(policyFile + ": " + e.getMessage(), e);
        }
        ShadowPolicy shadow = shadow(applicationFile, base, top.get(ConfigKeys.SHADOW_POLICY_FILE), loaded,
                identity);
        return new FirewallConfig(applicationId, bootstrap, registry, topics, processing, identity, streams,
                policyFile, loaded.policy(), honeytokens, loaded.tcf(), http, shadow);
    }

    /**
     * The candidate policy of {@code shadow-policy-file}, read exactly as {@code policy-file} is (its own version and
     * hash), or null when the key is absent. Its match hash forms and consent-signal mapping must be the enforcing
     * policy's: they decide how registrations and consent are stored, and the shadow reads the same stores.
     */
    private ShadowPolicy shadow(Path applicationFile, Path base, String name, LoadedPolicy enforcing,
                                IdentityOptions identity) {
        if (name == null) {
            return null;
        }
        String key = ConfigKeys.SHADOW_POLICY_FILE.qualifiedName();
        if (name.isBlank()) {
            throw new ConfigException(applicationFile + ": key '" + key + "' must name a file (omit the key for no "
                    + "shadow policy)");
        }
        try {
            return readShadow(base.resolve(name).normalize(), enforcing.hashForms(), enforcing.tcf(), identity);
        } catch (ConfigException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                throw new ConfigException(applicationFile + ": key '" + key + "': " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * {@code config} with {@code shadowPolicyFile} as its shadow policy, read and checked as {@code shadow-policy-file}
     * is: for tools that take the candidate on their command line (the benchmark's {@code --shadow-policy}).
     *
     * @throws ConfigException naming the file and the key, as at startup
     */
    public FirewallConfig withShadowPolicy(FirewallConfig config, Path shadowPolicyFile) {
        return config.withShadow(readShadow(shadowPolicyFile.toAbsolutePath().normalize(),
                config.identity().hashForms(), config.consentSignals(), config.identity()));
    }

    private ShadowPolicy readShadow(Path file, Set<HashForm> hashForms, TcfSettings tcf, IdentityOptions identity) {
        LoadedPolicy loaded = readPolicy(file);
        if (!loaded.hashForms().equals(hashForms)) {
            throw new ConfigException(file + ": key 'match-hash-forms' must be the same as policy-file's "
                    + hashForms + " (registrations are stored under those forms, and the shadow policy reads the "
                    + "same stores)");
        }
        if (!loaded.tcf().equals(tcf)) {
            throw new ConfigException(file + ": key 'consent-signals' must be the same as policy-file's (consent is "
                    + "stored as decoded under it, and the shadow policy reads the same store)");
        }
        try {
            return new ShadowPolicy(file, loaded.policy(),
                    Honeytokens.of(loaded.honeytokens(), IdentifierNormalizer.of(identity)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /** The section's entries, or none if it is absent; a section that is not a mapping is a wrong type. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapping(Path file, String section, Map<String, Object> root) {
        Object raw = root.get(section);
        if (raw == null) {
            return Map.of();
        }
        if (!(raw instanceof Map)) {
            throw new ConfigException(file + ": key '" + section + "' has a value of the wrong type (expected a "
                    + "mapping of keys)");
        }
        return (Map<String, Object>) raw;
    }

    /** A declared section read into its typed value; a failure names the file and the key. */
    private static <T> T section(Path file, Map<String, Object> root, ConfigDef def, Function<ConfigValues, T> build) {
        ConfigValues values = values(file, def, mapping(file, def.section(), root));
        try {
            return build.apply(values);
        } catch (IllegalArgumentException e) {
            // A rule between keys (two topics alike, credentials without their source), or a key's rule.
            throw new ConfigException(file + ": invalid value under '" + def.section() + "': " + e.getMessage(), e);
        }
    }

    private static ConfigValues values(Path file, ConfigDef def, Map<String, Object> entries) {
        try {
            return def.parse(entries);
        } catch (InvalidConfigException e) {
            String key = def.section().isEmpty() ? e.key() : def.section() + "." + e.key();
            throw new ConfigException(switch (e.kind()) {
                case UNKNOWN -> file + ": unknown key '" + key + "' (" + e.detail() + ")";
                case MISSING -> file + ": key '" + key + "' is required";
                case WRONG_TYPE -> file + ": key '" + key + "' has a value of the wrong type (" + e.detail() + ")";
                case INVALID -> def.section().isEmpty() ? file + ": key '" + key + "': " + e.detail()
                        : file + ": invalid value under '" + def.section() + "': " + e.getMessage();
            }, e);
        }
    }

    /** The pass-through settings as text, as Kafka reads them; only scalars are settings. */
    private static Map<String, String> streams(Path file, Map<String, Object> entries) {
        Map<String, String> streams = new LinkedHashMap<>();
        entries.forEach((key, value) -> {
            if (value == null || value instanceof Map || value instanceof List) {
                throw new ConfigException(file + ": key '" + ConfigKeys.STREAMS + "." + key + "' has a value of the "
                        + "wrong type (expected a single value)");
            }
            streams.put(key, value.toString());
        });
        return streams;
    }

    /** The policy with the parts of the policy file that the identity package applies. */
    private record LoadedPolicy(Policy policy, Set<HashForm> hashForms, List<Honeytokens.Token> honeytokens,
                                TcfSettings tcf) {
    }

    private LoadedPolicy readPolicy(Path policyFile) {
        // One read: the hash is over the very bytes that were parsed, so it names the text that decides.
        byte[] bytes = readBytes(policyFile);
        String contentHash = sha256Hex(bytes);
        PolicyFile file = parse(policyFile, decode(policyFile, bytes), PolicyFile.class);
        if (file == null) {
            throw new ConfigException(policyFile + ": the file is empty");
        }
        String version = require(policyFile, "version", file.version());
        Purpose adPurpose = purpose(policyFile, "ad-purpose", require(policyFile, "ad-purpose", file.adPurpose()));
        if (file.restrictedPurposes() == null || file.restrictedPurposes().isEmpty()) {
            throw new ConfigException(policyFile + ": key 'restricted-purposes' must list at least one purpose");
        }
        List<Purpose> restricted = new ArrayList<>();
        for (int i = 0; i < file.restrictedPurposes().size(); i++) {
            restricted.add(purpose(policyFile, "restricted-purposes[" + i + "]", file.restrictedPurposes().get(i)));
        }
        Taxonomy taxonomy = taxonomy(policyFile, file.knownPurposes());
        Policy policy;
        try {
            policy = new Policy(version, adPurpose, restricted, taxonomy, contentHash);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(policyFile + ": " + e.getMessage(), e);
        }
        Set<HashForm> forms = IdentityOptions.ALL_HASH_FORMS;
        if (file.matchHashForms() != null) {
            forms = java.util.EnumSet.noneOf(HashForm.class);
            for (int i = 0; i < file.matchHashForms().size(); i++) {
                try {
                    forms.add(HashForm.parse(file.matchHashForms().get(i)));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(policyFile + ": key 'match-hash-forms[" + i + "]': " + e.getMessage(), e);
                }
            }
            if (!forms.contains(HashForm.SHA256)) {
                throw new ConfigException(policyFile + ": key 'match-hash-forms' must include SHA-256, the form ad "
                        + "platforms match on and the firewall forwards");
            }
        }
        List<Honeytokens.Token> tokens = new ArrayList<>();
        List<HoneytokenEntry> entries = file.honeytokens() == null ? List.of() : file.honeytokens();
        for (int i = 0; i < entries.size(); i++) {
            HoneytokenEntry entry = entries.get(i);
            String key = "honeytokens[" + i + "]";
            if (entry == null) {
                throw new ConfigException(policyFile + ": key '" + key + "' is empty");
            }
            String label = require(policyFile, key + ".label", entry.label());
            String type = require(policyFile, key + ".type", entry.type());
            String value = require(policyFile, key + ".value", entry.value());
            IdentifierKind kind;
            try {
                kind = IdentifierKind.valueOf(type.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(policyFile + ": key '" + key + ".type': '" + type + "' is not one of "
                        + java.util.Arrays.toString(IdentifierKind.values()), e);
            }
            tokens.add(new Honeytokens.Token(label, kind, value));
        }
        TcfSettings tcf = tcf(policyFile, file.consentSignals());
        boolean defaultMapping = file.consentSignals() == null || file.consentSignals().tcf() == null
                || file.consentSignals().tcf().purposes() == null;
        for (Map.Entry<Integer, List<Purpose>> mapping : new java.util.TreeMap<>(tcf.purposes()).entrySet()) {
            List<Purpose> mapped = mapping.getValue();
            for (int i = 0; i < mapped.size(); i++) {
                if (!taxonomy.knows(mapped.get(i))) {
                    // A grant there would count for nothing: say so now rather than suppress every TCF user.
                    throw new ConfigException(policyFile + ": key 'consent-signals.tcf.purposes." + mapping.getKey()
                            + "[" + i + "]'" + (defaultMapping ? " (the default mapping; set the key)" : "")
                            + ": purpose " + mapped.get(i) + " is not within known-purposes " + taxonomy.roots());
                }
            }
        }
        return new LoadedPolicy(policy, forms, tokens, tcf);
    }

    /** The policy's {@code known-purposes}, or fideslang's data uses when the key is absent. */
    private static Taxonomy taxonomy(Path file, List<String> knownPurposes) {
        if (knownPurposes == null) {
            return Taxonomy.fideslang();
        }
        if (knownPurposes.isEmpty()) {
            throw new ConfigException(file + ": key 'known-purposes' must list at least one purpose (omit the key "
                    + "for the default, fideslang's data uses)");
        }
        List<Purpose> roots = new ArrayList<>();
        for (int i = 0; i < knownPurposes.size(); i++) {
            roots.add(purpose(file, "known-purposes[" + i + "]", knownPurposes.get(i)));
        }
        return new Taxonomy(roots);
    }

    /**
     * The file as a tree of raw values: mappings as ordered {@code Map<String, Object>}, sequences as lists, scalars
     * as String, Number or Boolean, YAML null as null. The declarations, not Jackson, then give them their types.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> readTree(Path file) {
        String text = readText(file);
        JsonNode node;
        try {
            node = yaml.readTree(text);
        } catch (JsonProcessingException e) {
            throw notYaml(file, text, e);
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new ConfigException(file + ": the file is empty");
        }
        if (!node.isObject()) {
            throw new ConfigException(file + ": expected a mapping of keys at the top level");
        }
        return (Map<String, Object>) raw(node);
    }

    private static Object raw(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(field -> map.put(field.getKey(), raw(field.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(element -> list.add(raw(element)));
            return list;
        }
        if (node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        return node.asText();
    }

    private static String readText(Path file) {
        return decode(file, readBytes(file));
    }

    /** The file's bytes exactly as on disk: what the policy's content hash is computed over. */
    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file", e);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** The bytes as UTF-8, strictly (as {@link Files#readString} reads them); blank is an error. */
    private static String decode(Path file, byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
        if (text.isBlank()) {
            throw new ConfigException(file + ": the file is empty");
        }
        return text;
    }

    /** SHA-256 of {@code bytes}, lowercase hex: what {@code sha256sum} prints for the file. */
    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static ConfigException notYaml(Path file, String text, JsonProcessingException e) {
        int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
        return new ConfigException(file + ": not valid YAML at line " + (line < 0 ? "?" : line)
                + keyOnLine(text, line), e);
    }

    private <T> T read(Path file, Class<T> type) {
        return parse(file, readText(file), type);
    }

    private <T> T parse(Path file, String text, Class<T> type) {
        try {
            return yaml.readValue(text, type);
        } catch (UnrecognizedPropertyException e) {
            Set<String> known = new TreeSet<>();
            if (e.getKnownPropertyIds() != null) {
                e.getKnownPropertyIds().forEach(id -> known.add(id.toString()));
            }
            throw new ConfigException(file + ": unknown key '" + path(e) + "'"
                    + (known.isEmpty() ? "" : " (known keys here: " + String.join(", ", known) + ")"), e);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String parent = path(e);
            throw new ConfigException(file + ": invalid value under '" + (parent.isEmpty() ? "<root>" : parent)
                    + "': " + cause.getMessage(), e);
        } catch (JsonMappingException e) {
            throw new ConfigException(file + ": key '" + path(e) + "' has a value of the wrong type ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")", e);
        } catch (JsonProcessingException e) {
            throw notYaml(file, text, e);
        }
    }

    /** " (key 'k')" if line {@code line} (1-based) of {@code text} starts with a key, else "". */
    private static String keyOnLine(String text, int line) {
        if (line < 1) {
            return "";
        }
        String content = text.lines().skip(line - 1L).findFirst().orElse("");
        java.util.regex.Matcher key = java.util.regex.Pattern.compile("^\\s*-?\\s*([A-Za-z0-9_.-]+)\\s*:")
                .matcher(content);
        return key.find() ? " (key '" + key.group(1) + "')" : "";
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String require(Path file, String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(file + ": key '" + key + "' is required");
        }
        return value;
    }

    /** A required top-level string; blank counts as absent. */
    private static String require(Path file, ConfigDef.Key<String> key, ConfigValues values) {
        return require(file, key.qualifiedName(), values.get(key));
    }

    private static IdentityOptions identity(Path file, ConfigValues section, Set<HashForm> hashForms) {
        try {
            return new IdentityOptions(section.get(ConfigKeys.DEFAULT_REGION),
                    section.get(ConfigKeys.EMAIL_PROVIDER_CANONICALIZATION), hashForms,
                    section.get(ConfigKeys.PHONE_CACHE_ENTRIES));
        } catch (IllegalArgumentException e) {
            // The options name the failing key first ("default-region: ..."); report it under its full key.
            String message = e.getMessage();
            int colon = message.indexOf(": ");
            String key = colon > 0 ? message.substring(0, colon) : "default-region";
            throw new ConfigException(file + ": key 'identity." + key + "': "
                    + (colon > 0 ? message.substring(colon + 2) : message), e);
        }
    }

    private static Purpose purpose(Path file, String key, String text) {
        try {
            return Purpose.parse(text == null ? "" : text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": key '" + key + "': " + e.getMessage(), e);
        }
    }

    private static void validateStreamsKeys(Path file, Map<String, String> streams) {
        Set<String> streamsKeys = StreamsConfig.configDef().names();
        Set<String> clientKeys = new TreeSet<>();
        clientKeys.addAll(ConsumerConfig.configNames());
        clientKeys.addAll(ProducerConfig.configNames());
        clientKeys.addAll(AdminClientConfig.configNames());
        Set<String> topicKeys = topicConfigNames();
        for (String key : streams.keySet()) {
            String owner = OWNED_STREAMS_KEYS.get(key);
            if (owner != null) {
                throw new ConfigException(file + ": key 'streams." + key + "' is set by '" + owner
                        + "'; set it there");
            }
            String fixed = FIXED_STREAMS_KEYS.get(key);
            if (fixed != null) {
                throw new ConfigException(file + ": key 'streams." + key + "' cannot be set: " + fixed);
            }
            if (streamsKeys.contains(key) || clientKeys.contains(key)) {
                continue;
            }
            boolean known = false;
            for (String prefix : CLIENT_PREFIXES) {
                if (key.startsWith(prefix)) {
                    String rest = key.substring(prefix.length());
                    known = prefix.equals(StreamsConfig.TOPIC_PREFIX) ? topicKeys.contains(rest)
                            : clientKeys.contains(rest);
                    break;
                }
            }
            if (!known) {
                throw new ConfigException(file + ": unknown key 'streams." + key
                        + "': not a Kafka Streams, consumer, producer, admin or (with topic.) topic setting");
            }
        }
    }

    /**
     * Kafka 4.4's streams rebalance protocol ({@code group.protocol: streams}) does not let a static member that
     * was killed rejoin: the restarted instance's first heartbeat is refused with UNRELEASED_INSTANCE_ID, a fatal
     * error, until the old member's session has timed out (45 s at the brokers' minimum). With the firewall's
     * default static membership every unclean restart would therefore crash again and again for that long.
     */
    private static void refuseStreamsProtocolWithStaticMembership(Path file, Map<String, String> streams,
                                                                   Processing processing) {
        String protocol = streams.get(StreamsConfig.GROUP_PROTOCOL_CONFIG);
        if (protocol != null && protocol.strip().equalsIgnoreCase("streams")
                && processing.groupInstanceId().enabled()) {
            throw new ConfigException(file + ": key 'streams." + StreamsConfig.GROUP_PROTOCOL_CONFIG
                    + "' is 'streams' while '" + Processing.GROUP_INSTANCE_ID.qualifiedName() + "' is '"
                    + processing.groupInstanceId() + "': with Kafka 4.4's streams protocol an instance restarted "
                    + "after a crash is refused with UNRELEASED_INSTANCE_ID (fatal) until its old member's session "
                    + "has timed out; set " + Processing.GROUP_INSTANCE_ID.qualifiedName() + ": none, or keep the "
                    + "classic protocol (the default)");
        }
    }

    private static Set<String> topicConfigNames() {
        Set<String> names = new TreeSet<>();
        for (java.lang.reflect.Field field : TopicConfig.class.getFields()) {
            if (field.getName().endsWith("_CONFIG") && field.getType() == String.class) {
                try {
                    names.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }

    private static TcfSettings tcf(Path file, ConsentSignalsSection section) {
        if (section == null || section.tcf() == null) {
            return TcfSettings.defaults();
        }
        TcfSection tcf = section.tcf();
        TcfSettings defaults = TcfSettings.defaults();
        Map<Integer, List<Purpose>> purposes = new java.util.TreeMap<>();
        if (tcf.purposes() == null) {
            purposes.putAll(defaults.purposes());
        } else {
            for (Map.Entry<Integer, List<String>> entry : tcf.purposes().entrySet()) {
                List<Purpose> mapped = new ArrayList<>();
                List<String> names = entry.getValue() == null ? List.of() : entry.getValue();
                for (int i = 0; i < names.size(); i++) {
                    mapped.add(purpose(file, "consent-signals.tcf.purposes." + entry.getKey() + "[" + i + "]",
                            names.get(i)));
                }
                purposes.put(entry.getKey(), mapped);
            }
        }
        try {
            return new TcfSettings(
                    tcf.supportedPolicyVersions() == null ? defaults.supportedPolicyVersions()
                            : Set.copyOf(tcf.supportedPolicyVersions()),
                    tcf.maxAgeDays() == null ? defaults.maxAge() : java.time.Duration.ofDays(tcf.maxAgeDays()),
                    tcf.vendorIds() == null ? Set.of() : Set.copyOf(tcf.vendorIds()),
                    purposes);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException(file + ": key 'consent-signals.tcf." + e.getMessage(), e);
        }
    }

    /** The shape of policy.yaml; kebab-case keys. */
    record PolicyFile(String version, String adPurpose, List<String> restrictedPurposes,
                      List<String> knownPurposes, List<String> matchHashForms, List<HoneytokenEntry> honeytokens,
                      ConsentSignalsSection consentSignals) {
    }

    /** The policy's {@code consent-signals:} section. */
    record ConsentSignalsSection(TcfSection tcf) {
    }

    /** The policy's {@code consent-signals.tcf:} section. */
    record TcfSection(List<Integer> supportedPolicyVersions, Long maxAgeDays, List<Integer> vendorIds,
                      Map<Integer, List<String>> purposes) {
    }

    /** One entry of the policy's {@code honeytokens:} list. */
    record HoneytokenEntry(String label, String type, String value) {
    }
}
