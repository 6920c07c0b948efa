package org.purposefirewall.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * An in-memory registry for {@code mock://scope} URLs: every client of one scope in this JVM sees the same subjects
 * and ids, so a test's producer and the firewall under test agree, and different scopes never meet.
 *
 * <p>It behaves as a Confluent registry in BACKWARD compatibility: ids are global and stable (the same schema gets
 * the same id under every subject), and a new version must be able to read data written with the latest one.
 */
public final class MockSchemaRegistryClient implements SchemaRegistryClient {

    private static final Map<String, Scope> SCOPES = new ConcurrentHashMap<>();

    private final Scope scope;

    private MockSchemaRegistryClient(Scope scope) {
        this.scope = scope;
    }

    /** A client of the named scope, created empty on first use. */
    public static MockSchemaRegistryClient forScope(String scopeName) {
        Objects.requireNonNull(scopeName, "scope");
        return new MockSchemaRegistryClient(SCOPES.computeIfAbsent(scopeName, name -> new Scope()));
    }

    /** Forgets a scope's subjects and ids; clients already holding it keep the old state. */
    public static void dropScope(String scopeName) {
        SCOPES.remove(scopeName);
    }

    @Override
    public int register(String subject, Schema schema) {
        synchronized (scope) {
            List<Schema> versions = scope.subjects.computeIfAbsent(subject, s -> new ArrayList<>());
            for (Schema existing : versions) {
                if (existing.equals(schema)) {
                    return scope.ids.get(existing);
                }
            }
            if (!versions.isEmpty() && !backwardCompatible(schema, versions.get(versions.size() - 1))) {
                throw new IncompatibleSchemaException("schema being registered is incompatible with the latest "
                        + "version of subject " + subject + " under BACKWARD compatibility");
            }
            versions.add(schema);
            return scope.ids.computeIfAbsent(schema, s -> {
                int id = scope.nextId++;
                scope.byId.put(id, s);
                return id;
            });
        }
    }

    @Override
    public int idOf(String subject, Schema schema) {
        synchronized (scope) {
            List<Schema> versions = scope.subjects.get(subject);
            if (versions == null || versions.isEmpty()) {
                throw new SubjectNotFoundException("subject " + subject + " not found");
            }
            if (!versions.contains(schema)) {
                throw new SchemaNotFoundException("schema not registered under subject " + subject);
            }
            return scope.ids.get(schema);
        }
    }

    @Override
    public Schema schemaById(int id) {
        synchronized (scope) {
            Schema schema = scope.byId.get(id);
            if (schema == null) {
                throw new SchemaNotFoundException("schema " + id + " not found");
            }
            return schema;
        }
    }

    @Override
    public RegisteredSchema latest(String subject) {
        synchronized (scope) {
            List<Schema> versions = scope.subjects.get(subject);
            if (versions == null || versions.isEmpty()) {
                throw new SubjectNotFoundException("subject " + subject + " not found");
            }
            Schema schema = versions.get(versions.size() - 1);
            return new RegisteredSchema(subject, versions.size(), scope.ids.get(schema), schema);
        }
    }

    @Override
    public boolean isCompatibleWithLatest(String subject, Schema schema) {
        synchronized (scope) {
            List<Schema> versions = scope.subjects.get(subject);
            return versions == null || versions.isEmpty()
                    || backwardCompatible(schema, versions.get(versions.size() - 1));
        }
    }

    @Override
    public void close() {
        // Nothing to release: the scope outlives its clients, as a registry outlives its connections.
    }

    private static boolean backwardCompatible(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    private static final class Scope {
        final Map<String, List<Schema>> subjects = new HashMap<>();
        final Map<Schema, Integer> ids = new HashMap<>();
        final Map<Integer, Schema> byId = new HashMap<>();
        int nextId = 1;
    }
}
