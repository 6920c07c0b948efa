/**
 * Builds the firewall's {@link org.apache.kafka.streams.Topology}: an inert description with every source,
 * processor, store and sink explicitly named, and no I/O. {@link org.purposefirewall.topology.FirewallTopology} is
 * the entry point; the processors adapt records to the pure {@link org.purposefirewall.policy} package.
 */
package org.purposefirewall.topology;
