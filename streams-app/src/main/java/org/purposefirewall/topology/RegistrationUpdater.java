package org.purposefirewall.topology;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.MatchKeys;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Purpose;
import org.purposefirewall.schema.PurposeRegistration;
import org.purposefirewall.schema.RegistrationAction;
import org.purposefirewall.serde.AvroSerde;
import org.purposefirewall.serde.Decoded;

/**
 * Records each collection event under every key the identifier has: for a raw identifier, the digest of each
 * spelling ad platforms hash it in, in each hash form the policy matches in (SHA-256, SHA-1, MD5); for one registered
 * as a digest, that digest. So a phone registered as "+1 (415) 555-0100" is found again when it arrives as
 * "14155550100", or as the SHA-256, SHA-1 or MD5 of "+14155550100" or of "14155550100".
 *
 * <p>Registrations that cannot be read are dead-lettered with the reason; operators must repair and replay them,
 * since until then the identifier they name is not known to be restricted (see the README, "Operations").
 */
final class RegistrationUpdater extends InputProcessor<PurposeRegistration> {

    private static final int MAX_SOURCE_LENGTH = 256;

    private final IdentifierNormalizer.Configured normalizer;
    private final Policy policy;
    private final String audienceTopic;
    private KeyValueStore<Bytes, RegistrationHistory> store;
    private Recalls recalls;

    RegistrationUpdater(String topic, AvroSerde<PurposeRegistration> serde, long maxParked,
                        RegistryHealth health, IdentifierNormalizer.Configured normalizer, Policy policy,
                        String audienceTopic, Routing routing) {
        super(topic, serde, maxParked, health, routing);
        this.normalizer = normalizer;
        this.policy = policy;
        this.audienceTopic = audienceTopic;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        super.init(context);
        store = context.getStateStore(Names.REGISTRATION_STORE);
        recalls = new Recalls(context, audienceTopic, policy.version(), metrics);
    }

    @Override
    protected void handle(Record<String, Decoded<PurposeRegistration>> record) {
        Decoded<PurposeRegistration> value = record.value();
        if (value == null) {
            deadLetter(record, "EMPTY_VALUE", "a registration record has no value; registrations are events, "
                    + "withdraw with action WITHDRAWN", null);
            return;
        }
        if (value instanceof Decoded.Failed<PurposeRegistration> failed) {
            deadLetter(record, failed);
            return;
        }
        PurposeRegistration registration = ((Decoded.Ok<PurposeRegistration>) value).value();
        String problem = userIdProblem(record.key(), registration.getUserId());
        if (problem != null) {
            deadLetter(record, problem, userIdDetail(problem), null);
            return;
        }
        IdentifierInput identifier = IdentifierInput.of(normalizer, registration.getIdentifierType(), registration.getValue());
        if (identifier.error() != null) {
            deadLetter(record, identifier.error(), identifier.detail(), null);
            return;
        }
        Normalization.Ok normalized = identifier.normalized();
        Purpose purpose;
        try {
            purpose = Purpose.parse(registration.getPurpose());
        } catch (IllegalArgumentException e) {
            deadLetter(record, "INVALID_PURPOSE", "the registration's purpose is invalid: " + e.getMessage(),
                    e.getClass().getName());
            return;
        }
        String timeProblem = eventTimeProblem(registration.getEventTime().toEpochMilli());
        if (timeProblem != null) {
            deadLetter(record, "INVALID_EVENT_TIME", "eventTime: " + timeProblem, null);
            return;
        }
        String source = registration.getSourceSystem();
        if (source.length() > MAX_SOURCE_LENGTH) {
            source = source.substring(0, MAX_SOURCE_LENGTH);
        }
        RegistrationHistory.Event event = new RegistrationHistory.Event(purpose.value(),
                registration.getAction() == RegistrationAction.REGISTERED,
                registration.getEventTime().toEpochMilli(), source);
        for (MatchKeys.Key key : normalized.keys().all()) {
            Bytes storeKey = IdentifierKeys.key(record.key(), key.form(), key.hex());
            RegistrationHistory history = store.get(storeKey);
            RegistrationHistory next = (history == null ? RegistrationHistory.empty() : history).with(event);
            if (next != history) {
                store.put(storeKey, next);
            }
        }
        Purpose restricted = policy.restrictedPurposeCovering(purpose);
        if (event.registered() && restricted != null) {
            // Already forwarded? The ad side must delete it, whenever it was forwarded.
            recalls.registeredForRestrictedPurpose(record.key(), normalized.keys(), event.eventTime(),
                    coordinates(event.eventTime()), "the identifier was collected for " + purpose + " by "
                            + source + ", which is restricted under " + restricted);
        }
    }
}
