package org.purposefirewall.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.purposefirewall.config.HttpSettings;
import org.purposefirewall.http.HealthRoutes.Health;

/** The probes' status codes and bodies, through the real endpoint on a free port. */
class HealthRoutesTest {

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void readinessIs503UntilRunningAndLivenessFailsOnlyOnError() throws Exception {
        // Given an endpoint serving the health routes of a service that is restoring
        AtomicReference<Health> health = new AtomicReference<>(new Health("REBALANCING", true, false));
        try (HttpEndpoint http = HttpEndpoint.start(new HttpSettings("127.0.0.1", 0), HealthRoutes.of(health::get))) {
            // When probed while restoring, running, then failed
            HttpResponse<String> readyWhileRestoring = get(http, "/health/ready");
            HttpResponse<String> liveWhileRestoring = get(http, "/health/live");
            health.set(new Health("RUNNING", true, true));
            HttpResponse<String> readyWhileRunning = get(http, "/health/ready");
            health.set(new Health("ERROR", false, false));
            HttpResponse<String> liveAfterError = get(http, "/health/live");

            // Then each answers with its code and a body naming the state only
            assertThat(readyWhileRestoring.statusCode()).isEqualTo(503);
            assertThat(readyWhileRestoring.body()).isEqualTo("{\"status\":\"DOWN\",\"state\":\"REBALANCING\"}\n");
            assertThat(liveWhileRestoring.statusCode()).isEqualTo(200);
            assertThat(readyWhileRunning.statusCode()).isEqualTo(200);
            assertThat(readyWhileRunning.body()).isEqualTo("{\"status\":\"UP\",\"state\":\"RUNNING\"}\n");
            assertThat(readyWhileRunning.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(liveAfterError.statusCode()).isEqualTo(503);
            assertThat(get(http, "/health/ready/x").statusCode()).isEqualTo(404);
            assertThat(client.send(HttpRequest.newBuilder(uri(http, "/health/live"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(405);
        }
    }

    @Test
    void aStateIsAStateNameNothingElse() {
        // Given / When / Then: nothing but an enum-like name can reach a response body
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Health("<b>\"x\"", true, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(new Health("PENDING_SHUTDOWN", true, false).state())).containsExactly("PENDING_SHUTDOWN");
    }

    private HttpResponse<String> get(HttpEndpoint http, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(http, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(HttpEndpoint http, String path) {
        return URI.create("http://127.0.0.1:" + http.port() + path);
    }

    @org.junit.jupiter.api.Test
    void shouldFlagAnInMemoryRegistryInTheHealthBody() {
        assertThat(HealthRoutes.body(true, new Health("RUNNING", true, true, true)))
                .isEqualTo("{\"status\":\"UP\",\"state\":\"RUNNING\",\"warning\":\"in-memory schema registry: no "
                        + "outside producer can use its schemas\"}\n");
        assertThat(HealthRoutes.body(true, new Health("RUNNING", true, true))).doesNotContain("warning");
    }
}
