package org.purposefirewall.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.registry.SchemaRegistryException;
import org.purposefirewall.registry.SubjectNotFoundException;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.IdentifierType;

class AvroSerdeTest {

    private static final String TOPIC = "user.contact-points";
    private static final String SUBJECT = TOPIC + "-value";
    /** The identifier carried in the records: must never show up in an error message. */
    private static final String SECRET = "alice.secret@example.com";

    private String scope;
    private MockSchemaRegistryClient client;
    private AvroSerde<ContactPoint> serde;

    @BeforeEach
    void setUp() {
        scope = "test-" + UUID.randomUUID();
        client = MockSchemaRegistryClient.forScope(scope);
        serde = new AvroSerde<>(ContactPoint.class, client, true, false);
    }

    @AfterEach
    void tearDown() {
        MockSchemaRegistryClient.dropScope(scope);
    }

    private static ContactPoint contactPoint() {
        return ContactPoint.newBuilder()
                .setUserId("user-42")
                .setIdentifierType(IdentifierType.EMAIL)
                .setValue(SECRET)
                .setDeclaredPurposes(List.of("marketing.advertising.third_party.targeted", "analytics"))
                .setSourceSystem("crm")
                .setEventTime(Instant.ofEpochMilli(1_700_000_123_456L))
                .setAttributes(Map.of("campaign", "spring", "locale", "en-US"))
                .build();
    }

