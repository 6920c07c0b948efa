package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.AD_PURPOSE;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.grant;
import static org.purposefirewall.topology.FirewallDriver.registration;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.schema.SuppressedRecord;

/**
 * The side-record barrier as the deciders use it: a data record waits until every side record committed before it
 * was read is applied, in read order, and fails closed when it cannot wait any more.
 */
class SideRecordBarrierTopologyTest {

    private static final long T = 1_700_000_000_000L;
    private static final String PHONE = "+1 415 555 0100";

    /** The barrier's clock and how far it has settled, both moved by hand: nothing is settled yet. */
    private final AtomicLong clock = new AtomicLong(FirewallDriver.WALL_CLOCK.toEpochMilli());
    private final AtomicLong settled = new AtomicLong(0);
    private final SideRecordBarrier barrier = new SideRecordBarrier() {
        @Override
        public long now() {
            return clock.get();
        }

        @Override
        public long settledThrough(int partition) {
            return settled.get();
        }
    };
    private FirewallDriver fw;

    @AfterEach
    void close() {
        if (fw != null) {
            fw.close();
        }
    }

    private long now() {
        return clock.get();
    }

    @Test
    void shouldHoldADataRecordUntilTheBarrierPassesItsReadTimeThenDecideItWithWhatArrivedMeanwhile(
            @TempDir Path dir) {
        fw = new FirewallDriver(dir, barrier, null, 0L);
        fw.send(consent("ana", T, grant(AD_PURPOSE)));
        // Given a contact point read while side records are still on their way
        fw.send(contact("ana", IdentifierType.PHONE, "14155550100", T + 10));
        fw.driver.advanceWallClockTime(Duration.ofMillis(50));
        assertThat(fw.drainAllOutputs()).as("nothing decided while the barrier is behind").isZero();

        // When the 2FA registration of that phone, committed before the contact point was read, is applied
        fw.send(registration("ana", IdentifierType.PHONE, PHONE, "essential.service.security.authentication",
                RegistrationAction.REGISTERED, T));
        settled.set(now());
        fw.driver.advanceWallClockTime(Duration.ofMillis(20));

        // Then the contact point is decided with it: quarantined, never forwarded
        QuarantineRecord q = fw.quarantine.readValue();
        assertThat(q.getReason()).isEqualTo("REGISTERED_FOR_RESTRICTED_PURPOSE");
        assertThat(q.getSource().getTopic()).isEqualTo(fw.topics.contactPoints());
        assertThat(fw.audience.isEmpty()).isTrue();
    }

    @Test
    void shouldReleaseWaitingRecordsInReadOrderAndDecideAtOnceWhenTheBarrierIsAhead(@TempDir Path dir) {
        fw = new FirewallDriver(dir, barrier, null, 0L);
        fw.send(consent("ana", T, grant(AD_PURPOSE)));
        fw.send(contact("ana", IdentifierType.EMAIL, "first@example.com", T + 10));
        clock.addAndGet(5);
        fw.send(contact("ana", IdentifierType.EMAIL, "second@example.com", T + 5));
        assertThat(fw.audience.isEmpty()).isTrue();

        settled.set(now() - 1);
        fw.driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(fw.audience.readValuesToList()).as("only the first read is settled")
                .extracting(AudienceIdentifier::getEventTime).extracting(java.time.Instant::toEpochMilli)
                .containsExactly(T + 10);
        settled.set(now());
        fw.driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(fw.audience.readValuesToList()).extracting(AudienceIdentifier::getEventTime)
                .extracting(java.time.Instant::toEpochMilli).containsExactly(T + 5);

        // With the barrier ahead of the clock, a record is decided as it is read
        settled.set(Long.MAX_VALUE);
        fw.send(contact("ana", IdentifierType.EMAIL, "third@example.com", T + 20));
        assertThat(fw.audience.readValuesToList()).hasSize(1);
    }

    @Test
    void shouldApplyASideRecordCommittedWithinTheSettleWindowAfterTheDataRecordWasRead(@TempDir Path dir) {
        fw = new FirewallDriver(dir, barrier, null, 200L);
        fw.send(consent("ana", T, grant(AD_PURPOSE)));
        long read = now();
        fw.send(contact("ana", IdentifierType.PHONE, "14155550100", T + 10));

        // A registration its producer sent right after the contact point, without waiting: 150 ms later
        clock.addAndGet(150);
        fw.send(registration("ana", IdentifierType.PHONE, PHONE, "essential.service.security.authentication",
                RegistrationAction.REGISTERED, T));
        // The barrier has applied everything committed up to the read time, but not the window after it
        settled.set(read + 199);
        fw.driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(fw.drainAllOutputs()).as("still inside the settle window").isZero();

        settled.set(read + 200);
        fw.driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(fw.quarantine.readValue().getReason()).isEqualTo("REGISTERED_FOR_RESTRICTED_PURPOSE");
        assertThat(fw.audience.isEmpty()).isTrue();
    }

