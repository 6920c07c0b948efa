package org.purposefirewall.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

/** The schemas are the contract users read first: every record, enum and field says what it means. */
class SchemaDocumentationTest {

    private static final List<Schema> TOPIC_SCHEMAS = List.of(
            ContactPoint.getClassSchema(),
            ConsentState.getClassSchema(),
            PurposeRegistration.getClassSchema(),
            AudienceIdentifier.getClassSchema(),
            QuarantineRecord.getClassSchema(),
            SuppressedRecord.getClassSchema(),
            DeadLetterRecord.getClassSchema(),
            ShadowDecision.getClassSchema());

    @Test
    void everyNamedTypeAndFieldHasADoc() {
        List<String> undocumented = new ArrayList<>();
        Map<Schema, Boolean> seen = new IdentityHashMap<>();
        TOPIC_SCHEMAS.forEach(schema -> collectUndocumented(schema, schema.getName(), undocumented, seen));
        assertThat(undocumented).as("types and fields without a doc").isEmpty();
        assertThat(seen).as("named types walked").hasSizeGreaterThanOrEqualTo(10);
    }

    @Test
    void unknownIdentifierTypeSymbolsDecodeAsUnknownSoTheyCanBeDeadLettered() {
        assertThat(IdentifierType.getClassSchema().getEnumDefault()).isEqualTo(IdentifierType.UNKNOWN.name());
    }

    @Test
    void generatedClassesAreSpecificRecords() {
        assertThat(SpecificRecordBase.class).isAssignableFrom(ContactPoint.class);
    }

    private static void collectUndocumented(Schema schema, String path, List<String> out, Map<Schema, Boolean> seen) {
        switch (schema.getType()) {
            case RECORD -> {
                if (seen.put(schema, Boolean.TRUE) != null) {
                    return;
                }
                if (isBlank(schema.getDoc())) {
                    out.add(path + " (record)");
                }
                for (Schema.Field field : schema.getFields()) {
                    String fieldPath = path + "." + field.name();
                    if (isBlank(field.doc())) {
                        out.add(fieldPath);
                    }
                    collectUndocumented(field.schema(), fieldPath, out, seen);
                }
            }
            case ENUM -> {
                if (seen.put(schema, Boolean.TRUE) == null && isBlank(schema.getDoc())) {
                    out.add(path + " (enum " + schema.getName() + ")");
                }
            }
            case UNION -> schema.getTypes().forEach(branch -> collectUndocumented(branch, path, out, seen));
            case ARRAY -> collectUndocumented(schema.getElementType(), path + "[]", out, seen);
            case MAP -> collectUndocumented(schema.getValueType(), path + "{}", out, seen);
            default -> { }
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