    private static int headerId(byte[] framed) {
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    private static byte[] frame(int id, Schema writerSchema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(writerSchema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** ContactPoint's schema with {@code newField} (optional string) appended. */
    private static Schema contactPointWithNewField() {
        String json = ContactPoint.getClassSchema().toString();
        int end = json.lastIndexOf("]}");
        assertThat(end).isPositive();
        String edited = json.substring(0, end)
                + ",{\"name\":\"newField\",\"type\":[\"null\",\"string\"],\"default\":null}"
                + json.substring(end);
        return new Schema.Parser().parse(edited);
    }

    /** ContactPoint's schema with FAX added to IdentifierType's symbols. */
    private static Schema contactPointWithFax() {
        String json = ContactPoint.getClassSchema().toString();
        String symbols = "\"symbols\":[\"UNKNOWN\",\"PHONE\",\"EMAIL\",\"MOBILE_AD_ID\"]";
        assertThat(json).contains(symbols);
        String edited = json.replace(symbols, "\"symbols\":[\"UNKNOWN\",\"PHONE\",\"EMAIL\",\"MOBILE_AD_ID\",\"FAX\"]");
        return new Schema.Parser().parse(edited);
    }

    private static GenericRecord genericContactPoint(Schema schema, String identifierType) {
        GenericRecord record = new GenericData.Record(schema);
        record.put("userId", "user-7");
        record.put("identifierType",
                new GenericData.EnumSymbol(schema.getField("identifierType").schema(), identifierType));
        record.put("value", SECRET);
        record.put("declaredPurposes", List.of("marketing.advertising.first_party"));
        record.put("sourceSystem", "pos");
        record.put("eventTime", 1_650_000_000_000L);
        record.put("attributes", Map.of("k", "v"));
        return record;
    }

    private SerdeException decodeFailure(byte[] bytes) {
        SerdeException e = catchThrowableOfType(SerdeException.class, () -> serde.decode(bytes));
        assertThat(e).as("decode should throw SerdeException").isNotNull();
        assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("user-42").doesNotContain("user-7");
        return e;
    }

    // --- encode -----------------------------------------------------------------------------------------------

    @Test
    void roundTripsAFullyPopulatedRecord() {
        ContactPoint original = contactPoint();

        byte[] bytes = serde.serializer().serialize(TOPIC, original);
        ContactPoint decoded = serde.deserializer().deserialize(TOPIC, bytes);

        assertThat(decoded).isEqualTo(original);
        assertThat(decoded.getUserId()).isEqualTo("user-42");
        assertThat(decoded.getIdentifierType()).isEqualTo(IdentifierType.EMAIL);
        assertThat(decoded.getValue()).isEqualTo(SECRET);
        assertThat(decoded.getDeclaredPurposes())
                .containsExactly("marketing.advertising.third_party.targeted", "analytics");
        assertThat(decoded.getSourceSystem()).isEqualTo("crm");
        assertThat(decoded.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_123_456L));
        assertThat(decoded.getAttributes()).containsExactlyInAnyOrderEntriesOf(
                Map.of("campaign", "spring", "locale", "en-US"));
    }

    @Test
    void roundTripsEmptyCollectionsAndManyRecordsInARow() {
        for (int i = 0; i < 50; i++) {
            ContactPoint cp = ContactPoint.newBuilder(contactPoint())
                    .setUserId("u" + i)
                    .setDeclaredPurposes(i % 2 == 0 ? List.of() : List.of("p" + i))
                    .setAttributes(i % 3 == 0 ? Map.of() : Map.of("i", Integer.toString(i)))
                    .build();
            assertThat(serde.decode(serde.encode(TOPIC, cp))).isEqualTo(cp);
        }
    }

    @Test
    void nullsPassThroughSerializerAndDeserializer() {
        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void bytesStartWithMagicAndTheRegisteredValueSubjectId() {
        byte[] bytes = serde.encode(TOPIC, contactPoint());

        assertThat(bytes[0]).isEqualTo((byte) 0);
        int registered = client.idOf(SUBJECT, ContactPoint.getClassSchema());
        assertThat(headerId(bytes)).isEqualTo(registered);
        assertThat(serde.subject(TOPIC)).isEqualTo(SUBJECT);
        assertThat(serde.schemaIdFor(TOPIC)).isEqualTo(registered);
        assertThat(client.latest(SUBJECT).schema()).isEqualTo(ContactPoint.getClassSchema());
    }

    @Test
    void idIsWrittenBigEndian() {
        // push the ContactPoint id above 255 so that byte order matters
        for (int i = 0; i < 300; i++) {
            client.register("filler-" + i, Schema.createEnum("E" + i, null, "org.purposefirewall.test", List.of("A")));
        }

        byte[] bytes = serde.encode(TOPIC, contactPoint());

        int registered = client.idOf(SUBJECT, ContactPoint.getClassSchema());
        assertThat(registered).isGreaterThan(255);
        assertThat(Arrays.copyOfRange(bytes, 1, 5))
                .containsExactly((byte) (registered >>> 24), (byte) (registered >>> 16), (byte) (registered >>> 8),
                        (byte) registered);
        assertThat(serde.decode(bytes)).isEqualTo(contactPoint());
    }

    @Test
    void keySerdeUsesKeySubject() {
        AvroSerde<ContactPoint> keySerde = new AvroSerde<>(ContactPoint.class, client, true, true);

        byte[] bytes = keySerde.encode(TOPIC, contactPoint());

        assertThat(keySerde.subject(TOPIC)).isEqualTo(TOPIC + "-key");
        assertThat(headerId(bytes)).isEqualTo(client.idOf(TOPIC + "-key", ContactPoint.getClassSchema()));
        assertThatThrownBy(() -> client.latest(SUBJECT)).isInstanceOf(SubjectNotFoundException.class);
        assertThat(keySerde.decode(bytes)).isEqualTo(contactPoint());
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSubjectFailsToSerialize() {
        AvroSerde<ContactPoint> noRegister = new AvroSerde<>(ContactPoint.class, client, false, false);

        assertThatThrownBy(() -> noRegister.serializer().serialize(TOPIC, contactPoint()))
                .isInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
        // nothing was registered behind our back
        assertThatThrownBy(() -> client.latest(SUBJECT)).isInstanceOf(SubjectNotFoundException.class);
    }

    @Test
    void withoutAutoRegisterAManuallyRegisteredSchemaIsUsed() {
        // some other schema first, so the ContactPoint id is not simply 1
        client.register("other-value", ConsentState.getClassSchema());
        int id = client.register(SUBJECT, ContactPoint.getClassSchema());
        AvroSerde<ContactPoint> noRegister = new AvroSerde<>(ContactPoint.class, client, false, false);

        byte[] bytes = noRegister.encode(TOPIC, contactPoint());

        assertThat(headerId(bytes)).isEqualTo(id);
        assertThat(noRegister.decode(bytes)).isEqualTo(contactPoint());
        assertThat(client.latest(SUBJECT).version()).isEqualTo(1);
    }

    @Test
    void autoRegisterIsRejectedWhenTheSubjectHoldsAnIncompatibleSchema() {
        // a ContactPoint-named schema with a required field ContactPoint lacks: ContactPoint cannot read it
        Schema other = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"ContactPoint\","
                + "\"namespace\":\"org.purposefirewall.schema\",\"fields\":[{\"name\":\"onlyField\",\"type\":\"int\"}]}");
        client.register(SUBJECT, other);

        assertThatThrownBy(() -> serde.encode(TOPIC, contactPoint()))
                .isInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(409));
    }

    // --- decode: schema evolution -------------------------------------------------------------------------------

    @Test
    void readsDataWrittenWithANewerSchemaWithAnExtraField() throws IOException {
        client.register(SUBJECT, ContactPoint.getClassSchema());
        Schema v2 = contactPointWithNewField();
        int v2Id = client.register(SUBJECT, v2);
        assertThat(client.latest(SUBJECT).version()).isEqualTo(2);
        GenericRecord record = genericContactPoint(v2, "PHONE");
        record.put("newField", "something only v2 knows");

        ContactPoint decoded = serde.decode(frame(v2Id, v2, record));

        assertThat(decoded.getUserId()).isEqualTo("user-7");
        assertThat(decoded.getIdentifierType()).isEqualTo(IdentifierType.PHONE);
        assertThat(decoded.getValue()).isEqualTo(SECRET);
        assertThat(decoded.getDeclaredPurposes()).containsExactly("marketing.advertising.first_party");
        assertThat(decoded.getSourceSystem()).isEqualTo("pos");
        assertThat(decoded.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_650_000_000_000L));
        assertThat(decoded.getAttributes()).containsExactlyEntriesOf(Map.of("k", "v"));
    }

    @Test
    void readsV2DataWithNullNewFieldAndStillReadsV1Data() throws IOException {
        int v1Id = client.register(SUBJECT, ContactPoint.getClassSchema());
        Schema v2 = contactPointWithNewField();
        int v2Id = client.register(SUBJECT, v2);
        assertThat(v2Id).isNotEqualTo(v1Id);

        ContactPoint fromV2 = serde.decode(frame(v2Id, v2, genericContactPoint(v2, "EMAIL")));
        byte[] v1Bytes = serde.encode(TOPIC, contactPoint());

        assertThat(fromV2.getUserId()).isEqualTo("user-7");
        assertThat(fromV2.getIdentifierType()).isEqualTo(IdentifierType.EMAIL);
        assertThat(headerId(v1Bytes)).isEqualTo(v1Id);
        assertThat(serde.decode(v1Bytes)).isEqualTo(contactPoint());
    }

    @Test
    void unknownEnumSymbolDecodesAsTheEnumDefault() throws IOException {
        client.register(SUBJECT, ContactPoint.getClassSchema());
        Schema withFax = contactPointWithFax();
        int id = client.register(SUBJECT, withFax);

        ContactPoint fax = serde.decode(frame(id, withFax, genericContactPoint(withFax, "FAX")));
        ContactPoint phone = serde.decode(frame(id, withFax, genericContactPoint(withFax, "PHONE")));

        assertThat(fax.getIdentifierType()).isEqualTo(IdentifierType.UNKNOWN);
        assertThat(fax.getValue()).isEqualTo(SECRET);
        assertThat(fax.getUserId()).isEqualTo("user-7");
        assertThat(phone.getIdentifierType()).isEqualTo(IdentifierType.PHONE);
    }

    // --- decode: failures ---------------------------------------------------------------------------------------

    @Test
    void aDifferentRecordTypeIsIncompatibleSchema() {
        AvroSerde<ConsentState> consentSerde = new AvroSerde<>(ConsentState.class, client, true, false);
        ConsentState consent = ConsentState.newBuilder()
                .setUserId(SECRET)
                .setPurposes(List.of())
                .setSource("cmp")
                .setEffectiveTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
        byte[] bytes = consentSerde.encode("privacy.consent", consent);

        SerdeException e = decodeFailure(bytes);

        assertThat(e.kind()).isEqualTo(SerdeException.Kind.INCOMPATIBLE_SCHEMA);
        assertThat(e.getMessage()).contains("ConsentState");
    }

    @Test
    void aSameNamedButUnreadableWriterSchemaIsIncompatibleSchema() throws IOException {
        // registered under some other subject, so the registry's compatibility check does not stop it
        Schema other = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"ContactPoint\","
                + "\"namespace\":\"org.purposefirewall.schema\",\"fields\":[{\"name\":\"secret\",\"type\":\"string\"}]}");
        int id = client.register("elsewhere-value", other);
        GenericRecord record = new GenericData.Record(other);
        record.put("secret", SECRET);

        SerdeException e = decodeFailure(frame(id, other, record));

        assertThat(e.kind()).isEqualTo(SerdeException.Kind.INCOMPATIBLE_SCHEMA);
    }

