package org.purposefirewall.topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.purposefirewall.schema.ConsentState;

/**
 * Serde of the consent store: a format-version byte and the Avro binary of {@link ConsentState} in this release's
 * schema. Store values never go through the schema registry: the changelog is internal to the application.
 */
final class ConsentStoreSerde {

    private static final byte FORMAT_VERSION = 1;

    private ConsentStoreSerde() {
    }

    static Serde<ConsentState> serde() {
        SpecificDatumWriter<ConsentState> writer = new SpecificDatumWriter<>(ConsentState.getClassSchema());
        SpecificDatumReader<ConsentState> reader = new SpecificDatumReader<>(ConsentState.getClassSchema());
        return Serdes.serdeFrom((topic, state) -> {
            if (state == null) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            out.write(FORMAT_VERSION);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            try {
                writer.write(state, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }, (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length == 0 || bytes[0] != FORMAT_VERSION) {
                throw new IllegalStateException("consent store value has an unknown format version");
            }
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null);
            try {
                return reader.read(null, decoder);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
