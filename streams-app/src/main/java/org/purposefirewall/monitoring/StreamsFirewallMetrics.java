package org.purposefirewall.monitoring;

import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;
import org.purposefirewall.policy.Outcome;

/**
 * {@link FirewallMetrics} as Kafka Streams sensors, so they appear wherever the application's other metrics do
 * (JMX, {@code KafkaStreams#metrics()}, any metrics reporter): counts per task, without tags (the Prometheus
 * metrics of {@link PrometheusFirewallMetrics} carry them).
 */
public final class StreamsFirewallMetrics implements FirewallMetrics {

    private final StreamsMetrics metrics;
    private final Sensor forwarded;
    private final Sensor quarantined;
    private final Sensor suppressed;
    private final Sensor deadLettered;
    private final Sensor parked;
    private final Sensor honeytokenHits;
    private final Sensor recalled;
    private final Sensor held;
    private final Sensor rehomed;
    private final Sensor settling;
    private final Sensor late;
    private final Sensor shadowDisagreements;
    private final Sensor shadowFailures;

    public StreamsFirewallMetrics(StreamsMetrics metrics, String taskId) {
        this.metrics = metrics;
        this.forwarded = sensor(taskId, MetricNames.FORWARDED);
        this.quarantined = sensor(taskId, MetricNames.QUARANTINED);
        this.suppressed = sensor(taskId, MetricNames.SUPPRESSED);
        this.deadLettered = sensor(taskId, MetricNames.DEAD_LETTERED);
        this.parked = sensor(taskId, MetricNames.PARKED);
        this.honeytokenHits = sensor(taskId, MetricNames.HONEYTOKEN_HITS);
        this.recalled = sensor(taskId, MetricNames.RECALLED);
        this.held = sensor(taskId, MetricNames.HELD);
        this.rehomed = sensor(taskId, MetricNames.REHOMED);
        this.settling = sensor(taskId, MetricNames.SETTLING);
        this.late = sensor(taskId, MetricNames.LATE_SIDE_RECORDS);
        this.shadowDisagreements = sensor(taskId, MetricNames.SHADOW_DISAGREEMENTS);
        this.shadowFailures = sensor(taskId, MetricNames.SHADOW_FAILURES);
    }

    private Sensor sensor(String taskId, String operation) {
        return metrics.addRateTotalSensor(MetricNames.SCOPE, taskId, operation, Sensor.RecordingLevel.INFO);
    }

    @Override
    public void forwarded(String topic, String reason, String rule) {
        forwarded.record();
    }

    @Override
    public void quarantined(String topic, String reason, String rule, String sourceSystem) {
        quarantined.record();
    }

    @Override
    public void suppressed(String topic, String reason, String rule) {
        suppressed.record();
    }

    @Override
    public void deadLettered(String topic, String reason) {
        deadLettered.record();
    }

    @Override
    public void honeytokenHit(String topic) {
        honeytokenHits.record();
    }

    @Override
    public void held() {
        held.record();
    }

    @Override
    public void recalled(String reason) {
        recalled.record();
    }

    @Override
    public void parked() {
        parked.record();
    }

    @Override
    public void rehomed() {
        rehomed.record();
    }

    @Override
    public void settling() {
        settling.record();
    }

    @Override
    public void lateSideRecord() {
        late.record();
    }

    @Override
    public void shadowDisagreement(Outcome enforcing, Outcome shadow, String shadowRule) {
        shadowDisagreements.record();
    }

    @Override
    public void shadowFailure() {
        shadowFailures.record();
    }

    @Override
    public void close() {
        for (Sensor sensor : List.of(forwarded, quarantined, suppressed, deadLettered, parked, honeytokenHits, recalled, held,
                rehomed, settling, late, shadowDisagreements, shadowFailures)) {
            metrics.removeSensor(sensor);
        }
    }
}
