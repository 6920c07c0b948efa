package org.purposefirewall.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.purposefirewall.policy.ConsentChoice;
import org.purposefirewall.policy.ConsentSnapshot;
import org.purposefirewall.policy.Purpose;

/**
 * Serde of the consent store: the <em>decoded</em> consent state ({@link ConsentSnapshot}), so that TCF and GPP
 * strings are decoded once per consent change, not once per data record. Compact binary with a format-version byte:
 * {@code [version][flags][problem?][count][purpose, choice]*}. Store values never go through the schema registry:
 * the changelog is internal to the application.
 */
final class ConsentStoreSerde {

    private static final byte FORMAT_VERSION = 2;
    private static final int TARGETED = 1;
    private static final int SALE = 2;
    private static final int GPC = 4;
    private static final int PROBLEM = 8;

    private ConsentStoreSerde() {
    }

    static Serde<ConsentSnapshot> serde() {
        return Serdes.serdeFrom((topic, snapshot) -> snapshot == null ? null : write(snapshot),
                (topic, bytes) -> bytes == null ? null : read(bytes));
    }

    private static byte[] write(ConsentSnapshot snapshot) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            int flags = (snapshot.optedOutOfTargetedAdvertising() ? TARGETED : 0)
                    | (snapshot.optedOutOfSale() ? SALE : 0) | (snapshot.globalPrivacyControl() ? GPC : 0)
                    | (snapshot.problem() != null ? PROBLEM : 0);
            out.writeByte(flags);
            if (snapshot.problem() != null) {
                out.writeUTF(snapshot.problem().length() > 2_000 ? snapshot.problem().substring(0, 2_000)
                        : snapshot.problem());
            }
            // Sorted, so that equal states serialize alike.
            Map<String, ConsentChoice> sorted = new TreeMap<>();
            snapshot.choices().forEach((p, c) -> sorted.put(p.value(), c));
            out.writeInt(sorted.size());
            for (Map.Entry<String, ConsentChoice> choice : sorted.entrySet()) {
                out.writeUTF(choice.getKey());
                out.writeByte(choice.getValue() == ConsentChoice.GRANTED ? 1 : 0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static ConsentSnapshot read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalStateException("consent store value has format version " + version
                        + "; this release reads version " + FORMAT_VERSION + " (replay the consent topic into a "
                        + "new application id after an upgrade across formats)");
            }
            int flags = in.readUnsignedByte();
            String problem = (flags & PROBLEM) != 0 ? in.readUTF() : null;
            int count = in.readInt();
            Map<Purpose, ConsentChoice> choices = new HashMap<>(Math.max(4, count * 2));
            for (int i = 0; i < count; i++) {
                String purpose = in.readUTF();
                choices.put(new Purpose(purpose), in.readByte() == 1 ? ConsentChoice.GRANTED : ConsentChoice.DENIED);
            }
            return new ConsentSnapshot(choices, (flags & TARGETED) != 0, (flags & SALE) != 0, (flags & GPC) != 0,
                    problem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
