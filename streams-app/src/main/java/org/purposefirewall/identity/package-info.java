/**
 * Identifiers: normalization to one canonical form per kind; the unsalted digests ad platforms match on (SHA-256,
 * SHA-1, MD5), each of which is the identifier; the free-text scan the tripwire uses; and honeytokens.
 *
 * <p>Pure code with no Kafka imports: the JDK, and Google's libphonenumber for phone numbers (this package is its
 * only user). Every entry point returns a value or a typed
 * {@link org.purposefirewall.identity.Normalization.Invalid}; none throws for bad input, and no error message
 * repeats the input, so errors can be logged and dead-lettered without leaking personal data.
 */
package org.purposefirewall.identity;
