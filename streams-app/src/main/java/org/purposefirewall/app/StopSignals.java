package org.purposefirewall.app;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT as a request to stop, not as the JVM's shutdown. By default the JVM answers them by running its
 * shutdown hooks and exiting 143 (130), whatever the command returns; an orchestrator then reads a clean stop as a
 * failure. With these handlers the signal only counts {@link #requested()} down: {@code run} closes the firewall
 * itself and returns its own exit code (0 after a clean close). Where the JVM does not offer signal handling
 * ({@code sun.misc.Signal}), the default stays, and the shutdown hook {@code run} also installs still closes
 * cleanly.
 *
 * <p>Threads: the JVM calls the handler on a signal-dispatcher thread of its own; the handler only counts down.
 */
final class StopSignals {

    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);
    private static final List<String> SIGNALS = List.of("TERM", "INT");

    private final CountDownLatch requested = new CountDownLatch(1);

    private StopSignals() {
    }

    /** Handles SIGTERM and SIGINT from now on in this JVM. */
    static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : SIGNALS) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    LOG.atInfo().addKeyValue("signal", "SIG" + name).log("stop requested; closing");
                    signals.requested.countDown();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
                LOG.atDebug().addKeyValue("signal", name).setCause(e).log("signal handling unavailable");
            }
        }
        return signals;
    }

    /** Counted down by the first SIGTERM or SIGINT. */
    CountDownLatch requested() {
        return requested;
    }
}
