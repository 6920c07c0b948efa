/**
 * Wiring only: reads the config, builds serdes and the topology, starts Kafka Streams. No decision logic lives here.
 */
package org.purposefirewall.app;
