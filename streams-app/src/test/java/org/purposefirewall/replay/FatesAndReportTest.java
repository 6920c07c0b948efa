package org.purposefirewall.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.monitor.Redaction;
import org.purposefirewall.policy.ReplayChange;
import org.purposefirewall.policy.ReplayChange.Fate;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.SourceCoordinates;
import org.purposefirewall.schema.SuppressedRecord;

class FatesAndReportTest {

    private static final Instant T = Instant.parse("2026-11-30T10:00:00Z");
    private static final String USER = "user-4411";
    private static final String EMAIL = "ann.example@mail.example";
    private static final String DIGEST = HashForm.SHA256.hex(EMAIL);
    private static final Output.Source AT = new Output.Source("user.contact-points", 2, 41);

    @Test
    void shouldGiveARecordOneFateFromItsOutputs() {
        Fates fates = new Fates(Set.of(AT));
        fates.add(Output.of(audience(AT, "v1")));
        fates.add(Output.of(audience(AT, "v1")));
        fates.add(Output.of(audience(new Output.Source("user.contact-points", 2, 42), "v1")));
        assertThat(Fates.fate(fates.of(AT))).as("two identifiers forwarded").isEqualTo(Fate.FORWARDED);
        assertThat(fates.of(new Output.Source("user.contact-points", 2, 42))).as("not wanted: not kept").isEmpty();
        assertThat(fates.read()).isEqualTo(3);
        fates.add(Output.of(suppressed(AT)));
        assertThat(Fates.fate(fates.of(AT))).as("forwarded and suppressed: never both").isEqualTo(Fate.SEVERAL);
        assertThat(Fates.fate(List.of())).isEqualTo(Fate.NONE);
    }

    @Test
    void shouldMatchAnAdRecordWithoutCoordinatesByItsDecisionId() {
        Fates fates = new Fates(null);
        AudienceIdentifier old = audience(null, "2026-11-25.1");
        old.setDecisionId(Output.contactPointDecisionId(AT, "2026-11-25.1"));
        fates.add(Output.of(old));
        assertThat(fates.of(AT)).singleElement().satisfies(o -> {
            assertThat(o.fate()).isEqualTo(Fate.FORWARDED);
            assertThat(o.source()).isEqualTo(AT);
        });
        assertThat(fates.of(new Output.Source("user.contact-points", 2, 40))).isEmpty();
        // The firewall's own decision id for these coordinates, as its Outputs derives it
        assertThat(Output.contactPointDecisionId(AT, "v")).isEqualTo(java.util.UUID.nameUUIDFromBytes(
                "user.contact-points/2/41/v".getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
    }

    @Test
    void shouldWriteOneRedactedLinePerDifferenceAndNoneForAnAgreement(@TempDir Path dir) throws Exception {
        Redaction redaction = new Redaction(IdentifierNormalizer.of(IdentityOptions.defaults()));
        Output then = Output.of(audience(AT, "2026-11-25.1"));
        Output now = Output.of(quarantine(AT), redaction);
        Path file = dir.resolve("diff.jsonl");
        try (DifferenceReport report = new DifferenceReport(file)) {
            report.compared(new Replay.Comparison(null, AT, T.toEpochMilli(), Fate.FORWARDED, then, Fate.FORWARDED,
                    then));
            report.compared(new Replay.Comparison(ReplayChange.EXPOSURE, AT, T.toEpochMilli(), Fate.FORWARDED, then,
                    Fate.QUARANTINED, now));
            assertThat(report.written()).isEqualTo(1);
        }
        String text = Files.readString(file);
        assertThat(text.lines()).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(text);
        assertThat(line.get("change").asText()).isEqualTo("exposure");
        assertThat(line.get("topic").asText()).isEqualTo(AT.topic());
        assertThat(line.get("partition").asInt()).isEqualTo(2);
        assertThat(line.get("offset").asLong()).isEqualTo(41);
        assertThat(line.get("eventTime").asText()).isEqualTo(T.toString());
        assertThat(line.get("user").asText()).isEqualTo(HashForm.SHA256.hex(USER).substring(0, 12));
        assertThat(line.get("identifierType").asText()).isEqualTo("EMAIL");
        assertThat(line.get("digest").asText()).isEqualTo("sha256:" + DIGEST.substring(0, 8));
        assertThat(line.get("then").get("fate").asText()).isEqualTo("FORWARDED");
        assertThat(line.get("then").get("policyVersion").asText()).isEqualTo("2026-11-25.1");
        assertThat(line.get("now").get("fate").asText()).isEqualTo("QUARANTINED");
        assertThat(line.get("now").get("rule").asText()).isEqualTo("restricted.registered");
        assertThat(line.get("now").get("reason").asText()).isEqualTo("REGISTERED_FOR_RESTRICTED_PURPOSE");
        assertThat(text).doesNotContain(USER).doesNotContain(EMAIL).doesNotContain(DIGEST)
                .doesNotContain("auth-service-secret-note");
    }

    private static AudienceIdentifier audience(Output.Source at, String version) {
        return AudienceIdentifier.newBuilder().setUserId(USER).setIdentifierType(IdentifierType.EMAIL)
                .setIdentifierHash(DIGEST).setHashAlgorithm(HashAlgorithm.SHA256)
                .setPurpose("marketing.advertising.third_party.targeted").setPolicyVersion(version)
                .setDecisionId(java.util.UUID.randomUUID().toString()).setEventTime(T)
                .setSource(at == null ? null : new SourceCoordinates(at.topic(), at.partition(), at.offset(), T))
                .build();
    }

    private static SuppressedRecord suppressed(Output.Source at) {
        return SuppressedRecord.newBuilder().setDecisionId("d").setUserId(USER)
                .setIdentifierType(IdentifierType.EMAIL).setReason("CONSENT_MISSING").setDetail("no consent")
                .setRule("consent.missing").setPolicyVersion("v1")
                .setSource(new SourceCoordinates(at.topic(), at.partition(), at.offset(), T)).setDecisionTime(T)
                .build();
    }

    private static QuarantineRecord quarantine(Output.Source at) {
        ContactPoint contact = ContactPoint.newBuilder().setUserId(USER).setIdentifierType(IdentifierType.EMAIL)
                .setValue(EMAIL).setDeclaredPurposes(List.of()).setSourceSystem("ads-sync").setEventTime(T)
                .setAttributes(java.util.Map.of("note", "auth-service-secret-note")).build();
        return QuarantineRecord.newBuilder().setDecisionId("q").setRecord(contact)
                .setReason("REGISTERED_FOR_RESTRICTED_PURPOSE").setDetail("collected for security")
                .setRule("restricted.registered").setMatchedPurpose("essential.service.security")
                .setPolicyVersion("candidate-1")
                .setSource(new SourceCoordinates(at.topic(), at.partition(), at.offset(), T)).setDecisionTime(T)
                .setUserId(USER).build();
    }
}
