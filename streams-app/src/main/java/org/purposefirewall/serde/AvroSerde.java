package org.purposefirewall.serde;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.purposefirewall.registry.IncompatibleSchemaException;
import org.purposefirewall.registry.SchemaRegistryClient;

/**
 * A Kafka serde for one generated Avro class in the Confluent wire format, with TopicNameStrategy subjects
 * ({@code <topic>-value}, {@code <topic>-key}).
 *
 * <p>Serializing registers the class's schema under the topic's subject on first use when
 * {@code autoRegister} is set (Confluent's {@code auto.register.schemas}), or looks its id up otherwise. Deserializing
 * reads any writer schema the registry knows and resolves it to the class's schema, so producers may evolve
 * compatibly without a restart. Ids and readers are cached: once warm, neither direction calls the registry.
 *
 * <p>Thread-safe. One instance per record type; subjects come from the topic of each call.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, AvroDecoder<T> {

    /** The package of the firewall's generated record classes, which Avro must be told to trust. */
    private static final String SCHEMA_PACKAGE = "org.purposefirewall.schema.";

    static {
        // Avro 1.12 only instantiates generated classes it trusts. Its system property is read once, when Avro's
        // validator first loads: a process that built a record (or read one) before this class loaded would never
        // see a property set here. So trust is added to the global validator itself, whatever was read before;
        // everything Avro trusted stays trusted.
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current,
                type -> type.getName().startsWith(SCHEMA_PACKAGE)));
    }

    private final Schema readerSchema;
    private final SchemaRegistryClient registry;
    private final boolean autoRegister;
    private final boolean useLatestVersion;
    private final boolean isKey;
    private final SpecificData specificData;
    private final SpecificDatumWriter<T> writer;
    private final Map<String, Integer> idBySubject = new ConcurrentHashMap<>();
    private final WireDecoder<T> reading;

    public AvroSerde(Class<T> type, SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
        this(type, registry, autoRegister, false, isKey);
    }

    /**
     * @param autoRegister register the class's schema under the subject on first write (Confluent's
     *     {@code auto.register.schemas})
     * @param useLatestVersion write under the id of the subject's latest version, which must be this class's schema
     *     (Confluent's {@code use.latest.version}); takes precedence over {@code autoRegister}
     */
    public AvroSerde(Class<T> type, SchemaRegistryClient registry, boolean autoRegister, boolean useLatestVersion,
                     boolean isKey) {
        Objects.requireNonNull(type, "type");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.specificData = new SpecificData(type.getClassLoader());
        this.readerSchema = specificData.getSchema(type);
        this.autoRegister = autoRegister;
        this.useLatestVersion = useLatestVersion;
        this.isKey = isKey;
        this.writer = new SpecificDatumWriter<>(readerSchema, specificData);
        this.reading = new WireDecoder<>(registry, this::newReader);
    }

    /** The schema this serde writes and reads into. */
    public Schema schema() {
        return readerSchema;
    }

    /** TopicNameStrategy subject for {@code topic}. */
    public String subject(String topic) {
        return topic + (isKey ? "-key" : "-value");
    }

    /**
     * The id this serde writes under for {@code topic}, registering the schema if allowed. Used at startup so that an
     * incompatible output schema fails before any record is read.
     */
    public int schemaIdFor(String topic) {
        String subject = subject(topic);
        Integer cached = idBySubject.get(subject);
        if (cached != null) {
            return cached;
        }
        int id;
        if (useLatestVersion) {
            SchemaRegistryClient.RegisteredSchema latest = registry.latest(subject);
            if (!latest.schema().equals(readerSchema)) {
                throw new IncompatibleSchemaException("use.latest.version: the latest version (" + latest.version()
                        + ", id " + latest.id() + ") of subject " + subject + " is not the schema this firewall "
                        + "writes (" + readerSchema.getFullName() + "); register it, or turn use.latest.version off");
            }
            id = latest.id();
        } else {
            id = autoRegister ? registry.register(subject, readerSchema) : registry.idOf(subject, readerSchema);
        }
        idBySubject.put(subject, id);
        return id;
    }

    /** True if decoding {@code framed} needs no registry call (its schema id is cached, or it is not framed). */
    @Override
    public boolean isWarm(byte[] framed) {
        return reading.isWarm(framed);
    }

    /** Encodes {@code value} in the wire format under {@code topic}'s subject. */
    public byte[] encode(String topic, T value) {
        int id = schemaIdFor(topic);
        ReusableOutput out = ReusableOutput.get();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, out.encoder);
        out.encoder = encoder;
        try {
            writer.write(value, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerdeException(SerdeException.Kind.MALFORMED_AVRO,
                    "cannot encode " + readerSchema.getFullName() + " for " + subject(topic) + ": "
                            + e.getClass().getSimpleName(), e);
        }
        return WireFormat.frame(id, out.buffer(), out.size());
    }

    /**
     * Decodes wire-format bytes.
     *
     * @throws SerdeException with the reason when the bytes cannot be read as this type; registry outages propagate
     *     as {@link org.purposefirewall.registry.RegistryUnavailableException}, since they are not the record's fault
     */
    @Override
    public T decode(byte[] framed) {
        return reading.decode(framed);
    }

    private DatumReader<T> newReader(int id, Schema writerSchema) {
        if (writerSchema.getType() != Schema.Type.RECORD
                || !writerSchema.getName().equals(readerSchema.getName())) {
            throw new SerdeException(SerdeException.Kind.INCOMPATIBLE_SCHEMA,
                    "schema id " + id + " is " + writerSchema.getFullName() + ", not " + readerSchema.getFullName());
        }
        // Decide compatibility once per writer schema, so that a type error while decoding can only mean a
        // malformed body, never a schema mismatch.
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerdeException(SerdeException.Kind.INCOMPATIBLE_SCHEMA,
                    "schema id " + id + " cannot be read as " + readerSchema.getFullName() + ": "
                            + incompatibility(compatibility));
        }
        return new SpecificDatumReader<>(writerSchema, readerSchema, specificData);
    }

    /**
     * The first incompatibility, where it is and what: Avro's own description prints both schemas whole, which a
     * producer's schema can make as large as it likes, and it would become every such dead letter's detail.
     */
    private static String incompatibility(SchemaCompatibility.SchemaPairCompatibility compatibility) {
        List<SchemaCompatibility.Incompatibility> all = compatibility.getResult().getIncompatibilities();
        if (all.isEmpty()) {
            return "incompatible";
        }
        SchemaCompatibility.Incompatibility first = all.get(0);
        String text = first.getType() + " at " + first.getLocation() + " (" + first.getMessage() + ")"
                + (all.size() > 1 ? " and " + (all.size() - 1) + " more" : "");
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : encode(topic, value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }

    /** A per-thread growable buffer: serialization allocates only the framed result. */
    private static final class ReusableOutput extends java.io.ByteArrayOutputStream {
        private static final ThreadLocal<ReusableOutput> LOCAL = ThreadLocal.withInitial(ReusableOutput::new);
        BinaryEncoder encoder;

        ReusableOutput() {
            super(256);
        }

        static ReusableOutput get() {
            ReusableOutput out = LOCAL.get();
            out.reset();
            return out;
        }

        byte[] buffer() {
            return buf;
        }
    }
}
