package org.purposefirewall.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.AudienceRecall;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.RecallReason;
import org.purposefirewall.schema.SourceCoordinates;

class ExposureReportTest {

    private static final Instant T = Instant.parse("2026-11-01T00:00:00Z");
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    @Test
    void forwardsAreGroupedPerUserAndDigestWithTheirRecallsAndFiltersApply() {
        ExposureReport all = new ExposureReport(null, null, null);
        feed(all);

        List<ExposureReport.Row> rows = all.rows();
        assertThat(rows).extracting(ExposureReport.Row::userId).containsExactly("ana", "ana", "ben");
        assertThat(rows.get(0).digest()).isEqualTo(A);
        assertThat(rows.get(0).forwarded()).isEqualTo(2);
        assertThat(rows.get(0).recalls()).extracting(AudienceRecall::getReason)
                .containsExactly(RecallReason.CONSENT_REVOKED);
        assertThat(rows.get(1).recalls()).isEmpty();

        ExposureReport ben = new ExposureReport("ben", null, null);
        feed(ben);
        assertThat(ben.rows()).extracting(ExposureReport.Row::userId).containsExactly("ben");

        ExposureReport early = new ExposureReport(null, T, T.plusSeconds(15));
        feed(early);
        assertThat(early.rows()).extracting(ExposureReport.Row::forwarded).containsExactly(1L, 1L);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        all.print(new java.io.PrintWriter(new java.io.OutputStreamWriter(bytes, StandardCharsets.UTF_8), true));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("recalled: CONSENT_REVOKED").contains("3 identifiers forwarded, 1 recalled, 2 never");
    }

    private static void feed(ExposureReport report) {
        report.recalled(recall("ana", A));
        report.forwarded(audience("ana", A, T));
        report.forwarded(audience("ana", A, T.plusSeconds(20)));
        report.forwarded(audience("ana", B, T.plusSeconds(5)));
        report.forwarded(audience("ben", A, T.plusSeconds(30)));
    }

    private static AudienceIdentifier audience(String user, String digest, Instant time) {
        return AudienceIdentifier.newBuilder().setUserId(user).setIdentifierType(IdentifierType.EMAIL)
                .setIdentifierHash(digest).setHashAlgorithm(HashAlgorithm.SHA256).setPurpose("p")
                .setPolicyVersion("v").setDecisionId("d").setEventTime(time).build();
    }

    private static AudienceRecall recall(String user, String digest) {
        return AudienceRecall.newBuilder().setRecallId("r-" + user).setUserId(user)
                .setIdentifierType(IdentifierType.EMAIL).setIdentifierHash(digest)
                .setHashAlgorithm(HashAlgorithm.SHA256).setReason(RecallReason.CONSENT_REVOKED).setDetail("d")
                .setAdTopic("ads").setExposureStart(T).setExposureEnd(T.plusSeconds(20)).setForwardedCount(2)
                .setCauseTime(T.plusSeconds(60)).setPolicyVersion("v")
                .setSource(new SourceCoordinates("c", 0, 1L, T)).setDecisionTime(T).build();
    }
}
