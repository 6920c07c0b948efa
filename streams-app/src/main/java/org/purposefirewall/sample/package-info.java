/**
 * Sample traffic that plays the Twitter scenario, for the demo, the integration tests and the benchmarks, and for
 * users who want to try a deployed firewall: security phones and emails that also flow toward ads, users with and
 * without ad consent, opt-outs, and malformed records. Every generated contact point carries the outcome the
 * policy in {@code config/policy.yaml} must give it.
 */
package org.purposefirewall.sample;
