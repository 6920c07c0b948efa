package org.purposefirewall.policy;

/**
 * Which records wait instead of being decided now, and what happens to one that cannot wait. One buffer serves every
 * wait (the topology's {@code SetAside}); these rules say who enters it and who leaves it.
 *
 * <p>Rules:
 * <ul>
 *   <li>{@code wait.schema}: a record whose writer schema could not be fetched because the registry did not answer
 *       waits for the registry. Not the record's fault: it is never dead-lettered for it.</li>
 *   <li>{@code wait.side-records}: a data record waits until every side record (consent, registration) committed
 *       before it was read, or within the settle window after, is applied, and none of its task's side records is
 *       itself waiting; and behind every data record already waiting, so decisions keep their read order.</li>
 *   <li>{@code wait.consent}: a record suppressed only because its user has no consent state yet
 *       ({@link Reason#CONSENT_MISSING}) waits for late consent, if holding is configured, once: it is decided again
 *       when consent for its event time arrives or its hold expires, and that decision stands.</li>
 *   <li>{@code wait.full}: with the buffer full, a data record that must wait for side records is suppressed as
 *       {@link Reason#SIDE_RECORDS_PENDING} (never forwarded on a guess, never lost); one that would wait for consent
 *       keeps its suppression; one that needs the registry goes to Kafka Streams as an outage (its task restarts
 *       from its last commit).</li>
 * </ul>
 */
public final class SetAsideRules {

    /** What a record waits for. */
    public enum Wait {
        /** The schema registry (rule {@code wait.schema}). */
        SCHEMA,
        /** Side records committed before, or within the settle window after, the record was read. */
        SIDE_RECORDS,
        /** Late consent (rule {@code wait.consent}). */
        CONSENT
    }

    private SetAsideRules() {
    }

    /**
     * What a record waits for before it is decided, or null to decide it now.
     *
     * @param dataRecord a contact point or guarded record (side records never wait for side records)
     * @param decodable its schema could be fetched (a tombstone always can)
     * @param settled every side record committed before it was read, plus the settle window, is applied
     * @param sideRecordWaiting a side record of the same task is itself waiting (for the registry): read but not applied
     * @param waitingAhead data records read before it still wait
     */
    public static Wait beforeDeciding(boolean dataRecord, boolean decodable, boolean settled,
                                      boolean sideRecordWaiting, boolean waitingAhead) {
        if (!decodable) {
            return Wait.SCHEMA;
        }
        if (dataRecord && (waitingAhead || sideRecordWaiting || !settled)) {
            return Wait.SIDE_RECORDS;
        }
        return null;
    }

    /** Whether a record waiting for side records may now be decided (rule {@code wait.side-records}). */
    public static boolean sideRecordsApplied(boolean settled, boolean sideRecordWaiting) {
        return settled && !sideRecordWaiting;
    }

    /**
     * Whether a record decided as {@code decision} waits for late consent instead (rule {@code wait.consent}).
     *
     * @param holding consent holding is configured ({@code processing.consent-hold-ms} above 0)
     * @param heldBefore the record already waited for consent once: this decision stands
     */
    public static boolean waitsForConsent(Decision decision, boolean holding, boolean heldBefore) {
        return holding && !heldBefore && decision.reason() == Reason.CONSENT_MISSING;
    }

    /** Whether a record waiting for consent is decided again now: its consent arrived, or its hold expired. */
    public static boolean consentWaitOver(boolean consentArrived, boolean expired) {
        return consentArrived || expired;
    }

    /**
     * The decision for a data record that must wait for side records while the buffer is full (rule
     * {@code wait.full}): SUPPRESS as {@link Reason#SIDE_RECORDS_PENDING}.
     */
    public static Decision full(Policy policy) {
        return PurposePolicy.sideRecordsPending(policy);
    }
}
