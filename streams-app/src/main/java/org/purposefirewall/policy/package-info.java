/**
 * The firewall's decision: pure, deterministic code over domain values.
 *
 * <p>Nothing here imports Kafka, Avro or any I/O library (enforced by {@code ArchitectureTest}); the
 * topology adapts records to {@link org.purposefirewall.policy.RecordFacts} and stores to
 * {@link org.purposefirewall.policy.ConsentSnapshot} and {@link org.purposefirewall.policy.ActiveRegistration},
 * then calls {@link org.purposefirewall.policy.PurposePolicy#decide}; an assessor's
 * {@link org.purposefirewall.policy.PurposePolicy#explain} runs the same rules and shows each one's result. The rule
 * order is the product's contract:
 * a restricted (security) purpose wins over any consent; consent that is missing, denied, not granted or
 * opted out never forwards; a purpose outside the policy's {@link org.purposefirewall.policy.Taxonomy} is never a
 * reason to forward.
 */
package org.purposefirewall.policy;
