package org.purposefirewall.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The schemas for producers and consumers in other languages: one {@code .avsc} per topic value, with every named
 * type it uses inlined (the files under {@code src/main/avro} refer to each other's types by name, which a single
 * file cannot be parsed without). Each is the schema of the generated class, that is exactly what the firewall
 * registers and reads with.
 *
 * <p>The build writes them to {@code target/self-contained/}; the committed copies under {@code self-contained/}
 * must be equal. After a schema change: {@code mvn -o -pl schemas -Dschemas.regenerate=true test}, then commit.
 */
class SelfContainedSchemasTest {

    /** The value schema of every topic, by file name. */
    static final List<Schema> TOPIC_VALUES = List.of(
            ContactPoint.getClassSchema(),
            ConsentState.getClassSchema(),
            PurposeRegistration.getClassSchema(),
            AudienceIdentifier.getClassSchema(),
            QuarantineRecord.getClassSchema(),
            SuppressedRecord.getClassSchema(),
            DeadLetterRecord.getClassSchema(),
            AudienceRecall.getClassSchema(),
            ShadowDecision.getClassSchema());

    private static final Path COMMITTED = Path.of("self-contained");
    private static final Path GENERATED = Path.of("target", "self-contained");

    @Test
    void theCommittedSelfContainedSchemasAreTheOnesTheBuildGenerates() throws IOException {
        Files.createDirectories(GENERATED);
        boolean regenerate = Boolean.getBoolean("schemas.regenerate");
        if (regenerate) {
            Files.createDirectories(COMMITTED);
        }
        List<String> stale = new ArrayList<>();
        for (Schema schema : TOPIC_VALUES) {
            String file = schema.getName() + ".avsc";
            String text = schema.toString(true) + "\n";
            Files.writeString(GENERATED.resolve(file), text, StandardCharsets.UTF_8);
            if (regenerate) {
                Files.writeString(COMMITTED.resolve(file), text, StandardCharsets.UTF_8);
            }
            Path committed = COMMITTED.resolve(file);
            if (!Files.isRegularFile(committed) || !Files.readString(committed).equals(text)) {
                stale.add(committed.toString());
            }
        }
        assertThat(stale).as("self-contained schemas that differ from the build's (regenerate with "
                + "mvn -o -pl schemas -Dschemas.regenerate=true test, then commit)").isEmpty();
    }

    @Test
    void eachSelfContainedSchemaParsesAloneToTheSameSchema() throws IOException {
        for (Schema schema : TOPIC_VALUES) {
            Path file = COMMITTED.resolve(schema.getName() + ".avsc");
            // A fresh parser per file: no named type may come from another file
            Schema parsed = new Schema.Parser().parse(Files.readString(file));
            assertThat(parsed).as(file.toString()).isEqualTo(schema);
        }
    }
}
