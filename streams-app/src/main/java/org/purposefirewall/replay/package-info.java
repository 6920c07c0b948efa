/**
 * Investigation: re-deciding past traffic with the service's own topology, and comparing it with what the service
 * did. {@link org.purposefirewall.replay.Replay} reads the inputs over a range with a plain read_committed consumer
 * (no group), orders them by event time with every side record first, and pipes them through
 * {@link org.purposefirewall.topology.FirewallTopology} in Kafka Streams' in-process driver: the same processors,
 * stores and policy code as the live service, with in-process state and no producer, so nothing is ever written to
 * the cluster. Each replayed outcome is matched by source coordinates against the service's outputs
 * ({@link org.purposefirewall.replay.Fates}) and each difference classified
 * ({@link org.purposefirewall.policy.ReplayChange}) and reported redacted.
 */
package org.purposefirewall.replay;
