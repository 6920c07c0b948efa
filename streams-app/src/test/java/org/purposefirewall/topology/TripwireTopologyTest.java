package org.purposefirewall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.purposefirewall.topology.FirewallDriver.consent;
import static org.purposefirewall.topology.FirewallDriver.contact;
import static org.purposefirewall.topology.FirewallDriver.grant;
import static org.purposefirewall.topology.FirewallDriver.registration;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.Honeytokens;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.IdentityOptions;
import org.purposefirewall.monitoring.MetricNames;
import org.purposefirewall.schema.AudienceIdentifier;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.schema.DeadLetterRecord;
import org.purposefirewall.schema.HashAlgorithm;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.QuarantineRecord;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.schema.SuppressedRecord;
import org.slf4j.LoggerFactory;

/**
 * The tripwire, hash forms, guarded topics and honeytokens, through the whole topology: identifiers are caught in
 * whatever form they arrive and wherever they sit in a record, in schemas the firewall has never seen.
 */
class TripwireTopologyTest {

    private static final long T = 1_700_000_000_000L;
    private static final String PAGE_VIEWS = "analytics.page-views";
    private static final String PROFILES = "crm.profile-updates";
    private static final String RECOVERY = "essential.service.security.recovery";
    private static final String TWO_FACTOR = "essential.service.security.authentication";

    /** An analytics schema nobody marked: a map nested in a record nested in the value. */
    private static final Schema PAGE_VIEW = new Schema.Parser().parse("""
            {"type": "record", "name": "PageView", "namespace": "com.example.analytics", "fields": [
              {"name": "url", "type": "string"},
              {"name": "context", "type": {"type": "record", "name": "Context", "fields": [
                {"name": "locale", "type": "string"},
                {"name": "traits", "type": {"type": "map", "values": ["null", "string"]}},
                {"name": "events", "type": {"type": "array", "items": "string"}}
              ]}},
              {"name": "viewedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}}
            ]}""");

