package org.purposefirewall;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Package direction, read from the sources: the decision ({@code policy}) and the identifiers ({@code identity})
 * are pure domain code with no Kafka, Avro, Jackson or adapter imports (policy imports the JDK only; identity the JDK
 * and Google's libphonenumber, which no other package uses), and the topology never reaches up into the
 * application wiring. Paths are relative to the module directory, which is Maven's working directory for tests.
 */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src", "main", "java", "org", "purposefirewall");

    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+(?:\\.\\*)?)\\s*;",
            Pattern.MULTILINE);

    /** The IAB's TCF/GPP decoder: allowed in the consent package only. */
    private static final String IAB_LIBRARY = "com.iab.gpp.";

    /** Google's libphonenumber: allowed in the identity package only. */
    private static final String PHONE_LIBRARY = "com.google.i18n.phonenumbers.";

    private static final List<String> FORBIDDEN_IN_DOMAIN = List.of(
            "org.apache.kafka.",
            "org.apache.avro.",
            "com.fasterxml.",
            "org.purposefirewall.topology.",
            "org.purposefirewall.serde.",
            "org.purposefirewall.registry.",
            "org.purposefirewall.app.",
            "org.purposefirewall.config.");

    @Test
    void policyAndIdentityImportNothingFromKafkaAvroJacksonOrTheAdapters() {
        // Given the sources of the policy and identity packages
        Map<Path, List<String>> imports = importsUnder(SOURCES.resolve("policy"), SOURCES.resolve("identity"));

        // When their imports are checked against the forbidden prefixes
        Map<Path, List<String>> violations = violations(imports, FORBIDDEN_IN_DOMAIN);

        // Then there are sources to check, and none of them imports a forbidden package
        assertThat(imports.keySet())
                .as("the scan must find the domain sources, or this test passes vacuously")
                .hasSizeGreaterThanOrEqualTo(5)
                .anyMatch(p -> p.endsWith("PurposePolicy.java"))
                .anyMatch(p -> p.endsWith("IdentifierNormalizer.java"));
        assertThat(imports.values().stream().mapToInt(List::size).sum())
                .as("the import parser must see imports at all")
                .isPositive();
        assertThat(violations).isEmpty();
    }

    @Test
    void policyAndIdentityDoNotNameForbiddenPackagesFullyQualifiedEither() throws IOException {
        // Given the source text of the policy and identity packages
        Map<Path, List<String>> imports = importsUnder(SOURCES.resolve("policy"), SOURCES.resolve("identity"));

        // When the text is searched for fully qualified names in forbidden packages (which bypass imports)
        Map<Path, List<String>> named = new TreeMap<>();
        for (Path file : imports.keySet()) {
            String text = Files.readString(file);
            List<String> found = FORBIDDEN_IN_DOMAIN.stream().filter(text::contains).toList();
            if (!found.isEmpty()) {
                named.put(file, found);
            }
        }

        // Then none is found
        assertThat(imports).hasSizeGreaterThanOrEqualTo(5);
        assertThat(named).isEmpty();
    }

    @Test
    void policyImportsOnlyTheJdkAndIdentityOnlyTheJdkAndLibphonenumber() {
        // Given the imports of the policy and identity packages
        Map<Path, List<String>> policy = importsUnder(SOURCES.resolve("policy"));
        Map<Path, List<String>> identity = importsUnder(SOURCES.resolve("identity"));

        // When they are checked against what each may use
        Map<Path, List<String>> policyOutside = outside(policy, List.of("java."));
        Map<Path, List<String>> identityOutside = outside(identity, List.of("java.", PHONE_LIBRARY));

        // Then the policy is JDK-only, and identity adds libphonenumber and nothing else
        assertThat(identity.values())
                .as("identity must be seen importing libphonenumber, or the allowance is untested")
                .anySatisfy(list -> assertThat(list).anyMatch(i -> i.startsWith(PHONE_LIBRARY)));
        assertThat(policyOutside).isEmpty();
        assertThat(identityOutside).isEmpty();
    }

    @Test
    void consentImportsOnlyTheJdkThePolicyAndTheIabDecoderAndIsItsOnlyUser() {
        // Given the imports of the consent package and of everything else
        Map<Path, List<String>> consent = importsUnder(SOURCES.resolve("consent"));
        Map<Path, List<String>> others = importsUnder(SOURCES);
        others.keySet().removeIf(file -> file.startsWith(SOURCES.resolve("consent")));

        // When they are checked against what each may use
        Map<Path, List<String>> consentOutside = outside(consent,
                List.of("java.", IAB_LIBRARY, "org.purposefirewall.policy."));
        Map<Path, List<String>> iabElsewhere = violations(others, List.of(IAB_LIBRARY));

        // Then consent decoding is pure and the IAB decoder stays behind ConsentDecoder
        assertThat(consent.values()).as("consent must be seen importing the IAB decoder, or the allowance is untested")
                .anySatisfy(list -> assertThat(list).anyMatch(i -> i.startsWith(IAB_LIBRARY)));
        assertThat(consentOutside).isEmpty();
        assertThat(iabElsewhere).isEmpty();
    }

    @Test
    void onlyTheIdentityPackageUsesLibphonenumber() throws IOException {
        // Given every main source outside the identity package
        Map<Path, List<String>> imports = importsUnder(SOURCES);
        imports.keySet().removeIf(file -> file.startsWith(SOURCES.resolve("identity")));

        // When their imports and text are searched for libphonenumber
        Map<Path, List<String>> violations = violations(imports, List.of(PHONE_LIBRARY));
        List<Path> named = new java.util.ArrayList<>();
        for (Path file : imports.keySet()) {
            if (Files.readString(file).contains(PHONE_LIBRARY)) {
                named.add(file);
            }
        }

        // Then none uses it: phone parsing stays behind IdentifierNormalizer
        assertThat(imports).hasSizeGreaterThanOrEqualTo(20);
        assertThat(violations).isEmpty();
        assertThat(named).isEmpty();
    }

    @Test
    void theTopologyDoesNotImportTheApplication() {
        // Given the sources of the topology package
        Map<Path, List<String>> imports = importsUnder(SOURCES.resolve("topology"));

        // When their imports are checked against the app package
        Map<Path, List<String>> violations = violations(imports, List.of("org.purposefirewall.app."));

        // Then there are sources, they do import the domain (so the parser works), and none imports the app
        assertThat(imports.keySet()).hasSizeGreaterThanOrEqualTo(5)
                .anyMatch(p -> p.endsWith("FirewallTopology.java"));
        assertThat(imports.values())
                .anySatisfy(list -> assertThat(list).anyMatch(i -> i.startsWith("org.purposefirewall.policy.")));
        assertThat(violations).isEmpty();
    }

    @Test
    void theImportParserCatchesForbiddenImports() {
        // Given source text with a plain, a static and a wildcard forbidden import
        String source = """
                package org.purposefirewall.policy;

                import java.util.List;
                import static org.apache.kafka.common.utils.Utils.mkMap;
                import org.apache.avro.*;
                   import com.fasterxml.jackson.databind.ObjectMapper ;
                """;

        // When its imports are parsed and checked
        List<String> imports = parseImports(source);
        Map<Path, List<String>> violations = violations(Map.of(Path.of("Fake.java"), imports), FORBIDDEN_IN_DOMAIN);

        // Then all three are caught and the allowed one is not
        assertThat(imports).containsExactly("java.util.List", "org.apache.kafka.common.utils.Utils.mkMap",
                "org.apache.avro.*", "com.fasterxml.jackson.databind.ObjectMapper");
        assertThat(violations.get(Path.of("Fake.java"))).containsExactly(
                "org.apache.kafka.common.utils.Utils.mkMap", "org.apache.avro.*",
                "com.fasterxml.jackson.databind.ObjectMapper");
    }

    private static Map<Path, List<String>> outside(Map<Path, List<String>> imports, List<String> allowed) {
        Map<Path, List<String>> result = new TreeMap<>();
        imports.forEach((file, list) -> {
            List<String> bad = list.stream()
                    .filter(i -> allowed.stream().noneMatch(i::startsWith))
                    .collect(Collectors.toList());
            if (!bad.isEmpty()) {
                result.put(file, bad);
            }
        });
        return result;
    }

    private static Map<Path, List<String>> importsUnder(Path... directories) {
        Map<Path, List<String>> result = new TreeMap<>();
        for (Path directory : directories) {
            assertThat(directory).as("source directory (tests must run from the module directory)").isDirectory();
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    result.put(file, parseImports(Files.readString(file)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return result;
    }

    private static List<String> parseImports(String source) {
        Matcher matcher = IMPORT.matcher(source);
        List<String> imports = new java.util.ArrayList<>();
        while (matcher.find()) {
            imports.add(matcher.group(1));
        }
        return imports;
    }

    private static Map<Path, List<String>> violations(Map<Path, List<String>> imports, List<String> forbidden) {
        Map<Path, List<String>> result = new TreeMap<>();
        imports.forEach((file, list) -> {
            List<String> bad = list.stream()
                    .filter(i -> forbidden.stream().anyMatch(i::startsWith))
                    .collect(Collectors.toList());
            if (!bad.isEmpty()) {
                result.put(file, bad);
            }
        });
        return result;
    }
}