    @Test
    void trailingGarbageIsMalformedAvro() {
        byte[] valid = serde.encode(TOPIC, contactPoint());
        byte[] withTrailer = Arrays.copyOf(valid, valid.length + 3);
        withTrailer[valid.length] = 1;
        withTrailer[valid.length + 1] = 2;
        withTrailer[valid.length + 2] = 3;

        SerdeException e = decodeFailure(withTrailer);

        assertThat(e.kind()).isEqualTo(SerdeException.Kind.MALFORMED_AVRO);
    }

    @Test
    void truncatedBodyIsMalformedAvro() {
        byte[] valid = serde.encode(TOPIC, contactPoint());

        SerdeException e = decodeFailure(Arrays.copyOf(valid, valid.length - 4));

        assertThat(e.kind()).isEqualTo(SerdeException.Kind.MALFORMED_AVRO);
    }

    @Test
    void headerWithoutBodyIsMalformedAvro() {
        byte[] valid = serde.encode(TOPIC, contactPoint());

        SerdeException e = decodeFailure(Arrays.copyOf(valid, WireFormat.HEADER_SIZE));

        assertThat(e.kind()).isEqualTo(SerdeException.Kind.MALFORMED_AVRO);
    }

    @Test
    void hugeStringLengthIsMalformedAvroWithoutAllocatingIt() {
        int id = serde.schemaIdFor(TOPIC);
        // userId claims Integer.MAX_VALUE - 8 bytes (zig-zag varint), followed by nothing
        byte[] bytes = {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id,
            (byte) 0xee, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};

        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        SerdeException e = decodeFailure(bytes);

        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(e.kind()).isEqualTo(SerdeException.Kind.MALFORMED_AVRO);
        assertThat(allocated).as("bytes allocated").isLessThan(64L * 1024 * 1024);
    }

