package org.purposefirewall.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.identity.Sha256;
import org.purposefirewall.monitor.Redaction.DeadLetterRow;
import org.purposefirewall.monitor.Redaction.QuarantineRow;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.MatchedRegistration;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SourceCoordinates;

class MonitorRedactionTest {

    private static final Instant T = Instant.parse("2026-12-01T10:15:30Z");
    private final Redaction redaction = new Redaction(IdentifierNormalizer.of(IdentityOptions.defaults()));

    @Test
    void aQuarantinedPhoneIsShownAsItsTypeAndTheFirstEightHexDigitsOfItsSha256Only() {
        // Given a contact point with a 2FA phone, spelled as an ad pipeline spells it
        QuarantineRecord q = quarantine(contact(IdentifierType.PHONE, "1.415.555.0100"), "REGISTERED_FOR_RESTRICTED_PURPOSE",
                new MatchedRegistration("essential.service.security.authentication", "two-factor-auth", T));

        // When it is redacted
        QuarantineRow row = redaction.quarantine(q);

        // Then only the type, the digest prefix of the normalized number and the audit fields are shown
        assertThat(row.identifierType()).isEqualTo("PHONE");
        assertThat(row.digest()).isEqualTo("sha256:" + Sha256.hex("+14155550100").substring(0, 8));
        assertThat(row.sourceSystem()).isEqualTo("two-factor-auth");
        assertThat(row.topic()).isEqualTo("user.contact-points");
        assertThat(row.offset()).isEqualTo(42);
        assertThat(row.toString()).doesNotContain("415.555", "4155550100", Sha256.hex("+14155550100"), "user-7",
                "secret note");
    }

    @Test
    void anIdentifierThatArrivedAsAnMd5IsShownInThatFormCutToEightDigits() {
        String md5 = HashForm.MD5.hex("recovery@example.com");
        QuarantineRow row = redaction.quarantine(quarantine(contact(IdentifierType.EMAIL, md5.toUpperCase()),
                "REGISTERED_FOR_RESTRICTED_PURPOSE", null));
        assertThat(row.digest()).isEqualTo("md5:" + md5.substring(0, 8));
        assertThat(row.toString()).doesNotContain(md5).doesNotContain(md5.toUpperCase());
    }

    @Test
    void aDeadLetterShowsItsReasonAndABoundedDetailNeverItsPayload() {
        DeadLetterRecord d = DeadLetterRecord.newBuilder().setReason("INVALID_PHONE").setDetail("x".repeat(5_000))
                .setSource(new SourceCoordinates("user.contact-points", 1, 7L, T))
                .setOriginalValue(java.nio.ByteBuffer.wrap("+14155550100".getBytes()))
                .setDecisionTime(T).build();
        DeadLetterRow row = redaction.deadLetter(d);
        assertThat(row.detail()).hasSize(Redaction.MAX_DETAIL);
        assertThat(row.toString()).doesNotContain("4155550100");
    }

    @Test
    void countsAreKeptPerReasonRuleSourceSystemAndTopicAndHoneytokensAreCountedWithTheLatestLabel() {
        // Given a state at a fixed clock
        Clock clock = Clock.fixed(T.plusSeconds(10), ZoneOffset.UTC);
        MonitorState state = new MonitorState(clock, 2, 0);

        // When three quarantines (one honeytoken) and a dead letter are added
        state.add(redaction.quarantine(quarantine(contact(IdentifierType.PHONE, "+14155550100"),
                "REGISTERED_FOR_RESTRICTED_PURPOSE", new MatchedRegistration("p", "two-factor-auth", T))));
        state.add(redaction.quarantine(quarantine(contact(IdentifierType.PHONE, "+14155550101"),
                "REGISTERED_FOR_RESTRICTED_PURPOSE", new MatchedRegistration("p", "two-factor-auth", T))));
        QuarantineRecord token = quarantine(contact(IdentifierType.PHONE, "+12025550147"), "HONEYTOKEN", null);
        token.setHoneytoken("canary-phone-1");
        token.setRule("honeytoken");
        state.add(redaction.quarantine(token));
        state.add(redaction.deadLetter(DeadLetterRecord.newBuilder().setReason("NOT_WIRE_FORMAT").setDetail("d")
                .setSource(new SourceCoordinates("user.contact-points", 0, 1L, T)).setDecisionTime(T).build()));

        // Then the summary has the counts, the rate, the honeytoken and only the latest two rows
        MonitorState.Summary s = state.summary();
        assertThat(s.quarantined()).isEqualTo(3);
        assertThat(s.deadLettered()).isEqualTo(1);
        assertThat(counts(s, "reason")).containsExactlyInAnyOrderEntriesOf(
                Map.of("REGISTERED_FOR_RESTRICTED_PURPOSE", 2L, "HONEYTOKEN", 1L));
        assertThat(counts(s, "sourceSystem")).containsEntry("two-factor-auth", 2L);
        assertThat(s.counts().get("reason").get(0).lastHour()).isEqualTo(2);
        assertThat(s.quarantinedPerMinute()).isEqualTo(0.3);
        assertThat(s.honeytokens().hits()).isEqualTo(1);
        assertThat(s.honeytokens().latestLabel()).isEqualTo("canary-phone-1");
        assertThat(s.minutes()).hasSize(MonitorState.MINUTES);
        assertThat(s.minutes().get(MonitorState.MINUTES - 1).quarantined()).isEqualTo(3);
        assertThat(state.latest().quarantined()).hasSize(2);
        assertThat(state.latest().quarantined().get(0).honeytoken()).isEqualTo("canary-phone-1");
    }

    @Test
    void labelsPerDimensionAreBounded() {
        MonitorState state = new MonitorState(Clock.fixed(T, ZoneOffset.UTC), 1, 0);
        for (int i = 0; i < 500; i++) {
            QuarantineRecord q = quarantine(contact(IdentifierType.PHONE, "+14155550100"), "R" + i, null);
            state.add(redaction.quarantine(q));
        }
        List<MonitorState.Count> reasons = state.summary().counts().get("reason");
        assertThat(reasons).hasSize(MonitorState.MAX_LABELS);
        assertThat(counts(state.summary(), "reason")).containsEntry(MonitorState.OTHER, 401L);
    }

    private static Map<String, Long> counts(MonitorState.Summary s, String dimension) {
        Map<String, Long> out = new java.util.HashMap<>();
        s.counts().get(dimension).forEach(c -> out.put(c.label(), c.total()));
        return out;
    }

    private static ContactPoint contact(IdentifierType type, String value) {
        return ContactPoint.newBuilder().setUserId("user-7").setIdentifierType(type).setValue(value)
                .setSourceSystem("ads-audience-sync").setEventTime(T).setAttributes(Map.of("n", "secret note"))
                .build();
    }

    private static QuarantineRecord quarantine(ContactPoint input, String reason, MatchedRegistration registration) {
        return QuarantineRecord.newBuilder().setDecisionId("d").setRecord(input).setReason(reason)
                .setDetail("detail").setRule("security-purposes").setMatchedPurpose("essential.service.security")
                .setMatchedRegistration(registration).setPolicyVersion("2026-11").setUserId("user-7")
                .setSource(new SourceCoordinates("user.contact-points", 2, 42L, T)).setDecisionTime(T).build();
    }
}
