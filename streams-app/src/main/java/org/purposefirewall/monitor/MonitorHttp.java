package org.purposefirewall.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.purposefirewall.http.HttpEndpoint;

/**
 * The monitor's HTTP side: {@code GET /monitor} (the page, one self-contained HTML file from the classpath: inline
 * CSS and script, nothing fetched from elsewhere), {@code GET /monitor/api/summary} and
 * {@code GET /monitor/api/latest} (JSON). Only GET and HEAD; responses are never cached and carry a
 * Content-Security-Policy that allows nothing but this origin. Runs on the endpoint's worker threads.
 */
final class MonitorHttp {

    static final String PAGE_PATH = "/monitor";
    static final String API_PATH = "/monitor/api/";
    private static final String PAGE_RESOURCE = "/org/purposefirewall/monitor/monitor.html";
    private static final String CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final QuarantineMonitor monitor;
    private final ObjectMapper json = new ObjectMapper();
    private final byte[] page;

    MonitorHttp(QuarantineMonitor monitor) {
        this.monitor = monitor;
        try (InputStream in = MonitorHttp.class.getResourceAsStream(PAGE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the monitor page " + PAGE_RESOURCE + " is missing from the classpath");
            }
            this.page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<HttpEndpoint.Route> routes() {
        return List.of(new HttpEndpoint.Route(PAGE_PATH, this::page), new HttpEndpoint.Route(API_PATH, this::api));
    }

    private void page(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!allowed(exchange)) {
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (!path.equals(PAGE_PATH) && !path.equals(PAGE_PATH + "/")) {
                send(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            send(exchange, 200, "text/html; charset=utf-8", page);
        }
    }

    private void api(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!allowed(exchange)) {
                return;
            }
            Object body = switch (exchange.getRequestURI().getPath()) {
                case API_PATH + "summary" -> summary();
                case API_PATH + "latest" -> monitor.latest();
                default -> null;
            };
            if (body == null) {
                send(exchange, 404, "application/json", "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            send(exchange, 200, "application/json", json.writeValueAsBytes(body));
        }
    }

    private Map<String, Object> summary() {
        Map<String, Object> body = new LinkedHashMap<>();
        MonitorSettings s = monitor.settings();
        body.put("quarantineTopic", s.quarantineTopic());
        body.put("deadLetterTopic", s.deadLetterTopic());
        body.put("lookbackMs", s.lookback().toMillis());
        body.put("caughtUp", monitor.caughtUp());
        body.put("lastPollAt", monitor.lastPollAt());
        body.put("problem", monitor.problem());
        body.put("summary", monitor.summary());
        return body;
    }

    private static boolean allowed(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
        return false;
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", type);
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Content-Security-Policy", CSP);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
