package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.grant;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.monitoring.MetricNames;
import org.purposefirewall.schema.IdentifierType;

/** The optional hold for late consent ({@code processing.consent-hold-ms}). */
class ConsentHoldTopologyTest {

    private static final long T = 1_700_000_000_000L;

    @TempDir
    Path stateDir;

    private FirewallDriver fw;

    @BeforeEach
    void start() {
        fw = new FirewallDriver(stateDir, List.of(), Honeytokens.none(), IdentityOptions.defaults(), 60_000L);
    }

    @AfterEach
    void stop() {
        fw.close();
    }

    @Test
    void aRecordWithoutConsentIsHeldAndForwardedWhenItsConsentArrivesLate() {
        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 10));
        fw.driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(fw.drainAllOutputs()).as("held, not decided").isZero();
        assertThat(metric(MetricNames.HELD)).isEqualTo(1.0);

        // The CMP's record arrives late, effective before the data record
        fw.send(consent("ana", T, grant("marketing.advertising")));
        fw.driver.advanceWallClockTime(Duration.ofSeconds(1));

        assertThat(fw.audience.readValuesToList()).singleElement()
                .satisfies(a -> assertThat(a.getEventTime().toEpochMilli()).isEqualTo(T + 10));
        assertThat(fw.suppressed.isEmpty()).isTrue();
        // Decided once: nothing more later
        fw.driver.advanceWallClockTime(Duration.ofSeconds(120));
        assertThat(fw.drainAllOutputs()).isZero();
    }

    @Test
    void aHeldRecordIsSuppressedWhenTheHoldExpiresAndConsentFromLaterDoesNotApply() {
        fw.send(contact("ben", IdentifierType.EMAIL, "ben@example.com", T + 10));
        // Consent effective after the record: the record still has no consent at its time
        fw.send(consent("ben", T + 100, grant("marketing.advertising")));
        fw.driver.advanceWallClockTime(Duration.ofSeconds(30));
        assertThat(fw.drainAllOutputs()).isZero();

        fw.driver.advanceWallClockTime(Duration.ofSeconds(31));

        assertThat(fw.suppressed.readValuesToList()).singleElement()
                .satisfies(s -> assertThat(s.getReason()).isEqualTo("CONSENT_MISSING"));
        assertThat(fw.audience.isEmpty()).isTrue();
    }

    @Test
    void onlyMissingConsentIsHeld() {
        fw.send(consent("cy", T, FirewallDriver.deny("marketing.advertising")));
        fw.send(contact("cy", IdentifierType.EMAIL, "cy@example.com", T + 10));

        assertThat(fw.suppressed.readValue().getReason()).isEqualTo("CONSENT_DENIED");
        assertThat(metric(MetricNames.HELD)).isZero();
    }

    private double metric(String operation) {
        double sum = 0;
        for (java.util.Map.Entry<MetricName, ? extends Metric> e : fw.driver.metrics().entrySet()) {
            if (e.getKey().group().equals(MetricNames.GROUP)
                    && e.getKey().name().equals(MetricNames.total(operation))) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }
}
