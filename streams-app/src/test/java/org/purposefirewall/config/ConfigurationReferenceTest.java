package org.purposefirewall.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.purposefirewall.config.def.ConfigDef;
import org.purposefirewall.registry.SchemaRegistryConfig;

/**
 * The README's configuration reference and its schema-registry table list exactly the declared keys, each with its
 * declared default, so that the documentation cannot drift from the code. Maven runs tests in the module directory.
 */
class ConfigurationReferenceTest {

    private static final Path README = Path.of("..", "README.md");

    /** Rows of the reference that stand for a whole section passed through or documented elsewhere. */
    private static final Set<String> SECTION_ROWS = Set.of("schema-registry.*", "streams.*");

    @Test
    void theReferenceListsEveryDeclaredKeyWithItsDefault() throws IOException {
        // Given the README's configuration reference and the declared keys outside schema-registry
        Map<String, String> reference = table(Files.readAllLines(README), "## Configuration reference");
        List<ConfigDef.Key<?>> declared = new ArrayList<>();
        ConfigKeys.SECTIONS.stream().filter(def -> def != SchemaRegistryConfig.DEF)
                .forEach(def -> declared.addAll(def.keys()));

        // When each key is looked up by its full name
        // Then it is there, with its default
        assertThat(declared).as("the declarations must be found, or this test passes vacuously").hasSizeGreaterThan(20);
        for (ConfigDef.Key<?> key : declared) {
            assertThat(reference).as("README configuration reference row for %s", key.qualifiedName())
                    .containsKey(key.qualifiedName());
            assertDefault(key, reference.get(key.qualifiedName()));
        }
    }

    @Test
    void theReferenceListsNoKeyThatIsNotDeclared() throws IOException {
        // Given the README's configuration reference and every declared key
        Map<String, String> reference = table(Files.readAllLines(README), "## Configuration reference");
        Set<String> declared = new java.util.HashSet<>(SECTION_ROWS);
        ConfigKeys.SECTIONS.forEach(def -> def.keys().forEach(k -> declared.add(k.qualifiedName())));

        // When the rows are checked against the declarations
        // Then every row is a declared key (or a section documented as a whole)
        assertThat(reference.keySet()).isNotEmpty().allSatisfy(row -> assertThat(declared).contains(row));
    }

    @Test
    void theSchemaRegistryTableListsExactlyItsDeclaredKeysWithTheirDefaults() throws IOException {
        // Given the README's schema-registry table
        Map<String, String> registry = table(Files.readAllLines(README), "## Schema registry");

        // When it is compared with the declarations of schema-registry:
        // Then it holds each key, with its default, and no other
        assertThat(registry.keySet()).containsExactlyInAnyOrderElementsOf(SchemaRegistryConfig.DEF.names());
        for (ConfigDef.Key<?> key : SchemaRegistryConfig.DEF.keys()) {
            assertDefault(key, registry.get(key.name()));
        }
    }

    /** The default cell begins with the declared default: `value` in code font, or the words ("required", "none"). */
    private static void assertDefault(ConfigDef.Key<?> key, String cell) {
        ConfigDef.Default<?> dflt = key.dflt();
        String expected = dflt.value() == null ? dflt.documented() : "`" + dflt.documented() + "`";
        assertThat(cell).as("README default of %s", key.qualifiedName()).startsWith(expected);
    }

    /** The first table after {@code heading}: first cell (without code quotes) → second cell. */
    private static Map<String, String> table(List<String> lines, String heading) {
        int start = lines.indexOf(heading);
        assertThat(start).as("README heading %s", heading).isNotNegative();
        Map<String, String> rows = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("|")) {
                inTable = true;
                String[] cells = line.split("\\|", -1);
                String key = cells[1].strip();
                if (key.startsWith("`") && key.endsWith("`")) {
                    rows.put(key.substring(1, key.length() - 1), cells[2].strip());
                }
            } else if (inTable || line.startsWith("## ")) {
                break;
            }
        }
        return rows;
    }
}
