package org.purposefirewall.serde;

import java.util.Objects;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.registry.SchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryClients;
import org.purposefirewall.registry.SchemaRegistryConfig;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.ShadowDecision;
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
                             AvroSerde<AudienceRecall> recall,
                             AvroSerde<ShadowDecision> shadowDecision) {

    /** Serdes over the registry the settings name, registering and versioning as they say. */
    public static FirewallSerdes fromSettings(SchemaRegistryConfig settings) {
        return create(SchemaRegistryClients.create(settings), settings.autoRegister(), settings.useLatestVersion());
    }

    public static FirewallSerdes create(SchemaRegistryClient registry, boolean autoRegister) {
        return create(registry, autoRegister, false);
    }

    /**
     * A copy that reads inputs as this one does but writes (and reads back) the firewall's own outputs through
     * {@code local}: for a replay or an explanation, which must decode the real inputs with the real registry but
     * register nothing in it.
     */
    public FirewallSerdes withOutputsIn(SchemaRegistryClient local) {
        return new FirewallSerdes(registry, health, contactPoint, consentState, registration,
                new AvroSerde<>(AudienceIdentifier.class, local, true, false, false),
                new AvroSerde<>(QuarantineRecord.class, local, true, false, false),
                new AvroSerde<>(SuppressedRecord.class, local, true, false, false),
                new AvroSerde<>(DeadLetterRecord.class, local, true, false, false),
                new AvroSerde<>(AudienceRecall.class, local, true, false, false),
                new AvroSerde<>(ShadowDecision.class, local, true, false, false));
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
                new AvroSerde<>(AudienceRecall.class, registry, autoRegister, useLatest, false),
                new AvroSerde<>(ShadowDecision.class, registry, autoRegister, useLatest, false));
    }
}
