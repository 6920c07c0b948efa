package org.purposefirewall.app;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.streams.KafkaStreams;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.http.HealthRoutes;
import org.purposefirewall.http.HealthRoutes.Health;
import org.purposefirewall.http.HttpEndpoint;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.monitor.MonitorSettings;
import org.purposefirewall.monitor.QuarantineMonitor;
import org.purposefirewall.http.MetricsRoute;
import org.purposefirewall.monitoring.PrometheusFirewallMetrics;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * The whole service: the firewall ({@link FirewallApp}) and its HTTP endpoint ({@code /metrics},
 * {@code /health/live}, {@code /health/ready}, and any further routes it is handed, such as the quarantine
 * monitor's), started and stopped together.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()} (idempotent). The endpoint starts first, so that the
 * liveness probe answers while the startup checks run and readiness says 503 until Kafka Streams is RUNNING; it
 * stops last, so that probes see the shutdown.
 *
 * <p>Health, decided here: <em>live</em> while Kafka Streams is in any state but {@code PENDING_ERROR} and
 * {@code ERROR} and no stream thread has failed (those need a restart; a rebalance or a restore does not);
 * <em>ready</em> only while it is {@code RUNNING}: tasks assigned and their stores restored.
 */
public final class FirewallService implements AutoCloseable {

    /** How often the Kafka Streams binder looks for metrics that appeared (new tasks, partitions, clients). */
    static final Duration KAFKA_METRICS_REFRESH = Duration.ofSeconds(10);
    /** State reported before Kafka Streams exists (topic check, schema registration). */
    static final String STARTING = "STARTING";

    private final FirewallConfig config;
    private final List<HttpEndpoint.Route> extraRoutes;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final FirewallApp app;
    /** The quarantine monitor served beside metrics and health, or null. */
    private final QuarantineMonitor monitor;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final ScheduledExecutorService binderScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "purpose-firewall-kafka-metrics");
        t.setDaemon(true);
        return t;
    });
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics kafkaMetrics;
    private volatile HttpEndpoint http;
    private boolean started;
    private boolean closed;

    /**
     * @param routes further HTTP routes (e.g. the quarantine monitor's), served beside metrics and health
     */
    public FirewallService(FirewallConfig config, FirewallSerdes serdes, List<HttpEndpoint.Route> routes) {
        this(config, serdes, routes, null);
    }

    private FirewallService(FirewallConfig config, FirewallSerdes serdes, List<HttpEndpoint.Route> routes,
                            QuarantineMonitor monitor) {
        this.config = Objects.requireNonNull(config, "config");
        this.monitor = monitor;
        List<HttpEndpoint.Route> all = new ArrayList<>(routes);
        if (monitor != null) {
            all.addAll(monitor.routes());
        }
        this.extraRoutes = List.copyOf(all);
        PrometheusFirewallMetrics metrics = new PrometheusFirewallMetrics(registry, serdes.health(),
                () -> health().ready());
        List<String> dataTopics = new ArrayList<>(List.of(config.topics().contactPoints()));
        dataTopics.addAll(config.topics().guarded());
        metrics.preRegister(dataTopics);
        this.app = new FirewallApp(config, serdes, metrics.factory());
    }

    /** Builds serdes from the config's {@code schema-registry} settings; no further routes. */
    public static FirewallService fromConfig(FirewallConfig config) {
        return fromConfig(config, List.of());
    }

    /**
     * The service as {@code run} starts it: the firewall, metrics, health and the quarantine monitor at
     * {@code /monitor}, which reads the quarantine and dead-letter topics with the firewall's serdes.
     */
    public static FirewallService withMonitor(FirewallConfig config) {
        FirewallSerdes serdes = FirewallSerdes.fromSettings(config.schemaRegistry());
        QuarantineMonitor monitor = new QuarantineMonitor(MonitorSettings.of(config), serdes,
                IdentifierNormalizer.of(config.identity()), Clock.systemUTC());
        return new FirewallService(config, serdes, List.of(), monitor);
    }

    public static FirewallService fromConfig(FirewallConfig config, List<HttpEndpoint.Route> routes) {
        return new FirewallService(config, FirewallSerdes.fromSettings(config.schemaRegistry()), routes);
    }

    /**
     * Starts the HTTP endpoint, then the firewall ({@link FirewallApp#start()}), then binds Kafka Streams' metrics.
     *
     * @throws IllegalStateException if the endpoint cannot listen, or the firewall cannot start (the message says
     *     what to fix); the caller then closes this service
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        List<HttpEndpoint.Route> routes = new ArrayList<>();
        routes.add(MetricsRoute.of(registry));
        routes.addAll(HealthRoutes.of(this::health));
        routes.addAll(extraRoutes);
        try {
            http = HttpEndpoint.start(config.http(), routes);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        app.start();
        if (monitor != null) {
            monitor.start();
        }
        streams = app.streams();
        kafkaMetrics = new KafkaStreamsMetrics(streams, List.of(), binderScheduler, KAFKA_METRICS_REFRESH);
        kafkaMetrics.bindTo(registry);
    }

    /** The service's health now; safe from any thread. */
    public Health health() {
        KafkaStreams running = streams;
        if (running == null) {
            return new Health(STARTING, !app.failed(), false, config.inMemoryRegistry());
        }
        KafkaStreams.State state = running.state();
        boolean live = state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR && !app.failed();
        return new Health(state.name(), live, state == KafkaStreams.State.RUNNING, config.inMemoryRegistry());
    }

    /** The port the HTTP endpoint listens on (the one picked, for port 0). */
    public int httpPort() {
        HttpEndpoint http = this.http;
        if (http == null) {
            throw new IllegalStateException("not started");
        }
        return http.port();
    }

    /** The firewall, for state queries. */
    public FirewallApp app() {
        return app;
    }

    /** The registry behind {@code /metrics}. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** True once a stream thread failed and the client shut down. */
    public boolean failed() {
        return app.failed();
    }

    /** Blocks until the firewall stops (closed, or shut down after an error). */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return app.awaitStop(timeout);
    }

    /** Stops the firewall (probes answer meanwhile), then the metrics and the endpoint. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (monitor != null) {
                monitor.close();
            }
            app.close();
        } finally {
            if (kafkaMetrics != null) {
                kafkaMetrics.close();
            }
            binderScheduler.shutdownNow();
            gcMetrics.close();
            if (http != null) {
                http.close();
            }
            registry.close();
        }
    }
}
