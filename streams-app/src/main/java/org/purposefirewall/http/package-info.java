/**
 * The service's HTTP endpoint: metrics, health and the quarantine monitor, each a route. Owned by the application
 * ({@code app} wires it); nothing in the decision path depends on it.
 */
package org.purposefirewall.http;