    @Test
    void shouldSuppressRatherThanForwardWhenNoMoreRecordsCanWait(@TempDir Path dir) {
        fw = new FirewallDriver(dir, barrier, 1, 0L);
        fw.send(consent("ana", T, grant(AD_PURPOSE)));
        fw.send(contact("ana", IdentifierType.EMAIL, "first@example.com", T + 10));
        fw.send(contact("ana", IdentifierType.EMAIL, "second@example.com", T + 11));

        SuppressedRecord pending = fw.suppressed.readValue();
        assertThat(pending.getReason()).isEqualTo("SIDE_RECORDS_PENDING");
        assertThat(pending.getRule()).isEqualTo("barrier.pending");
        assertThat(pending.getUserId()).isEqualTo("ana");

        settled.set(Long.MAX_VALUE);
        fw.driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(fw.audience.readValuesToList()).hasSize(1);
        assertThat(fw.drainAllOutputs()).isZero();
    }

    @Test
    void shouldDecideRecordsSpilledToTheStoreExactlyAsRecordsKeptInMemory(@TempDir Path dir) {
        // Given the same traffic through a firewall that keeps waiting records in memory and one that spills them all
        List<String> inMemory = decideWhileEveryRecordWaits(dir.resolve("in-memory"), new HeldBudget(Long.MAX_VALUE));
        List<String> spilled = decideWhileEveryRecordWaits(dir.resolve("spilled"), new HeldBudget(Long.MAX_VALUE, 0L));

        // Then every record is decided once, and alike: forwarded, suppressed or quarantined, in read order
        assertThat(inMemory).hasSize(180);
        assertThat(inMemory.stream().filter(o -> o.startsWith("audience")).count()).isEqualTo(60);
        assertThat(inMemory.stream().filter(o -> o.startsWith("suppressed")).count()).isEqualTo(60);
        assertThat(inMemory.stream().filter(o -> o.startsWith("quarantine")).count()).isEqualTo(60);
        assertThat(spilled).containsExactlyElementsOf(inMemory);
    }

    /**
     * 60 users, each with three contact points, read while nothing is settled (so all 180 wait): a third with
     * consent, a third without, a third with consent whose phone was registered for security. Then the barrier
     * passes them all. Returns the outputs in the order written.
     */
    private List<String> decideWhileEveryRecordWaits(Path dir, HeldBudget held) {
        settled.set(0);
        try (FirewallDriver driver = new FirewallDriver(dir, barrier, held)) {
            for (int u = 0; u < 60; u++) {
                String user = "user-" + u;
                if (u % 3 != 1) {
                    driver.send(consent(user, T, grant(AD_PURPOSE)));
                }
                if (u % 3 == 2) {
                    driver.send(registration(user, IdentifierType.PHONE, phone(u),
                            "essential.service.security.authentication", RegistrationAction.REGISTERED, T));
                }
            }
            for (int n = 0; n < 3; n++) {
                for (int u = 0; u < 60; u++) {
                    String user = "user-" + u;
                    driver.send(u % 3 == 2 ? contact(user, IdentifierType.PHONE, phone(u), T + 10 + n)
                            : contact(user, IdentifierType.EMAIL, "u" + u + "-" + n + "@example.com", T + 10 + n));
                }
            }
            assertThat(driver.drainAllOutputs()).as("every contact point waits for the barrier").isZero();

            settled.set(Long.MAX_VALUE);
            driver.driver.advanceWallClockTime(Duration.ofMillis(20));
            List<String> outputs = new ArrayList<>();
            driver.audience.readValuesToList().forEach(a -> outputs.add("audience " + a.getUserId() + " "
                    + a.getSource().getOffset() + " " + a.getIdentifierHash()));
            driver.suppressed.readValuesToList().forEach(r -> outputs.add("suppressed " + r.getUserId() + " "
                    + r.getSource().getOffset() + " " + r.getReason()));
            driver.quarantine.readValuesToList().forEach(q -> outputs.add("quarantine " + q.getUserId() + " "
                    + q.getSource().getOffset() + " " + q.getReason()));
            assertThat(driver.drainAllOutputs()).isZero();
            return outputs;
        }
    }

    private static String phone(int user) {
        return String.format("+1 415 555 %04d", 100 + user);
    }
}