    /** A CRM schema whose identifier fields are marked with "pii". */
    private static final Schema PROFILE_UPDATE = new Schema.Parser().parse("""
            {"type": "record", "name": "ProfileUpdate", "namespace": "com.example.crm", "fields": [
              {"name": "accountRef", "type": "string"},
              {"name": "email", "type": ["null", "string"], "default": null, "pii": "EMAIL"},
              {"name": "phones", "type": {"type": "array", "items": "string"}, "pii": "PHONE"},
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

    private FirewallDriver start(Honeytokens honeytokens, IdentityOptions identity) {
        fw = new FirewallDriver(stateDir, List.of(PAGE_VIEWS, PROFILES), honeytokens, identity);
        return fw;
    }

    private FirewallDriver start() {
        return start(Honeytokens.none(), IdentityOptions.defaults());
    }

    // ---- hash forms ------------------------------------------------------------------------------------------

    @Test
    void aRegisteredPhoneIsQuarantinedAsItsSha256Sha1AndMd5InEitherCase() {
        start();
        fw.send(consent("alice", T, grant("marketing.advertising")));
        fw.send(registration("alice", IdentifierType.PHONE, "+1 (415) 555-0100", TWO_FACTOR,
                RegistrationAction.REGISTERED, T + 1));

        String e164 = "+14155550100";
        List<String> forms = List.of(HashForm.SHA256.hex(e164), HashForm.SHA1.hex(e164).toUpperCase(),
                HashForm.MD5.hex(e164), HashForm.MD5.hex(e164).toUpperCase(), "1-415-555-0100");
        long offset = 10;
        for (String form : forms) {
            fw.send(contact("alice", IdentifierType.PHONE, form, T + offset++));
        }

        assertThat(fw.quarantine.readValuesToList()).hasSize(forms.size())
                .allSatisfy(q -> assertThat(q.getReason()).isEqualTo("REGISTERED_FOR_RESTRICTED_PURPOSE"));
        assertThat(fw.audience.readValuesToList()).isEmpty();
    }

    @Test
    void aRegistrationThatArrivedAsAnMd5StopsTheRawIdentifier() {
        start();
        fw.send(consent("alice", T, grant("marketing.advertising")));
        fw.send(registration("alice", IdentifierType.EMAIL, HashForm.MD5.hex("alice@example.com"), RECOVERY,
                RegistrationAction.REGISTERED, T + 1));

        fw.send(contact("alice", IdentifierType.EMAIL, "  Alice@Example.COM ", T + 10));

        assertThat(fw.quarantine.readValuesToList()).singleElement()
                .satisfies(q -> assertThat(q.getReason()).isEqualTo("REGISTERED_FOR_RESTRICTED_PURPOSE"));
        assertThat(fw.audience.readValuesToList()).isEmpty();
    }

    @Test
    void aHashedIdentifierThatPassesIsForwardedInTheFormItArrivedIn() {
        start();
        fw.send(consent("bob", T, grant("marketing.advertising")));
        String sha1 = HashForm.SHA1.hex("bob@example.com");

        fw.send(contact("bob", IdentifierType.EMAIL, sha1.toUpperCase(), T + 10));

        AudienceIdentifier out = fw.audience.readValue();
        assertThat(out.getHashAlgorithm()).isEqualTo(HashAlgorithm.SHA1);
        assertThat(out.getIdentifierHash()).isEqualTo(sha1);
    }

    @Test
    void aDigestOfAFormThePolicyDoesNotMatchInIsDeadLetteredNeverForwarded() {
        start(Honeytokens.none(), new IdentityOptions(null, false, Set.of(HashForm.SHA256)));
        fw.send(consent("bob", T, grant("marketing.advertising")));

        fw.send(contact("bob", IdentifierType.EMAIL, HashForm.MD5.hex("bob@example.com"), T + 10));

        assertThat(fw.deadLetter.readValue().getReason()).isEqualTo("UNSUPPORTED_HASH_FORM");
        assertThat(fw.audience.isEmpty()).isTrue();
    }

    // ---- the tripwire on contact points ----------------------------------------------------------------------

    @Test
    void aSecurityEmailInAContactPointsAttributesQuarantinesItWithTheFieldPath() {
        start();
        fw.send(consent("alice", T, grant("marketing.advertising")));
        fw.send(registration("alice", IdentifierType.EMAIL, "alice.recovery@example.com", RECOVERY,
                RegistrationAction.REGISTERED, T + 1));
        ContactPoint contact = contact("alice", IdentifierType.PHONE, "+44 20 7946 0958", T + 10);
        contact.setAttributes(Map.of("note", "backup contact: <Alice.Recovery@Example.com>; ok"));

        fw.send(contact);

        QuarantineRecord q = fw.quarantine.readValue();
        assertThat(q.getReason()).isEqualTo("RESTRICTED_IDENTIFIER_IN_FIELD");
        assertThat(q.getRule()).isEqualTo("restricted.tripwire");
        assertThat(q.getFieldPath()).isEqualTo("attributes[\"note\"]");
        assertThat(q.getDetail()).contains("attributes[\"note\"]").doesNotContainIgnoringCase("alice.recovery");
        assertThat(q.getMatchedRegistration().getPurpose()).isEqualTo(RECOVERY);
        assertThat(fw.audience.isEmpty()).isTrue();
    }

    @Test
    void theTripwireAppliesARegistrationFromItsEventTimeOnly() {
        start();
        fw.send(consent("alice", T, grant("marketing.advertising")));
        fw.send(registration("alice", IdentifierType.EMAIL, "alice.recovery@example.com", RECOVERY,
                RegistrationAction.REGISTERED, T + 100));

        ContactPoint before = contact("alice", IdentifierType.PHONE, "+44 20 7946 0958", T + 50);
        before.setAttributes(Map.of("note", "alice.recovery@example.com"));
        ContactPoint after = contact("alice", IdentifierType.PHONE, "+44 20 7946 0958", T + 150);
        after.setAttributes(Map.of("note", "alice.recovery@example.com"));
        fw.send(after);
        fw.send(before);

        assertThat(fw.quarantine.readValuesToList()).singleElement()
                .satisfies(q -> assertThat(q.getRecord().getEventTime().toEpochMilli()).isEqualTo(T + 150));
        assertThat(fw.audience.readValuesToList()).singleElement()
                .satisfies(a -> assertThat(a.getEventTime().toEpochMilli()).isEqualTo(T + 50));
    }

    // ---- guarded topics --------------------------------------------------------------------------------------

    @Test
    void aSecurityEmailHiddenInANestedFieldOfAnUnmarkedSchemaIsQuarantinedForItsUserOnly() {
        start();
        fw.send(consent("alice", T, grant("marketing.advertising")));
        fw.send(consent("bob", T, grant("marketing.advertising")));
        fw.send(registration("alice", IdentifierType.EMAIL, "alice.recovery@example.com", RECOVERY,
                RegistrationAction.REGISTERED, T + 1));
        GenericRecord view = pageView("https://shop.example/cart", Map.of("plan", "pro",
                "backup", " ALICE.Recovery@example.com "), List.of("add-to-cart"));

        fw.sendGuarded(PAGE_VIEWS, "alice", view, T + 10);
        fw.sendGuarded(PAGE_VIEWS, "bob", view, T + 11);

        QuarantineRecord q = fw.quarantine.readValue();
        assertThat(q.getReason()).isEqualTo("RESTRICTED_IDENTIFIER_IN_FIELD");
        assertThat(q.getFieldPath()).isEqualTo("context.traits[\"backup\"]");
        assertThat(q.getUserId()).isEqualTo("alice");
        assertThat(q.getRecord()).isNull();
        assertThat(q.getOriginalValue()).isEqualTo(ByteBuffer.wrap(fw.encodeGeneric(PAGE_VIEWS, view)));
        assertThat(q.getSource().getTopic()).isEqualTo(PAGE_VIEWS);
        // Bob's record carries no identifier of his: nothing to forward, and nothing to quarantine.
        SuppressedRecord s = fw.suppressed.readValue();
        assertThat(s.getUserId()).isEqualTo("bob");
        assertThat(s.getReason()).isEqualTo("NO_IDENTIFIER");
        assertThat(fw.quarantine.isEmpty()).isTrue();
        assertThat(fw.audience.isEmpty()).isTrue();
    }

    @Test
    void aPhoneInFreeTextAndAnEmailAsAMapKeyAreFoundAndTheKeyIsNotPrinted() {
        start();
        fw.send(registration("alice", IdentifierType.PHONE, "+14155550100", TWO_FACTOR,
                RegistrationAction.REGISTERED, T + 1));
        fw.send(registration("alice", IdentifierType.EMAIL, "alice.recovery@example.com", RECOVERY,
                RegistrationAction.REGISTERED, T + 1));

        fw.sendGuarded(PAGE_VIEWS, "alice", pageView("https://x.example", Map.of(), List.of("viewed",
                "support chat: call me on +1 415 555 0100 after 5pm")), T + 10);
        fw.sendGuarded(PAGE_VIEWS, "alice", pageView("https://x.example",
                Map.of("alice.recovery@example.com", "verified"), List.of()), T + 11);

        List<QuarantineRecord> q = fw.quarantine.readValuesToList();
        assertThat(q).extracting(QuarantineRecord::getFieldPath)
                .containsExactly("context.events[1]", "context.traits[*].<key>");
    }

    @Test
    void markedIdentifiersAreForwardedOncePerDistinctIdentifierAndNothingElse() {
        start();
        fw.send(consent("carol", T, grant("marketing.advertising")));

        fw.sendGuarded(PROFILES, "carol", profile("acct-9", "Carol@Example.com",
                List.of("+44 20 7946 0958", "0044 (20) 7946-0958", "+1 212 555 0199"), "likes shoes"), T + 10);

        List<AudienceIdentifier> out = fw.audience.readValuesToList();
        assertThat(out).extracting(AudienceIdentifier::getIdentifierHash).containsExactly(
                HashForm.SHA256.hex("carol@example.com"), HashForm.SHA256.hex("+442079460958"),
                HashForm.SHA256.hex("+12125550199"));
        assertThat(out).extracting(AudienceIdentifier::getIdentifierType)
                .containsExactly(IdentifierType.EMAIL, IdentifierType.PHONE, IdentifierType.PHONE);
        assertThat(out).allSatisfy(a -> {
            assertThat(a.getUserId()).isEqualTo("carol");
            assertThat(a.getHashAlgorithm()).isEqualTo(HashAlgorithm.SHA256);
        });
        assertThat(out).extracting(AudienceIdentifier::getDecisionId).doesNotHaveDuplicates();
        assertThat(fw.quarantine.isEmpty()).isTrue();
        assertThat(fw.suppressed.isEmpty()).isTrue();
    }

    @Test
    void oneSecurityIdentifierAmongMarkedOnesQuarantinesTheWholeRecordWithItsPath() {
        start();
        fw.send(consent("carol", T, grant("marketing.advertising")));
        fw.send(registration("carol", IdentifierType.PHONE, "+1 212 555 0199", TWO_FACTOR,
                RegistrationAction.REGISTERED, T + 1));

        fw.sendGuarded(PROFILES, "carol", profile("acct-9", "carol@example.com",
                List.of("+44 20 7946 0958", HashForm.MD5.hex("+12125550199").toUpperCase()), ""), T + 10);

        QuarantineRecord q = fw.quarantine.readValue();
        assertThat(q.getReason()).isEqualTo("REGISTERED_FOR_RESTRICTED_PURPOSE");
        assertThat(q.getFieldPath()).isEqualTo("phones[1]");
        assertThat(fw.audience.isEmpty()).isTrue();
    }

    @Test
    void aGuardedRecordWithoutConsentIsSuppressedAndABadMarkedFieldIsDeadLetteredWithItsPath() {
        start();

        fw.sendGuarded(PROFILES, "dave", profile("acct-1", "dave@example.com", List.of(), ""), T + 10);
        fw.sendGuarded(PROFILES, "dave", profile("acct-1", "not an address", List.of(), ""), T + 11);
        fw.sendGuarded(PROFILES, "", profile("acct-1", "dave@example.com", List.of(), ""), T + 12);

        assertThat(fw.suppressed.readValue().getReason()).isEqualTo("CONSENT_MISSING");
        List<DeadLetterRecord> dead = fw.deadLetter.readValuesToList();
        assertThat(dead).extracting(DeadLetterRecord::getReason).containsExactly("INVALID_EMAIL", "MISSING_USER_ID");
        assertThat(dead.get(0).getDetail()).startsWith("field email:").doesNotContain("not an address");
        assertThat(fw.audience.isEmpty()).isTrue();
    }

    @Test
    void bytesThatAreNotAvroOnAGuardedTopicAreDeadLettered() {
        start();

        fw.driver.createInputTopic(PROFILES, new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer()).pipeInput("erin", new byte[] {1, 2, 3});

        assertThat(fw.deadLetter.readValue().getReason()).isEqualTo("NOT_WIRE_FORMAT");
    }

    // ---- honeytokens -----------------------------------------------------------------------------------------

    @Test
    void aHoneytokenOnAnyGuardedTopicIsQuarantinedAndRaisesItsHighSeverityEvent() {
        Honeytokens tokens = Honeytokens.of(List.of(
                        new Honeytokens.Token("canary-phone-1", IdentifierKind.PHONE, "+1 202 555 0147"),
                        new Honeytokens.Token("canary-email-1", IdentifierKind.EMAIL, "h0ney.pot@example.org")),
                IdentifierNormalizer.of(IdentityOptions.defaults()));
        start(tokens, IdentityOptions.defaults());
        Logger logger = (Logger) LoggerFactory.getLogger(Outputs.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            fw.send(consent("erin", T, grant("marketing.advertising")));

            // A contact point whose identifier is the canary's SHA-1, and a page view with the canary phone in text
            fw.send(contact("erin", IdentifierType.EMAIL, HashForm.SHA1.hex("h0ney.pot@example.org"), T + 10));
            fw.sendGuarded(PAGE_VIEWS, "erin", pageView("https://x.example", Map.of(),
                    List.of("dial +1-202-555-0147")), T + 11);

            List<QuarantineRecord> q = fw.quarantine.readValuesToList();
            assertThat(q).extracting(QuarantineRecord::getReason).containsOnly("HONEYTOKEN");
            assertThat(q).extracting(QuarantineRecord::getHoneytoken)
                    .containsExactly("canary-email-1", "canary-phone-1");
            assertThat(q).extracting(QuarantineRecord::getFieldPath).containsExactly("value", "context.events[0]");
            assertThat(fw.audience.isEmpty()).isTrue();
            assertThat(metric(MetricNames.HONEYTOKEN_HITS)).isEqualTo(2.0);

            List<ILoggingEvent> alerts = events.list.stream()
                    .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR).toList();
            assertThat(alerts).hasSize(2);
            Map<String, Object> fields = alerts.get(1).getKeyValuePairs().stream()
                    .collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
            assertThat(fields).containsEntry("event", "honeytoken").containsEntry("severity", "high")
                    .containsEntry("topic", PAGE_VIEWS).containsEntry("partition", 0).containsEntry("offset", 0L)
                    .containsEntry("honeytoken", "canary-phone-1");
            // Never the identifier itself, in any spelling
            for (ILoggingEvent e : events.list) {
                String text = e.getFormattedMessage() + e.getKeyValuePairs();
                assertThat(text).doesNotContain("555").doesNotContain("h0ney")
                        .doesNotContain(HashForm.SHA1.hex("h0ney.pot@example.org"));
            }
        } finally {
            logger.detachAppender(events);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private double metric(String operation) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : fw.driver.metrics().entrySet()) {
            if (e.getKey().group().equals(MetricNames.GROUP)
                    && e.getKey().name().equals(MetricNames.total(operation))) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }

    private static GenericRecord pageView(String url, Map<String, String> traits, List<String> events) {
        GenericRecord context = new GenericData.Record(PAGE_VIEW.getField("context").schema());
        context.put("locale", "en-GB");
        context.put("traits", traits);
        context.put("events", events);
        GenericRecord view = new GenericData.Record(PAGE_VIEW);
        view.put("url", url);
        view.put("context", context);
        view.put("viewedAt", T);
        return view;
    }

    private static GenericRecord profile(String account, String email, List<String> phones, String notes) {
        GenericRecord profile = new GenericData.Record(PROFILE_UPDATE);
        profile.put("accountRef", account);
        profile.put("email", email);
        profile.put("phones", phones);
        profile.put("notes", notes);
        return profile;
    }
}
