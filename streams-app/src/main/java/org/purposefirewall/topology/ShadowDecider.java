package org.purposefirewall.topology;

import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.purposefirewall.config.ShadowPolicy;
import org.purposefirewall.identity.HashForm;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.monitoring.FirewallMetrics;
import org.purposefirewall.policy.Decision;
import org.purposefirewall.policy.Policy;
import org.purposefirewall.policy.Verdict;
import org.purposefirewall.schema.IdentifierType;
import org.purposefirewall.schema.ShadowDecision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shadow mode: decides each data record a second time, with a candidate policy, over the same task stores, and
 * writes where it disagrees with the enforcing verdict (another outcome, or the same outcome by another rule) to the
 * shadow topic, counted. It only reads; it never changes, delays or blocks the enforcing output, which is written
 * before it is asked: every exception of its path (deciding or writing) is caught here, counted as a shadow failure
 * and, if it can be, written as a shadow record with the exception's class name.
 *
 * <p>A {@code DataRecordProcessor} is handed one (or none, without a shadow policy) through its
 * {@code Shared} parts, and opens it per processor instance in {@code init}. Only final verdicts are shadowed: a
 * record set aside to wait for late consent is shadowed when it is decided at last, once; records dead-lettered before
 * they are decided, and recalls, are not. The candidate never waits for anything.
 *
 * <p>Shadow records hold no identifier, no full digest, no user id and no payload: the user as the first 12 hex
 * digits of the SHA-256 of the id, the deciding identifier as the first 8 of its forwarded digest.
 */
final class ShadowDecider {

    private static final Logger LOG = LoggerFactory.getLogger(ShadowDecider.class);

    /** Hex digits of the user id's SHA-256 that name the user (as the audit command redacts it). */
    static final int USER_DIGEST_CHARS = 12;
    /** Hex digits of the deciding identifier's digest that name it. */
    static final int IDENTIFIER_DIGEST_CHARS = 8;

    /** The candidate's decision of one record, over one task's stores. */
    @FunctionalInterface
    interface Candidate {
        /** @return the candidate's verdict; never null */
        Verdict decide(DataFacts facts);
    }

    /** Opens the candidate over one task's stores, once per processor instance, on its stream thread. */
    @FunctionalInterface
    interface Opener {
        Candidate open(TaskStores stores);
    }

    private final Policy policy;
    private final Opener opener;

