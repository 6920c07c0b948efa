package org.purposefirewall.serde;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.purposefirewall.registry.SchemaNotFoundException;
import org.purposefirewall.registry.SchemaRegistryClient;

/**
 * Reads records of any schema, in the Confluent wire format, as {@link GenericRecord}s of their writer schema: what
 * the firewall needs for guarded topics, whose schemas it does not own. The writer schema comes from the registry by
 * the id in the frame, so every field the producer wrote is seen, whatever schema version it used.
 *
 * <p>Thread-safe; readers are cached per schema id, so once warm no call reaches the registry.
 */
public final class GenericAvroDecoder implements AvroDecoder<GenericRecord> {

    private final SchemaRegistryClient registry;
    private final Map<Integer, DatumReader<GenericRecord>> readerById = new ConcurrentHashMap<>();

    public GenericAvroDecoder(SchemaRegistryClient registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public boolean isWarm(byte[] framed) {
        return framed.length < WireFormat.HEADER_SIZE || framed[0] != WireFormat.MAGIC_BYTE
                || readerById.containsKey(java.nio.ByteBuffer.wrap(framed, 1, 4).getInt());
    }

    @Override
    public GenericRecord decode(byte[] framed) {
        int id = WireFormat.schemaId(framed);
        DatumReader<GenericRecord> reader = readerById.get(id);
        if (reader == null) {
            reader = readerById.computeIfAbsent(id, this::newReader);
        }
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(framed, WireFormat.HEADER_SIZE, framed.length - WireFormat.HEADER_SIZE, null);
        try {
            GenericRecord value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerdeException(SerdeException.Kind.MALFORMED_AVRO,
                        "record with schema id " + id + " has trailing bytes after its Avro body");
            }
            return value;
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
                 | ClassCastException | IllegalArgumentException | UnsupportedOperationException e) {
            throw new SerdeException(SerdeException.Kind.MALFORMED_AVRO,
                    "record with schema id " + id + " is not valid Avro for its schema: "
                            + e.getClass().getSimpleName(), e);
        }
    }

    private DatumReader<GenericRecord> newReader(int id) {
        Schema writerSchema;
        try {
            writerSchema = registry.schemaById(id);
        } catch (SchemaNotFoundException e) {
            throw new SerdeException(SerdeException.Kind.UNKNOWN_SCHEMA_ID,
                    "the schema registry has no schema with id " + id, e);
        }
        if (writerSchema.getType() != Schema.Type.RECORD) {
            throw new SerdeException(SerdeException.Kind.INCOMPATIBLE_SCHEMA,
                    "schema id " + id + " is a " + writerSchema.getType() + ", not a record");
        }
        // Plain generic data: strings as Utf8, no logical-type conversions, so every string is seen as written.
        return new GenericDatumReader<>(writerSchema, writerSchema, new GenericData());
    }
}
