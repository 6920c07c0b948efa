package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.purposefirewall.kafkalocal.LocalSchemaRegistry;
import org.purposefirewall.registry.HttpSchemaRegistryClient;
import org.purposefirewall.registry.RegistrySettings;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.serde.AvroSerde;
import org.purposefirewall.serde.WireFormat;

/**
 * Byte compatibility of the firewall's serde with a third-party one: Apicurio's own Avro serializer and deserializer
 * (2.6.13, Confluent framing with content ids, no headers) against a real Apicurio Registry. Bytes either writes must
 * be read by the other into an equal {@link ContactPoint}, and both must frame them the Confluent way (magic byte 0,
 * then a 4-byte id that the Confluent-compatible API resolves to the ContactPoint schema).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ApicurioSerdeCompatibilityIT {

    private static final String TRUSTED_PACKAGES = "org.apache.avro.SERIALIZABLE_PACKAGES";

    private static LocalSchemaRegistry registry;
    private static String previousTrustedPackages;

    private HttpSchemaRegistryClient client;
    private AvroSerde<ContactPoint> ours;
    private AvroKafkaSerializer<Object> theirSerializer;
    private AvroKafkaDeserializer<Object> theirSpecificDeserializer;
    private AvroKafkaDeserializer<Object> theirGenericDeserializer;

    @BeforeAll
    static void startRegistry() {
        // Avro 1.12 instantiates generated classes only from trusted packages; Apicurio's specific reader needs the
        // firewall's schema package trusted whether or not AvroSerde's own class initializer ran first.
        previousTrustedPackages = System.getProperty(TRUSTED_PACKAGES);
        if (previousTrustedPackages == null || !previousTrustedPackages.contains("org.purposefirewall.schema")) {
            System.setProperty(TRUSTED_PACKAGES, previousTrustedPackages == null ? "org.purposefirewall.schema"
                    : previousTrustedPackages + ",org.purposefirewall.schema");
        }
        long start = System.nanoTime();
        registry = LocalSchemaRegistry.start(LocalSchemaRegistry.locateJar());
        System.out.printf("[ApicurioSerdeCompatibilityIT] registry %s up in %d ms%n", registry.baseUrl(),
                (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void stopRegistry() {
        try {
            if (registry != null) {
                registry.close();
            }
        } finally {
            if (previousTrustedPackages == null) {
                System.clearProperty(TRUSTED_PACKAGES);
            } else {
                System.setProperty(TRUSTED_PACKAGES, previousTrustedPackages);
            }
        }
    }

    private void createSerdes() {
        client = new HttpSchemaRegistryClient(RegistrySettings.parse(Map.of("schema.registry.url",
                registry.confluentUrl())));
        ours = new AvroSerde<>(ContactPoint.class, client, true, false);
        theirSerializer = new AvroKafkaSerializer<>();
        theirSerializer.configure(apicurioSettings(false), false);
        theirSpecificDeserializer = new AvroKafkaDeserializer<>();
        theirSpecificDeserializer.configure(apicurioSettings(true), false);
        theirGenericDeserializer = new AvroKafkaDeserializer<>();
        theirGenericDeserializer.configure(apicurioSettings(false), false);
    }

    @AfterEach
    void closeSerdes() {
        if (theirSerializer != null) {
            theirSerializer.close();
        }
        if (theirSpecificDeserializer != null) {
            theirSpecificDeserializer.close();
        }
        if (theirGenericDeserializer != null) {
            theirGenericDeserializer.close();
        }
        if (client != null) {
            client.close();
        }
    }

    /** The settings of the shared recipe: Confluent framing, content ids, no headers, auto-register. */
    private static Map<String, Object> apicurioSettings(boolean specificReader) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(SerdeConfig.REGISTRY_URL, registry.apicurioV2Url());
        settings.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, "true");
        settings.put(SerdeConfig.USE_ID, "contentId");
        settings.put(SerdeConfig.ENABLE_HEADERS, "false");
        settings.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, "true");
        settings.put(AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, String.valueOf(specificReader));
        return settings;
    }

    private static String topic(String what) {
        return "it-apicurio-" + what + "-" + UUID.randomUUID().toString().substring(0, 8) + ".user.contact-points";
    }

    private static ContactPoint contactPoint() {
        Map<String, String> attributes = new TreeMap<>();
        attributes.put("campaign", "spring-sale");
        attributes.put("locale", "de-CH");
        return ContactPoint.newBuilder()
                .setUserId("user-42")
                .setIdentifierType(IdentifierType.PHONE)
                .setValue("+41 (44) 555-01 00 \u00e9")
                .setDeclaredPurposes(List.of("marketing.advertising.third_party", "analytics.reporting"))
                .setSourceSystem("ads-audience-sync")
                .setEventTime(Instant.ofEpochMilli(1_700_000_123_456L))
                .setAttributes(new HashMap<>(attributes))
                .build();
    }

    @Test
    void bytesWrittenByApicuriosSerializerAreReadByOurSerde() throws Exception {
        createSerdes();
        String topic = topic("theirs-to-ours");
        ContactPoint original = contactPoint();

        byte[] bytes = theirSerializer.serialize(topic, original);

        int id = assertConfluentFramedContactPoint(bytes);
        ContactPoint read = ours.decode(bytes);
        assertThat(read).isEqualTo(original);
        assertThat(read.getEventTime()).isEqualTo(original.getEventTime());
        // The registry knows the schema under the topic's subject, so our serde's look-up agrees with Apicurio's id.
        assertThat(client.idOf(ours.subject(topic), ContactPoint.getClassSchema())).isEqualTo(id);
    }

    @Test
    void bytesWrittenByOurSerdeAreReadByApicuriosDeserializer() throws Exception {
        createSerdes();
        String topic = topic("ours-to-theirs");
        ContactPoint original = contactPoint();

        byte[] bytes = ours.encode(topic, original);

        int id = assertConfluentFramedContactPoint(bytes);
        assertThat(id).isEqualTo(ours.schemaIdFor(topic));

        Object specific = theirSpecificDeserializer.deserialize(topic, bytes);
        assertThat(specific).isInstanceOf(ContactPoint.class).isEqualTo(original);

        Object generic = theirGenericDeserializer.deserialize(topic, bytes);
        assertThat(generic).isInstanceOf(GenericRecord.class);
        GenericRecord record = (GenericRecord) generic;
        assertThat(record.getSchema()).isEqualTo(ContactPoint.getClassSchema());
        assertThat(record.get("userId")).hasToString(original.getUserId());
        assertThat(record.get("identifierType")).hasToString(original.getIdentifierType().name());
        assertThat(record.get("value")).hasToString(original.getValue());
        assertThat(((List<?>) record.get("declaredPurposes")).stream().map(Object::toString).toList())
                .isEqualTo(original.getDeclaredPurposes());
        assertThat(record.get("sourceSystem")).hasToString(original.getSourceSystem());
        Object eventTime = record.get("eventTime");
        long eventMillis = eventTime instanceof Instant instant ? instant.toEpochMilli() : (Long) eventTime;
        assertThat(eventMillis).isEqualTo(original.getEventTime().toEpochMilli());
        Map<String, String> attributes = new TreeMap<>();
        ((Map<?, ?>) record.get("attributes")).forEach((k, v) -> attributes.put(k.toString(), v.toString()));
        assertThat(attributes).isEqualTo(new TreeMap<>(original.getAttributes()));
    }

    @Test
    void bothSerdesWriteTheSameBytesForTheSameSchemaId() throws Exception {
        createSerdes();
        String topic = topic("same-bytes");
        ContactPoint original = contactPoint();

        byte[] theirs = theirSerializer.serialize(topic, original);
        byte[] ourBytes = ours.encode(topic, original);

        // The Avro bodies are identical; only the id may differ if the two registered differently-formatted texts.
        assertThat(body(ourBytes)).isEqualTo(body(theirs));
        assertConfluentFramedContactPoint(theirs);
        assertConfluentFramedContactPoint(ourBytes);
        assertThat(ours.decode(theirs)).isEqualTo(ours.decode(ourBytes));
        assertThat(theirSpecificDeserializer.deserialize(topic, ourBytes))
                .isEqualTo(theirSpecificDeserializer.deserialize(topic, theirs));
    }

    /**
     * Magic byte 0, then a 4-byte big-endian id that the Confluent-compatible API (asked directly, and through a
     * fresh client) resolves to the ContactPoint schema.
     */
    private static int assertConfluentFramedContactPoint(byte[] bytes) throws Exception {
        assertThat(bytes.length).isGreaterThan(WireFormat.HEADER_SIZE);
        assertThat(bytes[0]).as("magic byte").isEqualTo((byte) 0);
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertThat(WireFormat.schemaId(bytes)).isEqualTo(id);
        assertThat(id).isPositive();

        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(registry.confluentUrl() + "/schemas/ids/" + id))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("GET /schemas/ids/%d: %s", id, answer.body()).isEqualTo(200);
        try (HttpSchemaRegistryClient fresh = new HttpSchemaRegistryClient(RegistrySettings.parse(
                Map.of("schema.registry.url", registry.confluentUrl())))) {
            Schema schema = fresh.schemaById(id);
            assertThat(schema).isEqualTo(ContactPoint.getClassSchema());
        }
        return id;
    }

    private static byte[] body(byte[] framed) {
        byte[] out = new byte[framed.length - WireFormat.HEADER_SIZE];
        System.arraycopy(framed, WireFormat.HEADER_SIZE, out, 0, out.length);
        return out;
    }
}
