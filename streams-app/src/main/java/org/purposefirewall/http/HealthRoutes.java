package org.purposefirewall.http;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code GET /health/live} and {@code GET /health/ready}, for Kubernetes' liveness and readiness probes: 200 or 503
 * with a small JSON body, {@code {"status":"UP","state":"RUNNING"}}, that names the Kafka Streams state and nothing
 * else (no personal data, no configuration).
 */
public final class HealthRoutes {

    public static final String LIVE = "/health/live";
    public static final String READY = "/health/ready";

    /**
     * The service's health now.
     *
     * @param state the Kafka Streams state's name, or {@code STARTING} before Kafka Streams exists
     * @param live false once the service cannot recover by itself (a restart is the remedy)
     * @param ready true while it processes: stores restored, tasks assigned
     * @param inMemoryRegistry the schema registry is the in-memory one ({@code run --allow-in-memory-registry}): no
     *     producer outside the process can write records the firewall reads, so the body says so
     */
    public record Health(String state, boolean live, boolean ready, boolean inMemoryRegistry) {

        /** A service with a real schema registry. */
        public Health(String state, boolean live, boolean ready) {
            this(state, live, ready, false);
        }

        public Health {
            Objects.requireNonNull(state, "state");
            if (!state.matches("[A-Z_]{1,32}")) {
                throw new IllegalArgumentException("state: not a state name");
            }
        }
    }

    private HealthRoutes() {
    }

    /** Both routes, each asking {@code health} afresh at every request (from an HTTP worker thread). */
    public static List<HttpEndpoint.Route> of(Supplier<Health> health) {
        return List.of(
                new HttpEndpoint.Route(LIVE, exchange -> {
                    if (!Responses.rejected(exchange, LIVE)) {
                        Health now = health.get();
                        Responses.send(exchange, now.live() ? 200 : 503, "application/json", body(now.live(), now));
                    }
                }),
                new HttpEndpoint.Route(READY, exchange -> {
                    if (!Responses.rejected(exchange, READY)) {
                        Health now = health.get();
                        Responses.send(exchange, now.ready() ? 200 : 503, "application/json", body(now.ready(), now));
                    }
                }));
    }

    /** The state is an enum name (or STARTING): nothing to escape. */
    static String body(boolean up, Health health) {
        return "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"state\":\"" + health.state() + "\""
                + (health.inMemoryRegistry() ? ",\"warning\":\"in-memory schema registry: no outside producer can "
                + "use its schemas\"" : "") + "}\n";
    }
}
