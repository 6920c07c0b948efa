package org.purposefirewall.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.purposefirewall.policy.SetAsideRules.Wait;

/** The exported names and tags, the bounds on {@code source_system}, and the waiting gauge across processors. */
class PrometheusFirewallMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RegistryHealth health = new RegistryHealth();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final PrometheusFirewallMetrics metrics = new PrometheusFirewallMetrics(registry, health, ready::get);

    @Test
    void everyOutcomeIsExportedUnderItsPrometheusNameWithItsTags() {
        // Given one processor's recorder
        FirewallMetrics recorder = metrics.recorder(FirewallMetrics.NONE);

        // When it records each kind of output
        recorder.forwarded("user.contact-points", "CONSENT_GRANTED", "consent.granted");
        recorder.forwarded("user.contact-points", "CONSENT_GRANTED", "consent.granted");
        recorder.quarantined("user.contact-points", "REGISTERED_FOR_RESTRICTED_PURPOSE", "restricted.registered",
                "two-factor-auth");
        recorder.quarantined("orders", "HONEYTOKEN", "restricted.tripwire", null);
        recorder.honeytokenHit("orders");
        recorder.suppressed("user.contact-points", "CONSENT_MISSING", "consent.missing");
        recorder.deadLettered("privacy.consent", "NOT_WIRE_FORMAT");
        recorder.recalled("CONSENT_REVOKED");
        recorder.lateSideRecord();
        String scrape = registry.scrape();

        // Then each appears with exactly the names and tags the alert rules use
        assertThat(scrape).contains(
                "purpose_firewall_decisions_total{outcome=\"forwarded\",reason=\"CONSENT_GRANTED\","
                        + "rule=\"consent.granted\",topic=\"user.contact-points\"} 2.0",
                "purpose_firewall_decisions_total{outcome=\"quarantined\",reason=\"REGISTERED_FOR_RESTRICTED_PURPOSE\","
                        + "rule=\"restricted.registered\",topic=\"user.contact-points\"} 1.0",
                "purpose_firewall_decisions_total{outcome=\"suppressed\",reason=\"CONSENT_MISSING\","
                        + "rule=\"consent.missing\",topic=\"user.contact-points\"} 1.0",
                "purpose_firewall_decisions_total{outcome=\"dead_lettered\",reason=\"NOT_WIRE_FORMAT\","
                        + "rule=\"rejection\",topic=\"privacy.consent\"} 1.0",
                "purpose_firewall_quarantines_total{reason=\"REGISTERED_FOR_RESTRICTED_PURPOSE\","
                        + "source_system=\"two-factor-auth\",topic=\"user.contact-points\"} 1.0",
                "purpose_firewall_quarantines_total{reason=\"HONEYTOKEN\",source_system=\"none\",topic=\"orders\"} 1.0",
                "purpose_firewall_dead_letters_total{reason=\"NOT_WIRE_FORMAT\",topic=\"privacy.consent\"} 1.0",
                "purpose_firewall_recalls_total{reason=\"CONSENT_REVOKED\"} 1.0",
                "purpose_firewall_honeytoken_hits_total{topic=\"orders\"} 1.0",
                "purpose_firewall_late_side_records_total 1.0");
    }

    @Test
    void theGaugesStartAtZeroAndFollowTheRegistryAndReadiness() {
        // Given nothing recorded yet
        String before = registry.scrape();

        // When the registry goes away and the service becomes ready
        health.unavailable("test");
        ready.set(true);
        String after = registry.scrape();

        // Then every wait has a gauge at 0, and the registry and readiness gauges flip
        assertThat(before).contains("purpose_firewall_records_waiting{wait=\"schema\"} 0.0",
                "purpose_firewall_records_waiting{wait=\"side_records\"} 0.0",
                "purpose_firewall_records_waiting{wait=\"consent\"} 0.0",
                "purpose_firewall_records_waiting_heap_bytes 0.0", "purpose_firewall_records_spilled 0.0",
                "purpose_firewall_registry_available 1.0", "purpose_firewall_ready 0.0",
                "purpose_firewall_late_side_records_total 0.0");
        assertThat(after).contains("purpose_firewall_registry_available 0.0", "purpose_firewall_ready 1.0");
    }

    @Test
    void recordsWaitingSumsTheOpenProcessorsAndForgetsAClosedOne() {
        // Given two processors with records set aside
        FirewallMetrics first = metrics.recorder(FirewallMetrics.NONE);
        FirewallMetrics second = metrics.recorder(FirewallMetrics.NONE);
        first.waiting(Wait.CONSENT, 3);
        first.waiting(Wait.CONSENT, 5);
        second.waiting(Wait.CONSENT, 2);
        second.waiting(Wait.SCHEMA, 7);

        // When the first closes (its task moved to another instance)
        long beforeClose = metrics.waiting(Wait.CONSENT);
        first.close();

        // Then only the second's records still count
        assertThat(beforeClose).isEqualTo(7);
        assertThat(metrics.waiting(Wait.CONSENT)).isEqualTo(2);
        assertThat(registry.scrape()).contains("purpose_firewall_records_waiting{wait=\"consent\"} 2.0",
                "purpose_firewall_records_waiting{wait=\"schema\"} 7.0");
    }

    @Test
    void waitingHeapAndSpilledRecordsSumTheOpenProcessorsAndForgetAClosedOne() {
        // Given two processors whose waiting records take heap, some spilled
        FirewallMetrics first = metrics.recorder(FirewallMetrics.NONE);
        FirewallMetrics second = metrics.recorder(FirewallMetrics.NONE);
        first.waitingHeap(1_000L, 0);
        first.waitingHeap(9_000L, 40);
        second.waitingHeap(500L, 3);
        assertThat(registry.scrape()).contains("purpose_firewall_records_waiting_heap_bytes 9500.0",
                "purpose_firewall_records_spilled 43.0");

        // When the first closes (its task moved to another instance)
        first.close();

        // Then only the second's records still count
        assertThat(metrics.waitingHeap()).isEqualTo(500L);
        assertThat(metrics.spilled()).isEqualTo(3L);
    }

    @Test
    void sourceSystemsAreCappedAndAnythingThatCouldBeAnIdentifierIsOther() {
        // Given source systems as producers write them
        // When they become tags
        // Then plain names stay, identifiers and digests never appear, and past the cap all are "other"
        assertThat(metrics.sourceSystemTag("two-factor-auth")).isEqualTo("two-factor-auth");
        assertThat(metrics.sourceSystemTag(null)).isEqualTo("none");
        assertThat(metrics.sourceSystemTag(" ")).isEqualTo("none");
        assertThat(metrics.sourceSystemTag("alice@example.com")).isEqualTo("other");
        assertThat(metrics.sourceSystemTag("+447700900123")).isEqualTo("other");
        assertThat(metrics.sourceSystemTag("sms7700900123")).isEqualTo("other");
        assertThat(metrics.sourceSystemTag("e3b0c44298fc1c149afbf4c8996fb924")).isEqualTo("other");
        assertThat(metrics.sourceSystemTag("x".repeat(65))).isEqualTo("other");
        for (int i = 1; i < PrometheusFirewallMetrics.MAX_SOURCE_SYSTEMS; i++) {
            assertThat(metrics.sourceSystemTag("system-" + i)).isEqualTo("system-" + i);
        }
        assertThat(metrics.sourceSystemTag("one-too-many")).isEqualTo("other");
        assertThat(metrics.sourceSystemTag("two-factor-auth")).as("one seen before the cap").isEqualTo("two-factor-auth");
    }
}
