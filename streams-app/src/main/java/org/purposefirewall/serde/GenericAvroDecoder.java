package org.purposefirewall.serde;

import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumReader;
import org.purposefirewall.registry.SchemaRegistryClient;

/**
 * Reads records of any schema, in the Confluent wire format, as {@link GenericRecord}s of their writer schema: what
 * the firewall needs for guarded topics, whose schemas it does not own. The writer schema comes from the registry by
 * the id in the frame, so every field the producer wrote is seen, whatever schema version it used.
 *
 * <p>Thread-safe; readers are cached per schema id, so once warm no call reaches the registry.
 */
public final class GenericAvroDecoder implements AvroDecoder<GenericRecord> {

    private final WireDecoder<GenericRecord> reading;

    public GenericAvroDecoder(SchemaRegistryClient registry) {
        Objects.requireNonNull(registry, "registry");
        this.reading = new WireDecoder<>(registry, GenericAvroDecoder::newReader);
    }

    @Override
    public boolean isWarm(byte[] framed) {
        return reading.isWarm(framed);
    }

    @Override
    public GenericRecord decode(byte[] framed) {
        return reading.decode(framed);
    }

    private static DatumReader<GenericRecord> newReader(int id, Schema writerSchema) {
        if (writerSchema.getType() != Schema.Type.RECORD) {
            throw new SerdeException(SerdeException.Kind.INCOMPATIBLE_SCHEMA,
                    "schema id " + id + " is a " + writerSchema.getType() + ", not a record");
        }
        // Plain generic data: strings as Utf8, no logical-type conversions, so every string is seen as written.
        return new GenericDatumReader<>(writerSchema, writerSchema, new GenericData());
    }
}
