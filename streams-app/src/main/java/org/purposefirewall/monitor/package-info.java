/**
 * The quarantine monitor: a page a privacy engineer keeps open ({@code /monitor}) and its JSON API, fed by its own
 * read_committed consumer on the quarantine and dead-letter topics. Owned by the application side: nothing in the
 * decision path ({@code policy}, {@code topology}) depends on it. Everything it shows is redacted
 * ({@link org.purposefirewall.monitor.Redaction}): identifier type and an 8-hex-digit digest prefix, never a raw
 * value, a full digest or a user id.
 */
package org.purposefirewall.monitor;
