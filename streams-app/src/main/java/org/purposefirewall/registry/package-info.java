/**
 * A small client of the Confluent Schema Registry REST API, behind {@link
 * org.purposefirewall.registry.SchemaRegistryClient}, so the firewall speaks to Confluent, Apicurio (ccompat),
 * Karapace and Redpanda without Confluent's jars.
 *
 * <p>{@code mock://scope} URLs select {@link org.purposefirewall.registry.MockSchemaRegistryClient}: an in-memory
 * registry shared by every client of the same scope in the JVM, as Confluent's serdes do.
 */
package org.purposefirewall.registry;