    @Test
    void tooShortIsNotWireFormat() {
        for (byte[] bytes : List.of(new byte[0], new byte[] {0}, new byte[] {0, 0, 0, 1}, new byte[] {0, 0, 0, 0})) {
            SerdeException e = decodeFailure(bytes);
            assertThat(e.kind()).as("%s", Arrays.toString(bytes)).isEqualTo(SerdeException.Kind.NOT_WIRE_FORMAT);
        }
    }

    @Test
    void wrongMagicByteIsNotWireFormat() {
        byte[] valid = serde.encode(TOPIC, contactPoint());
        for (byte magic : new byte[] {1, 0x7f, (byte) 0x80, (byte) 0xff, '{'}) {
            byte[] bytes = valid.clone();
            bytes[0] = magic;
            SerdeException e = decodeFailure(bytes);
            assertThat(e.kind()).as("magic %d", magic).isEqualTo(SerdeException.Kind.NOT_WIRE_FORMAT);
        }
        // plain text is not wire format either
        SerdeException e = decodeFailure(("{\"value\":\"" + SECRET + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(e.kind()).isEqualTo(SerdeException.Kind.NOT_WIRE_FORMAT);
    }

    @Test
    void unregisteredIdIsUnknownSchemaId() {
        byte[] valid = serde.encode(TOPIC, contactPoint());
        for (int id : new int[] {0, 424_242, -1, Integer.MAX_VALUE}) {
            byte[] bytes = valid.clone();
            ByteBuffer.wrap(bytes, 1, 4).putInt(id);
            SerdeException e = decodeFailure(bytes);
            assertThat(e.kind()).as("id %d", id).isEqualTo(SerdeException.Kind.UNKNOWN_SCHEMA_ID);
            assertThat(e.getMessage()).contains(Integer.toString(id));
        }
        // and an unknown id does not poison the cache for the real one
        assertThat(serde.decode(valid)).isEqualTo(contactPoint());
    }

    @Test
    void anIdRegisteredAfterAFailedLookupIsReadable() throws IOException {
        client.register(SUBJECT, ContactPoint.getClassSchema());
        Schema v2 = contactPointWithNewField();
        // the v2 id is the next one: try it before it exists
        int expectedV2Id = client.latest(SUBJECT).id() + 1;
        byte[] bytes = frame(expectedV2Id, v2, genericContactPoint(v2, "EMAIL"));
        assertThat(decodeFailure(bytes).kind()).isEqualTo(SerdeException.Kind.UNKNOWN_SCHEMA_ID);

        assertThat(client.register(SUBJECT, v2)).isEqualTo(expectedV2Id);

        assertThat(serde.decode(bytes).getUserId()).isEqualTo("user-7");
    }

    @Test
    void outOfRangeEnumIndexInOwnSchemaIsMalformedAvro() {
        int id = serde.schemaIdFor(TOPIC);
        // userId "" (0x00), identifierType index -2 (zig-zag 0x03), then the rest of a minimal valid body
        byte[] bytes = {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id,
            0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00};

        SerdeException e = decodeFailure(bytes);

        assertThat(e.kind()).isEqualTo(SerdeException.Kind.MALFORMED_AVRO);
    }

    @Test
    void minimalValidBodyDecodes() {
        int id = serde.schemaIdFor(TOPIC);
        // same bytes as the enum test above, but index 1 (zig-zag 0x02 = PHONE)
        byte[] bytes = {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id,
            0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00};

        ContactPoint decoded = serde.decode(bytes);

        assertThat(decoded.getIdentifierType()).isEqualTo(IdentifierType.PHONE);
        assertThat(decoded.getUserId()).isEmpty();
        assertThat(decoded.getDeclaredPurposes()).isEmpty();
        assertThat(decoded.getEventTime()).isEqualTo(Instant.EPOCH);
        assertThat(decoded.getAttributes()).isEmpty();
    }

    // --- decode: poison ---------------------------------------------------------------------------------------

    @Test
    void shouldReadARecordNestedDeeperThanAnyStackAsMalformedInsteadOfOverflowingTheThread() {
        // Given a recursive schema, where one byte per level nests a record: 100,000 levels in 100 kB
        Schema node = new Schema.Parser().parse("""
                {"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}""");
        int id = client.register("nodes-value", node);
        byte[] body = new byte[100_001];
        Arrays.fill(body, (byte) 2);
        body[100_000] = 0;
        byte[] framed = WireFormat.frame(id, body, body.length);

        // When the generic reader of guarded topics reads it, Then it is malformed input, not a StackOverflowError
        Decoded<GenericRecord> decoded = new SafeAvroDeserializer<>(new GenericAvroDecoder(client))
                .deserialize("crm.nodes", framed);
        assertThat(decoded).isInstanceOfSatisfying(Decoded.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo("MALFORMED_AVRO");
            assertThat(failed.detail()).contains("nested too deeply");
            assertThat(failed.errorClass()).isEqualTo(StackOverflowError.class.getName());
        });
        // And the thread reads on
        assertThat(new SafeAvroDeserializer<>(serde).deserialize(TOPIC, serde.encode(TOPIC, contactPoint())))
                .isInstanceOf(Decoded.Ok.class);
    }

    @Test
    void shouldNameAnIncompatibilityBrieflyNotPrintBothSchemasWhole() throws IOException {
        // Given a writer whose schema a producer padded to 200 kB, with an enum symbol the reader lacks
        Schema writer = new Schema.Parser().parse(ConsentState.getClassSchema().toString()
                .replace("\"GRANTED\",\"DENIED\"", "\"GRANTED\",\"DENIED\",\"LEGITIMATE_INTEREST\"")
                .replaceFirst("\"doc\":\"[^\"]*\"", "\"doc\":\"" + "x".repeat(200_000) + "\""));
        int id = client.register("consent-writer-value", writer);
        AvroSerde<ConsentState> consent = new AvroSerde<>(ConsentState.class, client, true, false);

        // When a record of it is read as ConsentState
        SerdeException e = catchThrowableOfType(SerdeException.class,
                () -> consent.decode(WireFormat.frame(id, new byte[] {0}, 1)));

        // Then the message (every dead letter's detail) says what and where, in a few hundred characters
        assertThat(e.kind()).isEqualTo(SerdeException.Kind.INCOMPATIBLE_SCHEMA);
        assertThat(e.getMessage()).contains("MISSING_ENUM_SYMBOLS").contains("LEGITIMATE_INTEREST")
                .doesNotContain("xxxxxxxxxx").hasSizeLessThan(700);
    }
}
