package org.purposefirewall.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.purposefirewall.registry.SchemaNotFoundException;
import org.purposefirewall.registry.SchemaRegistryClient;

/**
 * The reading half shared by every wire-format decoder: the schema id from the frame, the writer schema from the
 * registry (once per id), a reader per id, and the Avro body with every way it can be malformed turned into a typed
 * {@link SerdeException}. What reader a writer schema gets is the caller's: a generated class's resolving reader, or
 * the writer schema itself for generic records. Thread-safe.
 *
 * @param <T> the decoded type
 */
final class WireDecoder<T> {

    /** Builds the reader for the writer schema with {@code id}, or throws a {@link SerdeException} if it cannot. */
    interface ReaderFactory<T> {
        DatumReader<T> readerFor(int id, Schema writerSchema);
    }

    private final SchemaRegistryClient registry;
    private final ReaderFactory<T> factory;
    private final Map<Integer, DatumReader<T>> readerById = new ConcurrentHashMap<>();

    WireDecoder(SchemaRegistryClient registry, ReaderFactory<T> factory) {
        this.registry = registry;
        this.factory = factory;
    }

    /** True if decoding {@code framed} needs no registry call (its schema id is cached, or it is not framed). */
    boolean isWarm(byte[] framed) {
        return framed.length < WireFormat.HEADER_SIZE || framed[0] != WireFormat.MAGIC_BYTE
                || readerById.containsKey(ByteBuffer.wrap(framed, 1, 4).getInt());
    }

    T decode(byte[] framed) {
        int id = WireFormat.schemaId(framed);
        DatumReader<T> reader = readerById.get(id);
        if (reader == null) {
            reader = readerById.computeIfAbsent(id, this::newReader);
        }
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(framed, WireFormat.HEADER_SIZE, framed.length - WireFormat.HEADER_SIZE, null);
        try {
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerdeException(SerdeException.Kind.MALFORMED_AVRO,
                        "record with schema id " + id + " has trailing bytes after its Avro body");
            }
            return value;
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
                 | ClassCastException | IllegalArgumentException | UnsupportedOperationException e) {
            // Bytes that are not valid Avro surface as any of these from the binary decoder.
            throw new SerdeException(SerdeException.Kind.MALFORMED_AVRO,
                    "record with schema id " + id + " is not valid Avro for its schema: "
                            + e.getClass().getSimpleName(), e);
        } catch (StackOverflowError e) {
            // A recursive schema lets a few bytes per level nest a record deeper than any stack: 20 kB of a linked
            // list is enough. The reader holds no state beyond its own frames, so the thread goes on safely; the
            // record cannot be read, so it cannot be shown free of security data.
            throw new SerdeException(SerdeException.Kind.MALFORMED_AVRO,
                    "record with schema id " + id + " is nested too deeply to be read", e);
        }
    }

    private DatumReader<T> newReader(int id) {
        Schema writerSchema;
        try {
            writerSchema = registry.schemaById(id);
        } catch (SchemaNotFoundException e) {
            throw new SerdeException(SerdeException.Kind.UNKNOWN_SCHEMA_ID,
                    "the schema registry has no schema with id " + id, e);
        }
        return factory.readerFor(id, writerSchema);
    }
}
