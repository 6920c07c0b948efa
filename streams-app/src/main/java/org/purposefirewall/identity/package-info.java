/**
 * Identifiers: normalization to one canonical form per kind, and the SHA-256 match key ad platforms use.
 *
 * <p>Pure code with no Kafka imports: the JDK, and Google's libphonenumber for phone numbers (this package is its
 * only user). Every entry point returns a value or a typed
 * {@link org.purposefirewall.identity.Normalization.Invalid}; none throws for bad input, and no error message
 * repeats the input, so errors can be logged and dead-lettered without leaking personal data.
 */
package org.purposefirewall.identity;
