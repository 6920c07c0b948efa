package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.grant;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.consent.ConsentStrings;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.SuppressedRecord;

/**
 * Consent in the formats users' systems send, through the whole topology: decoded once per consent change, read by
 * every data record at its own event time.
 */
class ConsentSignalsTopologyTest {

    /** Event times near now, so that the TC strings (stamped with the current time) are not expired. */
    // Just before the driver's wall clock: later event times would be implausible (ahead of the processing clock).
    private static final long T = FirewallDriver.WALL_CLOCK.toEpochMilli() - 60_000L;

    @TempDir
    Path stateDir;

    private FirewallDriver fw;

    @BeforeEach
    void start() {
        fw = new FirewallDriver(stateDir);
    }

    @AfterEach
    void stop() {
        fw.close();
    }

    private static ConsentState tcf(String user, long time, String tcf) {
        ConsentState state = consent(user, time);
        state.setTcfString(tcf);
        return state;
    }

    @Test
    void aTcfStringConsentingToPurposes3And4ForwardsAndOneWithoutPurpose4Suppresses() {
        fw.send(tcf("ana", T, ConsentStrings.tcf(Set.of(1, 3, 4))));
        fw.send(tcf("ben", T, ConsentStrings.tcf(Set.of(1, 3))));

        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 10));
        fw.send(contact("ben", IdentifierType.EMAIL, "ben@example.com", T + 10));

        assertThat(fw.audience.readValuesToList()).extracting(AudienceIdentifier::getUserId).containsExactly("ana");
        SuppressedRecord ben = fw.suppressed.readValue();
        assertThat(ben.getUserId()).isEqualTo("ben");
        assertThat(ben.getReason()).isEqualTo("CONSENT_DENIED");
    }

    @Test
    void aMalformedOrUnsupportedConsentStringSuppressesWithTheReasonAndIsNotDeadLettered() {
        fw.send(tcf("ana", T, "this-is-not-a-tc-string-but-it-is-long-enough-to-look-like-one"));
        fw.send(tcf("ben", T, ConsentStrings.tcf(2, Set.of(3, 4), List.of(1))));
        ConsentState gpp = consent("cy", T, grant("marketing.advertising"));
        gpp.setGppString("DBABM~garbage");
        fw.send(gpp);

        for (String user : List.of("ana", "ben", "cy")) {
            fw.send(contact(user, IdentifierType.EMAIL, user + "@example.com", T + 10));
        }

        List<SuppressedRecord> suppressed = fw.suppressed.readValuesToList();
        assertThat(suppressed).extracting(SuppressedRecord::getReason).containsOnly("CONSENT_INVALID");
        assertThat(suppressed).extracting(SuppressedRecord::getRule).containsOnly("consent.invalid");
        assertThat(suppressed.get(0).getDetail()).contains("malformed");
        assertThat(suppressed.get(1).getDetail()).contains("TCF policy version 2");
        assertThat(suppressed.get(2).getDetail()).contains("malformed");
        assertThat(fw.deadLetter.isEmpty()).isTrue();
        assertThat(fw.audience.isEmpty()).isTrue();
    }

    @Test
    void globalPrivacyControlAndAGppOptOutBeatAGrant() {
        ConsentState gpc = consent("ana", T, grant("marketing.advertising"));
        gpc.setGlobalPrivacyControl(true);
        ConsentState usnat = tcf("ben", T, ConsentStrings.tcf(Set.of(3, 4)));
        usnat.setGppString(ConsentStrings.gpp("usnat", "TargetedAdvertisingOptOut", 1));
        fw.send(gpc);
        fw.send(usnat);

        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 10));
        fw.send(contact("ben", IdentifierType.EMAIL, "ben@example.com", T + 10));

        List<SuppressedRecord> suppressed = fw.suppressed.readValuesToList();
        assertThat(suppressed).extracting(SuppressedRecord::getReason).containsExactly("OPTED_OUT", "OPTED_OUT");
        assertThat(suppressed.get(0).getDetail()).contains("Global Privacy Control");
        assertThat(suppressed.get(1).getDetail()).contains("targeted advertising");
    }

    @Test
    void aTcfRevocationAppliesFromItsEffectiveTimeWhateverTheOrderRecordsArriveIn() {
        // Granted at T, revoked (purpose 4 withdrawn) at T+100
        fw.send(tcf("ana", T, ConsentStrings.tcf(Set.of(3, 4))));
        // A record after the revocation's time, processed before the revocation arrived: decided on what was known
        fw.send(contact("ana", IdentifierType.EMAIL, "ana+early@example.com", T + 150));
        fw.send(tcf("ana", T + 100, ConsentStrings.tcf(Set.of(3))));
        // Out of order after the revocation arrived: earlier records still see the grant, later ones the revocation
        fw.send(contact("ana", IdentifierType.EMAIL, "ana+a@example.com", T + 120));
        fw.send(contact("ana", IdentifierType.EMAIL, "ana+b@example.com", T + 90));
        fw.send(contact("ana", IdentifierType.EMAIL, "ana+c@example.com", T + 100));

        List<AudienceIdentifier> forwarded = fw.audience.readValuesToList();
        assertThat(forwarded).extracting(a -> a.getEventTime().toEpochMilli() - T).containsExactly(150L, 90L);
        assertThat(fw.suppressed.readValuesToList()).extracting(s -> s.getReason())
                .containsExactly("CONSENT_DENIED", "CONSENT_DENIED");
    }

    @Test
    void aValidStateAfterAnInvalidOneRestoresConsentFromItsTimeOn() {
        fw.send(tcf("ana", T, "garbage-garbage-garbage-garbage-garbage-garbage"));
        fw.send(tcf("ana", T + 100, ConsentStrings.tcf(Set.of(3, 4))));

        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 50));
        fw.send(contact("ana", IdentifierType.EMAIL, "ana@example.com", T + 150));

        assertThat(fw.suppressed.readValue().getReason()).isEqualTo("CONSENT_INVALID");
        assertThat(fw.audience.readValue().getEventTime()).isEqualTo(Instant.ofEpochMilli(T + 150));
    }
}
