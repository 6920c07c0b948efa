package org.purposefirewall.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.purposefirewall.config.HttpSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP endpoint (the JDK's HTTP server, no framework): each part of the service that serves HTTP hands
 * it a {@link Route}. Responses never carry personal data: metrics have reasons, rules and topics as tags; the
 * monitor's records are redacted. Two worker threads; started once, closed once.
 */
public final class HttpEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);

    /** One path (and everything below it) and what serves it. */
    public record Route(String path, HttpHandler handler) {
        public Route {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(handler, "handler");
        }
    }

    private final HttpServer server;
    private final ExecutorService workers;

    private HttpEndpoint(HttpServer server, ExecutorService workers) {
        this.server = server;
        this.workers = workers;
    }

    /**
     * Listens on the configured address and serves {@code routes}.
     *
     * @throws UncheckedIOException if the address cannot be bound (the message names it)
     */
    public static HttpEndpoint start(HttpSettings settings, List<Route> routes) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(settings.bindAddress(), settings.port()), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("http: cannot listen on " + settings.bindAddress() + ":" + settings.port()
                    + " (http.bind-address, http.port): " + e.getMessage(), e);
        }
        for (Route route : routes) {
            server.createContext(route.path(), route.handler());
        }
        ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "purpose-firewall-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        server.start();
        LOG.atInfo().addKeyValue("address", settings.bindAddress()).addKeyValue("port", server.getAddress().getPort())
                .addKeyValue("paths", routes.stream().map(Route::path).toList()).log("HTTP endpoint listening");
        return new HttpEndpoint(server, workers);
    }

    /** The port listened on (the one picked, for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
