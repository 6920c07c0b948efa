/**
 * Declaring configuration keys, after Kafka's {@code ConfigDef}: each key is declared once, with its type, default,
 * validator and doc, and {@link org.purposefirewall.config.def.ConfigDef#parse} turns raw values into typed ones,
 * applying the defaults and rejecting unknown keys. The JDK only, so that every package that owns settings (the
 * registry client, the firewall's configuration) can declare its keys here without depending on another.
 */
package org.purposefirewall.config.def;