    /**
     * @param policy the candidate policy: its version and hash are stamped on each shadow record
     * @param opener how it decides over a task's stores (tests hand in one that fails)
     */
    ShadowDecider(Policy policy, Opener opener) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.opener = Objects.requireNonNull(opener, "opener");
    }

    /**
     * The candidate of {@code shadow}, decided as the enforcing policy is ({@link DataDecider}: tripwire, the
     * candidate's honeytokens, consent and registrations as of the event time), or null without a shadow policy.
     */
    static ShadowDecider of(ShadowPolicy shadow, IdentifierNormalizer.Configured normalizer) {
        if (shadow == null) {
            return null;
        }
        Policy candidate = shadow.policy();
        return new ShadowDecider(candidate, stores -> {
            DataDecider decider = new DataDecider(candidate, shadow.honeytokens(),
                    new Tripwire(normalizer, shadow.honeytokens()), stores.consent(), stores.registrations());
            return facts -> {
                DataDecider.Decided decided = decider.decide(facts);
                if (decided.verdict() == null) {
                    // The enforcing scan read the same fields whole; a shadow that cannot is a failure, not a verdict.
                    throw new IllegalStateException("the shadow policy's tripwire could not read a field");
                }
                return decided.verdict();
            };
        });
    }

    /** The candidate policy. */
    Policy policy() {
        return policy;
    }

    /** Opens the shadow of one processor instance: it writes through {@code outputs} and counts in {@code metrics}. */
    Open open(TaskStores stores, Outputs outputs, FirewallMetrics metrics, Policy enforcing) {
        return new Open(opener.open(stores), outputs, metrics, enforcing);
    }

    /** True if two verdicts disagree: another outcome, or another deciding rule. */
    static boolean disagree(Verdict enforcing, Verdict shadow) {
        return enforcing.outcome() != shadow.outcome() || !enforcing.deciding().rule().equals(shadow.deciding().rule());
    }

    /** One processor instance's shadow; confined to its stream thread. */
    final class Open {

        private final Candidate candidate;
        private final Outputs outputs;
        private final FirewallMetrics metrics;
        private final Policy enforcingPolicy;

        private Open(Candidate candidate, Outputs outputs, FirewallMetrics metrics, Policy enforcingPolicy) {
            this.candidate = candidate;
            this.outputs = outputs;
            this.metrics = metrics;
            this.enforcingPolicy = enforcingPolicy;
        }

        /**
         * Decides {@code facts} with the candidate policy after the enforcing {@code verdict} was written, and
         * writes a disagreement. Never throws (but for a task that lost its partitions, which must stop anyway): a
         * failure is counted, logged with the record's coordinates and written as a shadow record if it can be.
         */
        void after(InputRecord<?> in, DataFacts facts, Verdict verdict) {
            try {
                Verdict shadow = Objects.requireNonNull(candidate.decide(facts), "shadow verdict");
                if (!disagree(verdict, shadow)) {
                    return;
                }
                // Counted as a disagreement even if its write fails below: it happened (the failure counts too).
                metrics.shadowDisagreement(verdict.outcome(), shadow.outcome(), shadow.deciding().rule());
                outputs.shadow(in, record(in, facts, verdict, shadow, null));
            } catch (TaskMigratedException e) {
                throw e;
            } catch (RuntimeException e) {
                failed(in, facts, verdict, e);
            }
        }

        private void failed(InputRecord<?> in, DataFacts facts, Verdict verdict, RuntimeException e) {
            metrics.shadowFailure();
            LOG.atWarn()
                    .addKeyValue("topic", in.at().topic())
                    .addKeyValue("partition", in.at().partition())
                    .addKeyValue("offset", in.at().offset())
                    .addKeyValue("errorClass", e.getClass().getName())
                    .addKeyValue("shadowPolicyVersion", policy.version())
                    .log("shadow decision failed; the enforcing decision stands");
            try {
                outputs.shadow(in, record(in, facts, verdict, null, e.getClass().getName()));
            } catch (TaskMigratedException again) {
                throw again;
            } catch (RuntimeException again) {
                LOG.atWarn()
                        .addKeyValue("topic", in.at().topic())
                        .addKeyValue("partition", in.at().partition())
                        .addKeyValue("offset", in.at().offset())
                        .addKeyValue("errorClass", again.getClass().getName())
                        .log("shadow failure could not be written to the shadow topic");
            }
        }

        /** The shadow record: both decisions, redacted coordinates of the user and identifier. */
        private ShadowDecision record(InputRecord<?> in, DataFacts facts, Verdict enforcing, Verdict shadow,
                                      String error) {
            Decision decision = enforcing.deciding();
            int index = enforcing.index() >= 0 ? enforcing.index() : shadow == null ? -1 : shadow.index();
            DataFacts.Identifier deciding = index < 0 || index >= facts.identifiers().size() ? null
                    : facts.identifiers().get(index);
            String path = shadow != null && shadow.deciding().fieldPath() != null ? shadow.deciding().fieldPath()
                    : decision.fieldPath() != null ? decision.fieldPath()
                    : facts.guarded() && deciding != null ? deciding.path() : null;
            ShadowDecision.Builder out = ShadowDecision.newBuilder()
                    .setSource(in.at().at(facts.eventTime()))
                    .setEventTime(Instant.ofEpochMilli(facts.eventTime()))
                    .setUserDigest(redactUser(facts.userId()))
                    .setIdentifierType(deciding == null ? IdentifierType.UNKNOWN : deciding.type())
                    .setIdentifierDigestPrefix(deciding == null ? null
                            : deciding.normalized().keys().forwardKey().substring(0, IDENTIFIER_DIGEST_CHARS))
                    .setFieldPath(Limits.bounded(path))
                    .setEnforcingOutcome(enforcing.outcome().name())
                    .setEnforcingReason(decision.reason().name())
                    .setEnforcingRule(decision.rule())
                    .setEnforcingPolicyVersion(decision.policyVersion())
                    .setEnforcingPolicyHash(enforcingPolicy.contentHash())
                    .setShadowPolicyVersion(policy.version())
                    .setShadowPolicyHash(policy.contentHash())
                    .setShadowError(error)
                    .setDecisionTime(Instant.ofEpochMilli(outputs.now()));
            if (shadow != null) {
                out.setShadowOutcome(shadow.outcome().name())
                        .setShadowReason(shadow.deciding().reason().name())
                        .setShadowRule(shadow.deciding().rule());
            }
            return out.build();
        }
    }

    /** A user id as the first 12 hex digits of its SHA-256: stable across runs, not the id. */
    static String redactUser(String userId) {
        return HashForm.SHA256.hex(userId == null ? "" : userId).substring(0, USER_DIGEST_CHARS);
    }
}
