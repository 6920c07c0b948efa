package org.purposefirewall.config.def;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.purposefirewall.config.def.ConfigDef.Default;
import org.purposefirewall.config.def.ConfigDef.Key;
import org.purposefirewall.config.def.ConfigDef.Type;
import org.purposefirewall.config.def.ConfigDef.Validator;
import org.purposefirewall.config.def.InvalidConfigException.Kind;

class ConfigDefTest {

    private enum Mode { FAST, SAFE }

    private final ConfigDef def = new ConfigDef("section");
    private final Key<String> name = def.define("name", Type.STRING, Default.required(), "A name.");
    private final Key<Duration> wait = def.define("wait-ms", Type.DURATION_MS, Default.of(Duration.ofMillis(200)),
            Validator.atLeast(0), "A wait.");
    private final Key<Integer> count = def.define("count", Type.INT, Default.of(1), Validator.atLeast(1), "A count.");
    private final Key<Boolean> flag = def.define("flag", Type.BOOLEAN, Default.of(false), "A flag.");
    private final Key<List<String>> list = def.define("list", Type.LIST, Default.of(List.of()), "A list.");
    private final Key<Mode> mode = def.define("mode", Type.oneOf(Mode.class, m -> m.name().toLowerCase()),
            Default.of(Mode.SAFE), "A mode.");
    private final Key<String> secret = def.define("secret", Type.PASSWORD, Default.none(), "A secret.");

    @Test
    void absentKeysTakeTheirDefaultsAndGivenOnesTheirTypes() {
        // Given only the required key, then every key as text, as a properties file gives them
        ConfigValues defaults = def.parse(Map.of("name", "n"));
        ConfigValues given = def.parse(Map.of("name", "n", "wait-ms", " 50 ", "count", "3", "flag", "TRUE",
                "list", "a, b,,c", "mode", "Fast", "secret", "pw"));

        // Then the defaults, and the typed values, are read
        assertThat(defaults.get(wait)).isEqualTo(Duration.ofMillis(200));
        assertThat(defaults.get(count)).isEqualTo(1);
        assertThat(defaults.get(flag)).isFalse();
        assertThat(defaults.get(list)).isEmpty();
        assertThat(defaults.get(mode)).isEqualTo(Mode.SAFE);
        assertThat(defaults.get(secret)).isNull();
        assertThat(given.get(wait)).isEqualTo(Duration.ofMillis(50));
        assertThat(given.get(count)).isEqualTo(3);
        assertThat(given.get(flag)).isTrue();
        assertThat(given.get(list)).containsExactly("a", "b", "c");
        assertThat(given.get(mode)).isEqualTo(Mode.FAST);
        assertThat(given.toString()).doesNotContain("pw");
    }

    @Test
    void yamlValuesAreReadByTheirTypeToo() {
        ConfigValues values = def.parse(Map.of("name", 42, "wait-ms", 7, "flag", true, "list", List.of("x", "y")));

        assertThat(values.get(name)).isEqualTo("42");
        assertThat(values.get(wait)).isEqualTo(Duration.ofMillis(7));
        assertThat(values.get(flag)).isTrue();
        assertThat(values.get(list)).containsExactly("x", "y");
    }

    @Test
    void eachFailureSaysWhatWentWrongAndNamesTheKey() {
        assertThat(failure(Map.of("name", "n", "nmae", "x")))
                .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN))
                .hasMessageContaining("nmae").hasMessageContaining("known keys here: count, flag, list, mode");
        assertThat(failure(Map.of())).satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.MISSING))
                .hasMessage("name is required");
        assertThat(failure(Map.of("name", "n", "count", "abc")))
                .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.WRONG_TYPE)).hasMessageStartingWith("count: ");
        assertThat(failure(Map.of("name", "n", "count", Map.of("a", 1))))
                .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.WRONG_TYPE));
        assertThat(failure(Map.of("name", "n", "wait-ms", -1)))
                .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.INVALID))
                .hasMessage("wait-ms: -1 is below the minimum 0");
        assertThat(failure(Map.of("name", "n", "mode", "slow")))
                .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.INVALID))
                .hasMessage("mode: 'slow' is not one of fast, safe");
    }

    @Test
    void aValueBuiltInCodeObeysTheKeysRuleAndANullMeansAbsent() {
        assertThat(count.validate(5)).isEqualTo(5);
        assertThatThrownBy(() -> count.validate(0)).hasMessage("count: 0 is below the minimum 1");
        assertThat(count.validate(null)).isNull();
        assertThatThrownBy(() -> wait.require(null)).hasMessage("wait-ms: a value is required");
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("name", "n");
        withNull.put("count", null);
        assertThat(def.parse(withNull).get(count)).isEqualTo(1);
    }

    @Test
    void aKeyIsDeclaredOnceAndItsDefaultMustObeyItsRule() {
        assertThatThrownBy(() -> def.define("count", Type.INT, Default.of(2), "again"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("section.count");
        assertThatThrownBy(() -> def.define("low", Type.INT, Default.of(0), Validator.atLeast(1), "bad default"))
                .hasMessage("low: 0 is below the minimum 1");
        assertThat(count.qualifiedName()).isEqualTo("section.count");
    }

    private InvalidConfigException failure(Map<String, ?> raw) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> def.parse(raw));
        assertThat(e).as("parse(%s) should fail", raw).isNotNull();
        return e;
    }
}
