package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.AD_PURPOSE;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.deny;
import static org.purposefirewall.topology.FirewallDriver.grant;
import static org.purposefirewall.topology.FirewallDriver.registration;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.identity.Sha256;
import org.purposefirewall.monitoring.MetricNames;
import org.purposefirewall.monitoring.PrometheusFirewallMetrics;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.RegistrationAction;

/**
 * The Prometheus metrics as the topology records them: each output counted once with its reason, rule and source
 * topic; the Kafka Streams sensors still counted beside them; no identifier or user id in the scrape.
 */
class PrometheusMetricsTopologyTest {

    private static final long T = 1_700_000_000_000L;
    private static final String PHONE = "+44 7700 900123";
    private static final String EMAIL = "olga@example.com";

    @TempDir
    Path stateDir;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private FirewallDriver fw;

    @BeforeEach
    void start() {
        // The driver's serdes (and so its registry health) exist only once it is built: a health of its own here.
        PrometheusFirewallMetrics metrics = new PrometheusFirewallMetrics(registry,
                new org.purposefirewall.monitoring.RegistryHealth(), () -> true);
        fw = new FirewallDriver(stateDir, metrics.factory());
    }

    @AfterEach
    void close() {
        fw.close();
    }

    @Test
    void eachOutputIsCountedWithItsReasonRuleAndSourceTopicAndNoIdentifier() {
        // Given traffic with one of each outcome, a recall and a late revocation
        fw.send(consent("olga", T, grant(AD_PURPOSE)));
        fw.send(contact("olga", IdentifierType.EMAIL, EMAIL, T + 10));
        fw.send(contact("olga", IdentifierType.EMAIL, EMAIL, T + 11, "essential.service.security"));
        fw.send(consent("paul", T, grant(AD_PURPOSE)));
        fw.send(registration("paul", IdentifierType.PHONE, PHONE, "essential.service.security.authentication",
                RegistrationAction.REGISTERED, T));
        fw.send(contact("paul", IdentifierType.PHONE, PHONE, T + 1));
        fw.send(contact("nobody", IdentifierType.EMAIL, "x@example.com", T + 3));
        fw.rawContactPoints.pipeInput("olga", new byte[] {42}, T + 4);
        // Revoked for a time before the forward at T + 10: recalled, and a late side record
        fw.send(consent("olga", T + 5, deny(AD_PURPOSE)));

        // When /metrics would be scraped
        String scrape = registry.scrape();

        // Then each output is counted with its tags
        String topic = "topic=\"user.contact-points\"";
        assertThat(scrape).contains(
                "purpose_firewall_decisions_total{outcome=\"forwarded\",reason=\"CONSENT_GRANTED\","
                        + "rule=\"consent.granted\"," + topic + "} 1.0",
                "purpose_firewall_decisions_total{outcome=\"quarantined\",reason=\"DECLARED_RESTRICTED_PURPOSE\","
                        + "rule=\"restricted.declared\"," + topic + "} 1.0",
                "purpose_firewall_decisions_total{outcome=\"quarantined\",reason=\"REGISTERED_FOR_RESTRICTED_PURPOSE\","
                        + "rule=\"restricted.registered\"," + topic + "} 1.0",
                "purpose_firewall_decisions_total{outcome=\"suppressed\",reason=\"CONSENT_MISSING\","
                        + "rule=\"consent.missing\"," + topic + "} 1.0",
                "purpose_firewall_decisions_total{outcome=\"dead_lettered\",reason=\"NOT_WIRE_FORMAT\","
                        + "rule=\"rejection\"," + topic + "} 1.0",
                "purpose_firewall_quarantines_total{reason=\"REGISTERED_FOR_RESTRICTED_PURPOSE\","
                        + "source_system=\"two-factor-auth\"," + topic + "} 1.0",
                "purpose_firewall_quarantines_total{reason=\"DECLARED_RESTRICTED_PURPOSE\","
                        + "source_system=\"none\"," + topic + "} 1.0",
                "purpose_firewall_dead_letters_total{reason=\"NOT_WIRE_FORMAT\"," + topic + "} 1.0",
                "purpose_firewall_recalls_total{reason=\"CONSENT_REVOKED\"} 1.0",
                "purpose_firewall_late_side_records_total 1.0",
                "purpose_firewall_records_waiting{wait=\"consent\"} 0.0");
        // And the Kafka Streams sensors still count as before
        assertThat(total(MetricNames.FORWARDED)).isEqualTo(1.0);
        assertThat(total(MetricNames.QUARANTINED)).isEqualTo(2.0);
        assertThat(total(MetricNames.DEAD_LETTERED)).isEqualTo(1.0);
        assertThat(total(MetricNames.RECALLED)).isEqualTo(1.0);
        // And nothing that identifies a person is in the scrape
        assertThat(scrape).doesNotContain(EMAIL, "x@example.com", "7700", "olga", "paul", "nobody",
                Sha256.hex(EMAIL), Sha256.hex("+447700900123"));
    }

    private double total(String operation) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : fw.driver.metrics().entrySet()) {
            if (e.getKey().group().equals(MetricNames.GROUP)
                    && e.getKey().name().equals(MetricNames.total(operation))) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }
}
