/**
 * The one-command demo ({@code ./scripts/demo.sh}): the firewall on an in-process KRaft broker and the in-memory
 * schema registry, fed the scenario traffic of {@link org.purposefirewall.fixtures.ScenarioTraffic}, with a live count
 * of every output and a closing report. For trying the firewall out; never for production.
 *
 * <p>The demo prints counts only: no identifier, match key or record content reaches its output.
 */
package org.purposefirewall.demo;
