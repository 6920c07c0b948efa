/**
 * What operators watch: per-route counters behind {@link org.purposefirewall.monitoring.FirewallMetrics}, metric
 * names in {@link org.purposefirewall.monitoring.MetricNames}, and the Kafka Streams error handlers that log
 * coordinates and reasons, never payloads.
 */
package org.purposefirewall.monitoring;
