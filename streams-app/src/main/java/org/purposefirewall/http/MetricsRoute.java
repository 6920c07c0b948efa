package org.purposefirewall.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * {@code GET /metrics}: every meter of the registry in Prometheus' text format (version 0.0.4), for a scrape. The
 * firewall's meters carry topics, reasons, rules and bounded source-system names as tags, never identifiers.
 */
public final class MetricsRoute {

    public static final String PATH = "/metrics";
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private MetricsRoute() {
    }

    public static HttpEndpoint.Route of(PrometheusMeterRegistry registry) {
        return new HttpEndpoint.Route(PATH, exchange -> {
            if (!Responses.rejected(exchange, PATH)) {
                Responses.send(exchange, 200, CONTENT_TYPE, registry.scrape());
            }
        });
    }
}
