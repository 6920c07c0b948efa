package org.purposefirewall.registry;

import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry API the firewall uses.
 *
 * <p>Implementations are thread-safe and may be shared by every serde of one application. Errors are
 * {@link SchemaRegistryException}s carrying the registry's error code; {@link RegistryUnavailableException} means the
 * registry could not be asked, which is never a property of the record being read.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /**
     * Registers {@code schema} under {@code subject}, or returns the id it already has there.
     *
     * @throws IncompatibleSchemaException if the subject's compatibility rules reject it (HTTP 409)
     * @throws InvalidSchemaException if the registry cannot parse it (42201)
     */
    int register(String subject, Schema schema);

    /**
     * The id of {@code schema} under {@code subject}, without registering it.
     *
     * @throws SubjectNotFoundException (40401) or SchemaNotFoundException (40403) if it is not registered there
     */
    int idOf(String subject, Schema schema);

    /**
     * The schema with the given global id.
     *
     * @throws SchemaNotFoundException if no schema has this id (40403)
     */
    Schema schemaById(int id);

    /**
     * The latest version registered under {@code subject}.
     *
     * @throws SubjectNotFoundException if the subject has no versions (40401, or 40402 from some registries)
     */
    RegisteredSchema latest(String subject);

    /** True if {@code schema} may be registered as the next version of {@code subject} under its compatibility rules. */
    boolean isCompatibleWithLatest(String subject, Schema schema);

    /** Releases connections; the client is unusable afterwards. */
    @Override
    void close();

    /**
     * One version of one subject.
     *
     * @param subject the subject
     * @param version its version number under the subject, from 1
     * @param id the global schema id written in the wire format
     * @param schema the schema
     */
    record RegisteredSchema(String subject, int version, int id, Schema schema) {
    }
}
