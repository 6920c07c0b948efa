package org.purposefirewall.config.def;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The keys of one configuration section, each declared once with its type, default, validator and doc, in the
 * manner of Kafka's {@code StreamsConfig}: {@code DEF.define(NAME, Type.LONG, Default.of(0L), atLeast(0), DOC)}.
 * The owner of the settings holds its {@code ConfigDef} and its keys as constants; {@link #parse} reads raw values
 * (what a YAML parser or a {@code Map<String, String>} gives) into typed ones. Immutable once its owner's static
 * initializer has run; thread-safe to read.
 */
public final class ConfigDef {

    private final String section;
    private final Map<String, Key<?>> keys = new LinkedHashMap<>();

    /** @param section the path of the section in the configuration file ({@code processing}), or "" at the top */
    public ConfigDef(String section) {
        this.section = Objects.requireNonNull(section);
    }

    /** The section's path in the file, or "" at the top level. */
    public String section() {
        return section;
    }

    /**
     * Declares a key.
     *
     * @param name the key within the section, as written in the file
     * @param validator checks a present value (never called with null); checks the default too, here
     * @throws IllegalStateException if the name is declared already or the default breaks the validator
     */
    public <T> Key<T> define(String name, Type<T> type, Default<T> dflt, Validator<? super T> validator, String doc) {
        Key<T> key = new Key<>(section, name, type, dflt, validator, doc);
        if (keys.putIfAbsent(name, key) != null) {
            throw new IllegalStateException(key.qualifiedName() + " is declared twice");
        }
        if (dflt.value() != null) {
            key.validate(dflt.value());
        }
        return key;
    }

    /** Declares a key without a validator. */
    public <T> Key<T> define(String name, Type<T> type, Default<T> dflt, String doc) {
        return define(name, type, dflt, Validator.any(), doc);
    }

    /** The keys in declaration order. */
    public List<Key<?>> keys() {
        return List.copyOf(keys.values());
    }

    /** The names of the keys, sorted. */
    public TreeSet<String> names() {
        return new TreeSet<>(keys.keySet());
    }

    /**
     * Reads {@code raw} (key → String, Number, Boolean, List or Map, as a YAML or properties reader gives them; a
     * null value counts as absent) into typed values, with the defaults for absent keys.
     *
     * @throws InvalidConfigException for the first unknown key, then the first value of the wrong type or that
     *     breaks its rule, then the first required key that is absent, in that order
     */
    public ConfigValues parse(Map<String, ?> raw) {
        for (String name : raw.keySet()) {
            if (!keys.containsKey(name)) {
                throw new InvalidConfigException(InvalidConfigException.Kind.UNKNOWN, name,
                        "known keys here: " + String.join(", ", names()));
            }
        }
        Map<Key<?>, Object> values = new LinkedHashMap<>();
        for (Key<?> key : keys.values()) {
            Object given = raw.get(key.name());
            if (given != null) {
                values.put(key, key.read(given));
            } else if (key.dflt().mandatory()) {
                throw new InvalidConfigException(InvalidConfigException.Kind.MISSING, key.name(), "");
            } else {
                values.put(key, key.dflt().value());
            }
        }
        return new ConfigValues(values);
    }

    /** The defaults of every key; required keys have none. */
    public ConfigValues defaults() {
        Map<Key<?>, Object> values = new LinkedHashMap<>();
        keys.values().forEach(k -> values.put(k, k.dflt().value()));
        return new ConfigValues(values);
    }

    /**
     * One declared key.
     *
     * @param section the path of its section, "" at the top level
     * @param name its name within the section
     * @param dflt its default, or that it is required, or that absent means none
     * @param doc what it does, for the reader of the configuration reference
     */
    public record Key<T>(String section, String name, Type<T> type, Default<T> dflt, Validator<? super T> validator,
                         String doc) {

        public Key {
            Objects.requireNonNull(section);
            Objects.requireNonNull(name);
            Objects.requireNonNull(type);
            Objects.requireNonNull(dflt);
            Objects.requireNonNull(validator);
            Objects.requireNonNull(doc);
        }

        /** The key's path in the file: {@code processing.settle-ms}. */
        public String qualifiedName() {
            return section.isEmpty() ? name : section + "." + name;
        }

        /** The default value; null if required or if absent means none. */
        public T defaultValue() {
            return dflt.value();
        }

        /**
         * Checks a value built in code (a record's constructor calls this for each component), so a value that
         * bypasses the file obeys the same rule.
         *
         * @return {@code value}
         * @throws InvalidConfigException (INVALID) naming the key if the value breaks the rule
         */
        public T validate(T value) {
            if (value == null) {
                return null;
            }
            try {
                validator.ensureValid(value);
            } catch (InvalidConfigException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(InvalidConfigException.Kind.INVALID, name, e.getMessage());
            }
            return value;
        }

        /** A non-null value, or an INVALID exception naming the key. */
        public T require(T value) {
            if (value == null) {
                throw new InvalidConfigException(InvalidConfigException.Kind.INVALID, name, "a value is required");
            }
            return validate(value);
        }

        private T read(Object raw) {
            T value;
            try {
                value = type.read(raw);
            } catch (Type.BadSymbol e) {
                throw new InvalidConfigException(InvalidConfigException.Kind.INVALID, name, e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(InvalidConfigException.Kind.WRONG_TYPE, name, e.getMessage());
            }
            return validate(value);
        }
    }

    /**
     * A key's default: a value, "required", or "absent means none" with what none means.
     *
     * @param value the default value; null if required or none
     * @param mandatory whether the key must be given
     * @param documented how the configuration reference shows the default (its first words)
     */
    public record Default<T>(T value, boolean mandatory, String documented) {

        /** The default {@code value}, documented as itself. */
        public static <T> Default<T> of(T value) {
            return new Default<>(Objects.requireNonNull(value), false, Type.show(value));
        }

        /** A default whose value depends on the machine, documented as {@code documented}. */
        public static <T> Default<T> computed(T value, String documented) {
            return new Default<>(Objects.requireNonNull(value), false, documented);
        }

        /** No default: the key must be given. */
        public static <T> Default<T> required() {
            return new Default<>(null, true, "required");
        }

        /** Absent means none (null). */
        public static <T> Default<T> none() {
            return new Default<>(null, false, "none");
        }
    }

    /** Checks one present value of a key; throws {@link IllegalArgumentException} saying what is wrong. */
    @FunctionalInterface
    public interface Validator<T> {

        /**
         * @throws IllegalArgumentException with what is wrong, without the key ("-1 is below the minimum 0"); it
         *     must not repeat a secret
         */
        void ensureValid(T value);

        /** This check, then {@code next}. */
        default Validator<T> and(Validator<? super T> next) {
            return value -> {
                ensureValid(value);
                next.ensureValid(value);
            };
        }

        static <T> Validator<T> any() {
            return value -> { };
        }

        /** A number, or a {@link Duration} in milliseconds, of at least {@code min}. */
        static Validator<Object> atLeast(long min) {
            return value -> {
                long v = Type.asLong(value);
                if (v < min) {
                    throw new IllegalArgumentException(v + " is below the minimum " + min);
                }
            };
        }

        /** A number, or a {@link Duration} in milliseconds, below {@code limit}; {@code why} completes the message. */
        static Validator<Object> below(long limit, String why) {
            return value -> {
                long v = Type.asLong(value);
                if (v >= limit) {
                    throw new IllegalArgumentException(v + " must stay below " + why);
                }
            };
        }

        /** A number, or a {@link Duration} in milliseconds, from 1 to {@link Integer#MAX_VALUE}. */
        static Validator<Object> positiveInt() {
            return value -> {
                long v = Type.asLong(value);
                if (v <= 0 || v > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(v + " must be a positive number (at most "
                            + Integer.MAX_VALUE + ")");
                }
            };
        }
    }

    /**
     * How a raw value becomes a typed one. A reader throws {@link IllegalArgumentException} when the value is not of
     * the type, and {@link BadSymbol} when it is of the type but not one of the allowed symbols.
     *
     * @param description what the type is, for messages ("an integer")
     * @param reader reads a non-null raw value
     * @param secret whether values are secrets: never echoed in messages
     */
    public record Type<T>(String description, Function<Object, T> reader, boolean secret) {

        public static final Type<String> STRING = scalar("a string", text -> text);
        /** A string that is a secret: never echoed, never shown by {@code toString}. */
        public static final Type<String> PASSWORD = new Type<>("a string", raw -> {
            if (raw instanceof Map || raw instanceof List) {
                throw new IllegalArgumentException("expected a string");
            }
            return raw.toString();
        }, true);
        public static final Type<Boolean> BOOLEAN = scalar("true or false", text -> {
            String t = text.strip().toLowerCase(Locale.ROOT);
            if (!t.equals("true") && !t.equals("false")) {
                throw new IllegalArgumentException("expected true or false, not '" + text + "'");
            }
            return Boolean.parseBoolean(t);
        });
        public static final Type<Integer> INT = scalar("an integer", text -> {
            long v = parseLong(text, "an integer");
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("expected an integer, not '" + text + "'");
            }
            return (int) v;
        });
        public static final Type<Long> LONG = scalar("an integer", text -> parseLong(text, "an integer"));
        /** Milliseconds, written as an integer, read as a {@link Duration}. */
        public static final Type<Duration> DURATION_MS = scalar("milliseconds",
                text -> Duration.ofMillis(parseLong(text, "a number of milliseconds")));
        public static final Type<Path> PATH = scalar("a path", text -> {
            try {
                return Path.of(text.strip());
            } catch (java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException("'" + text + "' is not a path");
            }
        });
        /**
         * A list of strings: a YAML sequence (elements kept as given, null elements too, for the owner to reject
         * by index), or one comma-separated string (trimmed, empty parts dropped), as Kafka reads its lists.
         */
        public static final Type<List<String>> LIST = new Type<>("a list", raw -> {
            if (raw instanceof List<?> list) {
                List<String> out = new ArrayList<>();
                for (Object element : list) {
                    if (element instanceof Map || element instanceof List) {
                        throw new IllegalArgumentException("expected a list of strings");
                    }
                    out.add(element == null ? null : element.toString());
                }
                return Collections.unmodifiableList(out);
            }
            if (raw instanceof Map) {
                throw new IllegalArgumentException("expected a list");
            }
            return Arrays.stream(raw.toString().split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }, false);

        /** A reader for one value written as a scalar; a mapping or sequence is of the wrong type. */
        public static <T> Type<T> scalar(String description, Function<String, T> fromText) {
            return new Type<>(description, raw -> {
                if (raw instanceof Map || raw instanceof List) {
                    throw new IllegalArgumentException("expected " + description + ", not a "
                            + (raw instanceof Map ? "mapping" : "list"));
                }
                return fromText.apply(raw.toString());
            }, false);
        }

        /**
         * One of an enum's constants, written as {@code symbol} gives it (matched ignoring case and surrounding
         * space).
         */
        public static <E extends Enum<E>> Type<E> oneOf(Class<E> type, Function<E, String> symbol) {
            E[] constants = type.getEnumConstants();
            String all = Arrays.stream(constants).map(symbol).collect(Collectors.joining(", "));
            return scalar("one of " + all, text -> {
                for (E constant : constants) {
                    if (symbol.apply(constant).equalsIgnoreCase(text.strip())) {
                        return constant;
                    }
                }
                throw new BadSymbol("'" + text.strip() + "' is not one of " + all);
            });
        }

        T read(Object raw) {
            return reader.apply(raw);
        }

        /** A value as the configuration reference writes it: milliseconds for durations, [a, b] for lists. */
        static String show(Object value) {
            if (value instanceof Duration d) {
                return Long.toString(d.toMillis());
            }
            if (value instanceof List<?> list) {
                return list.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
            }
            return String.valueOf(value);
        }

        static long asLong(Object value) {
            if (value instanceof Duration d) {
                return d.toMillis();
            }
            if (value instanceof Number n) {
                return n.longValue();
            }
            throw new IllegalArgumentException("not a number");
        }

        private static long parseLong(String text, String what) {
            try {
                return Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected " + what + ", not '" + text + "'");
            }
        }

        /** A value of the right type that is not one of the allowed symbols: an invalid value, not a wrong type. */
        static final class BadSymbol extends IllegalArgumentException {
            BadSymbol(String message) {
                super(message);
            }
        }
    }
}
