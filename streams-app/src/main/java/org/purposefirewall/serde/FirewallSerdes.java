package org.purposefirewall.serde;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.purposefirewall.registry.SchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryClients;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SuppressedRecord;

/**
 * One value serde per topic type, all over one registry client. Immutable; build one per application (or per test)
 * and hand it to the topology: there are no static serdes anywhere.
 */
public record FirewallSerdes(SchemaRegistryClient registry,
                             AvroSerde<ContactPoint> contactPoint,
                             AvroSerde<ConsentState> consentState,
                             AvroSerde<PurposeRegistration> registration,
                             AvroSerde<AudienceIdentifier> audience,
                             AvroSerde<QuarantineRecord> quarantine,
                             AvroSerde<SuppressedRecord> suppressed,
                             AvroSerde<DeadLetterRecord> deadLetter) {

    /** Confluent's key: register schemas on first write (default true). */
    public static final String AUTO_REGISTER_CONFIG = "auto.register.schemas";

    public FirewallSerdes {
        Objects.requireNonNull(registry, "registry");
    }

    /** Serdes for the Confluent-style {@code settings} ({@code schema.registry.url}, {@code auto.register.schemas}). */
    public static FirewallSerdes fromSettings(Map<String, String> settings) {
        String autoRegister = settings.getOrDefault(AUTO_REGISTER_CONFIG, "true").strip().toLowerCase(Locale.ROOT);
        if (!autoRegister.equals("true") && !autoRegister.equals("false")) {
            throw new IllegalArgumentException(AUTO_REGISTER_CONFIG + " must be true or false");
        }
        return create(SchemaRegistryClients.create(settings), Boolean.parseBoolean(autoRegister));
    }

    public static FirewallSerdes create(SchemaRegistryClient registry, boolean autoRegister) {
        return new FirewallSerdes(registry,
                new AvroSerde<>(ContactPoint.class, registry, autoRegister, false),
                new AvroSerde<>(ConsentState.class, registry, autoRegister, false),
                new AvroSerde<>(PurposeRegistration.class, registry, autoRegister, false),
                new AvroSerde<>(AudienceIdentifier.class, registry, autoRegister, false),
                new AvroSerde<>(QuarantineRecord.class, registry, autoRegister, false),
                new AvroSerde<>(SuppressedRecord.class, registry, autoRegister, false),
                new AvroSerde<>(DeadLetterRecord.class, registry, autoRegister, false));
    }
}
