package org.purposefirewall.topology;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;

/**
 * Visits every string of an Avro record, however deep: fields of nested records, union branches, array elements,
 * map keys and values. Works on generic and generated records alike (both are {@link IndexedRecord}s).
 *
 * <p>Also visits {@code long} and {@code int} values of seven digits or more as text, since a phone number is often
 * stored as a number; time-typed ones (logical types {@code timestamp-*}, {@code time-*}, {@code date}) are skipped.
 * Bytes and fixed values are not visited.
 *
 * <p>Paths name fields by name, array elements by index and map entries by key: {@code contacts[2].value},
 * {@code attributes["backup"]}. A map key that could itself be an identifier (it has an '@', five or more digits,
 * or is longer than 64 characters) is shown as {@code *}, so paths can be logged. A map key is visited at the
 * entry's path followed by {@code .<key>}.
 *
 * <p>Each string inherits the {@code "pii"} property of the nearest enclosing field that has one, so a schema can
 * mark identifier fields ({@code "pii": "PHONE"}, {@code "EMAIL"}, {@code "MOBILE_AD_ID"}), including arrays of
 * them.
 */
final class FieldWalker {

    /** Property that marks identifier fields. */
    static final String PII_PROPERTY = "pii";
    /** Deeper nesting than this (only recursive schemas get there) is reported, not walked. */
    static final int MAX_DEPTH = 64;

    private static final long MIN_NUMBER_VISITED = 1_000_000L;

    /** Receives each string. */
    interface Visitor {
        /**
         * @param path where the value is
         * @param value the text (numbers as their decimal digits)
         * @param pii the {@code "pii"} property of the nearest enclosing field that has one, upper-cased, or null
         * @param mapKey true if the value is a map key
         */
        void visit(String path, CharSequence value, String pii, boolean mapKey);
    }

    private FieldWalker() {
    }

    /**
     * Walks {@code record}.
     *
     * @return null if every value was visited, else the path where the walk stopped (nesting deeper than
     *     {@link #MAX_DEPTH})
     */
    static String walk(IndexedRecord record, Visitor visitor) {
        return walkRecord(record, record.getSchema(), "", null, visitor, 0);
    }

    private static String walkRecord(IndexedRecord record, Schema schema, String path, String pii, Visitor visitor,
                                     int depth) {
        List<Schema.Field> fields = schema.getFields();
        for (Schema.Field field : fields) {
            String fieldPii = pii(field, pii);
            String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
            String stopped = walkValue(record.get(field.pos()), field.schema(), fieldPath, fieldPii, visitor,
                    depth + 1);
            if (stopped != null) {
                return stopped;
            }
        }
        return null;
    }

    private static String walkValue(Object value, Schema schema, String path, String pii, Visitor visitor, int depth) {
        if (value == null) {
            return null;
        }
        if (depth > MAX_DEPTH) {
            return path;
        }
        switch (schema.getType()) {
            case UNION -> {
                int branch = GenericData.get().resolveUnion(schema, value);
                return walkValue(value, schema.getTypes().get(branch), path, pii, visitor, depth);
            }
            case RECORD -> {
                return walkRecord((IndexedRecord) value, schema, path, pii, visitor, depth);
            }
            case ARRAY -> {
                int i = 0;
                for (Object element : (Collection<?>) value) {
                    String stopped = walkValue(element, schema.getElementType(), path + "[" + i++ + "]", pii,
                            visitor, depth + 1);
                    if (stopped != null) {
                        return stopped;
                    }
                }
                return null;
            }
            case MAP -> {
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    CharSequence key = entry.getKey() instanceof CharSequence text ? text
                            : String.valueOf(entry.getKey());
                    String entryPath = path + "[" + printableKey(key) + "]";
                    visitor.visit(entryPath + ".<key>", key, null, true);
                    String stopped = walkValue(entry.getValue(), schema.getValueType(), entryPath, pii, visitor,
                            depth + 1);
                    if (stopped != null) {
                        return stopped;
                    }
                }
                return null;
            }
            case STRING -> {
                // A logical type (e.g. uuid) may arrive converted; its text is what was written.
                visitor.visit(path, value instanceof CharSequence text ? text : value.toString(), pii, false);
                return null;
            }
            case LONG, INT -> {
                if (!isTime(schema.getLogicalType()) && value instanceof Number n
                        && Math.abs(n.longValue()) >= MIN_NUMBER_VISITED) {
                    visitor.visit(path, Long.toString(n.longValue()), pii, false);
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private static String pii(Schema.Field field, String inherited) {
        Object property = field.getObjectProp(PII_PROPERTY);
        return property instanceof String s && !s.isBlank() ? s.strip().toUpperCase(Locale.ROOT) : inherited;
    }

    private static boolean isTime(LogicalType type) {
        return type instanceof LogicalTypes.TimestampMillis || type instanceof LogicalTypes.TimestampMicros
                || type instanceof LogicalTypes.TimestampNanos || type instanceof LogicalTypes.LocalTimestampMillis
                || type instanceof LogicalTypes.LocalTimestampMicros || type instanceof LogicalTypes.LocalTimestampNanos
                || type instanceof LogicalTypes.TimeMillis || type instanceof LogicalTypes.TimeMicros
                || type instanceof LogicalTypes.Date;
    }

    private static String printableKey(CharSequence key) {
        if (key.length() > 64) {
            return "*";
        }
        int digits = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '@' || c == '"' || c == '\\' || Character.isISOControl(c)) {
                return "*";
            }
            if (Character.isDigit(c) && ++digits >= 5) {
                return "*";
            }
        }
        return "\"" + key + "\"";
    }
}
