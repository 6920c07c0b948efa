package org.purposefirewall.config;

import java.util.List;
import org.purposefirewall.config.def.ConfigDef;
import org.purposefirewall.config.def.ConfigDef.Default;
import org.purposefirewall.config.def.ConfigDef.Key;
import org.purposefirewall.config.def.ConfigDef.Type;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.registry.SchemaRegistryConfig;

/**
 * Every key of {@code application.yaml}, by section. The top-level and {@code identity:} keys are declared here (the
 * identity package stays free of configuration code); each other section's owner declares its own:
 * {@link SchemaRegistryConfig#DEF}, {@link Topics#DEF}, {@link Processing#DEF}, {@link HttpSettings#DEF}. {@code streams:} is not declared:
 * it passes Kafka's own settings through, checked against Kafka's definitions. The README's configuration reference
 * lists every key declared here with its default (a test keeps them in step).
 */
public final class ConfigKeys {

    /** The top-level keys that are values, not sections. */
    public static final ConfigDef TOP = new ConfigDef("");

    public static final Key<String> APPLICATION_ID = TOP.define("application-id", Type.STRING, Default.required(),
            "Kafka Streams `application.id`: consumer group and prefix of internal topics.");
    public static final Key<String> BOOTSTRAP_SERVERS = TOP.define("bootstrap-servers", Type.STRING,
            Default.required(), "Kafka bootstrap servers.");
    public static final Key<String> POLICY_FILE = TOP.define("policy-file", Type.STRING, Default.required(),
            "Policy file, relative to the config file.");
    public static final Key<String> SHADOW_POLICY_FILE = TOP.define("shadow-policy-file", Type.STRING,
            Default.none(), "Candidate policy decided beside the enforcing one (shadow mode), relative to the config "
                    + "file; its disagreements go to topics.shadow-decisions and never change an output.");

    /**
     * The keys of {@code identity:}. Their rules are {@link IdentityOptions}' (a region with a numbering plan, the
     * cache bound), checked where the options are built, so the identity package keeps them.
     */
    public static final ConfigDef IDENTITY = new ConfigDef("identity");

    public static final Key<String> DEFAULT_REGION = IDENTITY.define("default-region", Type.STRING, Default.none(),
            "ISO 3166 region whose numbering plan reads phone numbers written without a country code.");
    public static final Key<Boolean> EMAIL_PROVIDER_CANONICALIZATION = IDENTITY.define(
            "email-provider-canonicalization", Type.BOOLEAN, Default.of(false),
            "Forward gmail.com and googlemail.com addresses without the dots of the local part and a +tag.");
    public static final Key<Integer> PHONE_CACHE_ENTRIES = IDENTITY.define("phone-cache-entries", Type.INT,
            Default.of(IdentityOptions.DEFAULT_PHONE_CACHE_ENTRIES),
            "Slots of the cache of parsed phone numbers; 0 turns it off.");

    /** The section of Kafka's own settings, passed through. */
    public static final String STREAMS = "streams";

    /** Every declared section, in the order of the shipped file. */
    public static final List<ConfigDef> SECTIONS = List.of(TOP, SchemaRegistryConfig.DEF, Topics.DEF, Processing.DEF,
            IDENTITY, HttpSettings.DEF);

    private ConfigKeys() {
    }
}
