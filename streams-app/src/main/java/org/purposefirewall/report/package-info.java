/**
 * Investigation: the exposure report, built from what the firewall wrote (the ad topic and the recalls topic), so it
 * can be run beside a live instance, after an incident, or over a replay's topics.
 */
package org.purposefirewall.report;
