/**
 * Avro in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro binary), over a
 * {@link org.purposefirewall.registry.SchemaRegistryClient}.
 *
 * <p>Input is read with {@link org.purposefirewall.serde.SafeAvroDeserializer}, which never throws for bad bytes:
 * it returns a {@link org.purposefirewall.serde.Decoded.Failed} that the topology dead-letters with its reason, so
 * bad input is neither lost nor able to stop the application.
 */
package org.purposefirewall.serde;
