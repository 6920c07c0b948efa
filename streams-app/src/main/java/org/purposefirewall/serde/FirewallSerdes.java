package org.purposefirewall.serde;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.registry.RegistrySettings;
import org.purposefirewall.registry.SchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryClients;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;
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
                             RegistryHealth health,
                             AvroSerde<ContactPoint> contactPoint,
                             AvroSerde<ConsentState> consentState,
                             AvroSerde<PurposeRegistration> registration,
                             AvroSerde<AudienceIdentifier> audience,
                             AvroSerde<QuarantineRecord> quarantine,
                             AvroSerde<SuppressedRecord> suppressed,
                             AvroSerde<DeadLetterRecord> deadLetter,
                             AvroSerde<AudienceRecall> recall) {

    /** Serdes for the Confluent-style {@code settings} ({@code schema.registry.url}, {@code auto.register.schemas}). */
    public static FirewallSerdes fromSettings(Map<String, String> settings) {
        boolean autoRegister = flag(settings, RegistrySettings.AUTO_REGISTER, true);
        boolean useLatest = flag(settings, RegistrySettings.USE_LATEST_VERSION, false);
        return create(SchemaRegistryClients.create(settings), autoRegister, useLatest);
    }

    public static FirewallSerdes create(SchemaRegistryClient registry, boolean autoRegister) {
        return create(registry, autoRegister, false);
    }

    public static FirewallSerdes create(SchemaRegistryClient registry, boolean autoRegister, boolean useLatest) {
        return new FirewallSerdes(registry, new RegistryHealth(),
                new AvroSerde<>(ContactPoint.class, registry, autoRegister, useLatest, false),
                new AvroSerde<>(ConsentState.class, registry, autoRegister, useLatest, false),
                new AvroSerde<>(PurposeRegistration.class, registry, autoRegister, useLatest, false),
                new AvroSerde<>(AudienceIdentifier.class, registry, autoRegister, useLatest, false),
                new AvroSerde<>(QuarantineRecord.class, registry, autoRegister, useLatest, false),
                new AvroSerde<>(SuppressedRecord.class, registry, autoRegister, useLatest, false),
                new AvroSerde<>(DeadLetterRecord.class, registry, autoRegister, useLatest, false),
                new AvroSerde<>(AudienceRecall.class, registry, autoRegister, useLatest, false));
    }

    private static boolean flag(Map<String, String> settings, String key, boolean fallback) {
        String value = settings.get(key);
        if (value == null) {
            return fallback;
        }
        String normalized = value.strip().toLowerCase(Locale.ROOT);
        if (!normalized.equals("true") && !normalized.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false");
        }
        return Boolean.parseBoolean(normalized);
    }
}
