package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.grant;
import static org.purposefirewall.topology.FirewallDriver.registration;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.policy.EventTimeBounds;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ConsentStatus;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.PurposeConsent;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.schema.SuppressedRecord;

/**
 * Issue 9: records whose content could once make the firewall write something the brokers refuse (a timestamp, a
 * size) or keep a key no user id can be. Each is dead-lettered with its reason, or decided as the design says, and
 * the next record is decided. The real-broker proof, with every poison on every input, is {@code PoisonRecordsIT}.
 */
class PoisonRecordsTopologyTest {

    private static final long T = 1_700_000_000_000L;
    private static final String SIGNUPS = "crm.signups";
    private static final String TWO_FACTOR = "essential.service.security.authentication";
    private static final Schema SIGNUP = new Schema.Parser().parse("""
            {"type": "record", "name": "Signup", "namespace": "com.example.crm", "fields": [
              {"name": "phone", "type": "string", "pii": "PHONE"},
              {"name": "notes", "type": "string"}
            ]}""");

    @TempDir
    Path stateDir;

    private FirewallDriver fw;

    @AfterEach
    void stop() {
        if (fw != null) {
            fw.close();
        }
    }

    private FirewallDriver start() {
        fw = new FirewallDriver(stateDir, List.of(SIGNUPS), Honeytokens.none(), IdentityOptions.defaults());
        return fw;
    }

    @Test
    void shouldDeadLetterAGuardedRecordWhoseKafkaTimestampIsNoPlausibleEventTime() {
        // Given a consented user; on a guarded topic the Kafka timestamp is the record's event time
        start();
        fw.send(consent("alice", T, grant("marketing.advertising")));
        long y2100 = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();

        // When her records arrive stamped in 2100, and with no timestamp (which Kafka Streams is handed as 0)
        fw.sendGuarded(SIGNUPS, "alice", signup("+1 415 555 0100", "hi"), y2100);
        fw.sendGuarded(SIGNUPS, "alice", signup("+1 415 555 0101", "hi"), 0L);
        fw.sendGuarded(SIGNUPS, "alice", signup("+1 415 555 0102", "hi"), T + 10);

        // Then both are dead-lettered, written with a timestamp the brokers accept, and the good one is forwarded
        List<TestRecord<String, DeadLetterRecord>> dead = fw.deadLetter.readRecordsToList();
        assertThat(dead).hasSize(2).allSatisfy(d -> {
            assertThat(d.value().getReason()).isEqualTo("INVALID_EVENT_TIME");
            assertThat(d.value().getDetail()).startsWith("Kafka timestamp");
            assertThat(d.timestamp()).isBetween(EventTimeBounds.DEFAULT_FLOOR_MS,
                    FirewallDriver.WALL_CLOCK.toEpochMilli() + EventTimeBounds.DEFAULT_MAX_FUTURE_SKEW_MS);
        });
        assertThat(dead.get(0).value().getSource().getTimestamp()).isEqualTo(Instant.ofEpochMilli(y2100));
        assertThat(fw.audience.readValuesToList()).hasSize(1);
    }

