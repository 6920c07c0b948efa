/**
 * Consent as users' systems send it, decoded into the one per-purpose consent state the decision reads: native
 * per-purpose grants, IAB TCF v2.2/2.3 TC strings, IAB GPP strings (the EU TCF section, the US national and state
 * sections, the US Privacy section) and Global Privacy Control.
 *
 * <p>Pure code with no Kafka imports: the JDK, the policy types, and the IAB's own decoder
 * ({@code com.iabgpp:iabgpp-encoder}). Nothing here throws for a bad string: a consent signal that is missing,
 * malformed, expired or unsupported becomes a {@link org.purposefirewall.policy.ConsentSnapshot#problem() problem}
 * that names what was wrong, and the decision treats it as no consent. Never guessed.
 */
package org.purposefirewall.consent;