    @Test
    void shouldDeadLetterAContactPointTooLargeToSetAsideWithoutCopyingIt() {
        start();
        fw.send(consent("alice", T, grant("marketing.advertising")));
        ContactPoint huge = contact("alice", IdentifierType.EMAIL, "alice@example.com", T + 10);
        huge.setAttributes(Map.of("note", "a".repeat(Limits.MAX_COPIED_BYTES)));

        fw.send(huge);
        fw.send(contact("alice", IdentifierType.EMAIL, "alice@example.com", T + 11));

        DeadLetterRecord dead = fw.deadLetter.readValue();
        assertThat(dead.getReason()).isEqualTo("RECORD_TOO_LARGE");
        assertThat(dead.getDetail()).contains("read it at the source coordinates");
        assertThat(dead.getOriginalKey()).isNull();
        assertThat(dead.getOriginalValue()).isNull();
        assertThat(dead.getSource().getOffset()).isZero();
        assertThat(fw.audience.readValuesToList()).hasSize(1);
        assertThat(fw.deadLetter.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterAConsentRecordTooLargeToCarryHomeAndCountItAsARevocation() {
        // Given alice consented, then a consent record of hers too large to carry (it may have been a revocation)
        start();
        fw.send(consent("alice", T, grant("marketing.advertising")));
        ConsentState huge = consent("alice", T + 10, grant("marketing.advertising"));
        huge.setSource("s".repeat(Limits.MAX_COPIED_BYTES));
        fw.send(huge);

        // When her contact points arrive from before and after it
        fw.send(contact("alice", IdentifierType.EMAIL, "alice@example.com", T + 5));
        fw.send(contact("alice", IdentifierType.EMAIL, "alice@example.com", T + 20));

        // Then it is dead-lettered with the consent topic's coordinates, and she has no consent from its time on
        DeadLetterRecord dead = fw.deadLetter.readValue();
        assertThat(dead.getReason()).isEqualTo("RECORD_TOO_LARGE");
        assertThat(dead.getSource().getTopic()).isEqualTo(fw.topics.consent());
        assertThat(dead.getOriginalValue()).isNull();
        assertThat(fw.audience.readValuesToList()).hasSize(1);
        assertThat(fw.suppressed.readValue().getReason()).isEqualTo("CONSENT_MISSING");
    }

    @Test
    void shouldDeadLetterARegistrationTooLargeToCarryHome() {
        start();
        PurposeRegistration huge = registration("alice", IdentifierType.PHONE, "+1 415 555 0100", TWO_FACTOR,
                RegistrationAction.REGISTERED, T);
        huge.setSourceSystem("s".repeat(Limits.MAX_COPIED_BYTES));

        fw.send(huge);
        fw.send(registration("bob", IdentifierType.PHONE, "+1 415 555 0199", TWO_FACTOR,
                RegistrationAction.REGISTERED, T));
        fw.send(contact("bob", IdentifierType.PHONE, "+1 415 555 0199", T + 10));

        assertThat(fw.deadLetter.readValue().getReason()).isEqualTo("RECORD_TOO_LARGE");
        assertThat(fw.quarantine.readValue().getReason()).isEqualTo("REGISTERED_FOR_RESTRICTED_PURPOSE");
    }

    @Test
    void shouldDeadLetterAConsentRecordWhoseKeyNoUserIdCanBeAndKeepTheKeyOutOfEveryStore() {
        start();
        String tooLong = "k".repeat(Limits.MAX_USER_ID_CHARS + 1);

        // A tombstone (once a silent revocation, keyed by it in two stores and their changelogs) and garbage
        fw.rawConsent.pipeInput(tooLong, null, T);
        fw.rawConsent.pipeInput(tooLong, new byte[] {1, 2, 3}, T);

        List<TestRecord<String, DeadLetterRecord>> dead = fw.deadLetter.readRecordsToList();
        assertThat(dead).hasSize(2).allSatisfy(d -> {
            assertThat(d.value().getReason()).isEqualTo("USER_ID_TOO_LONG");
            assertThat(d.key()).isNull();
        });
        assertThat(fw.driver.<String, long[]>getKeyValueStore(Names.REVOCATION_STORE).get(tooLong)).isNull();
    }

    @Test
    void shouldDeadLetterAConsentStateListingMorePurposesThanAStoreRecordMayHold() {
        start();
        List<PurposeConsent> purposes = new ArrayList<>();
        for (int i = 0; i <= ConsentAdapter.MAX_PURPOSES; i++) {
            purposes.add(new PurposeConsent("marketing.p" + i, ConsentStatus.GRANTED));
        }
        fw.send(consent("alice", T, purposes.toArray(PurposeConsent[]::new)));
        fw.send(contact("alice", IdentifierType.EMAIL, "alice@example.com", T + 10));

        DeadLetterRecord dead = fw.deadLetter.readValue();
        assertThat(dead.getReason()).isEqualTo("INVALID_PURPOSE");
        assertThat(dead.getDetail()).contains(String.valueOf(ConsentAdapter.MAX_PURPOSES));
        SuppressedRecord suppressed = fw.suppressed.readValue();
        assertThat(suppressed.getReason()).isEqualTo("CONSENT_MISSING");
    }

    @Test
    void shouldBoundADetailThatNamesWhatAProducerControls() {
        // Given a guarded schema whose field name (any length a producer registers) is in the detail
        start();
        String longName = "f".repeat(5_000);
        Schema wide = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Wide\", \"fields\": ["
                + "{\"name\": \"" + longName + "\", \"type\": {\"type\": \"array\", \"items\": \"string\"},"
                + " \"pii\": \"PHONE\"}]}");
        GenericRecord record = new GenericData.Record(wide);
        record.put(longName, List.of("not a phone"));

        fw.sendGuarded(SIGNUPS, "alice", record, T);

        DeadLetterRecord dead = fw.deadLetter.readValue();
        assertThat(dead.getReason()).isEqualTo("INVALID_PHONE");
        assertThat(dead.getDetail()).hasSizeLessThan(Limits.MAX_DETAIL_CHARS + 100)
                .startsWith("field fff");
    }

    private static GenericRecord signup(String phone, String notes) {
        GenericRecord record = new GenericData.Record(SIGNUP);
        record.put("phone", phone);
        record.put("notes", notes);
        return record;
    }
}
