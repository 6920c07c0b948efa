package org.purposefirewall.it;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Busy threads that keep the machine's cores loaded while a test runs (starvation: the stream thread, the barrier's
 * poller and the broker all run late). Close to stop them.
 */
final class BusyCores implements AutoCloseable {

    private final AtomicBoolean busy = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    private BusyCores(int count) {
        for (int i = 0; i < count; i++) {
            Thread burner = new Thread(() -> {
                // Spins on a volatile read: never optimized away, never yields.
                while (busy.get()) {
                    busy.getPlain();
                }
            }, "cpu-burner-" + i);
            burner.setDaemon(true);
            burner.start();
            threads.add(burner);
        }
    }

    /** Starts {@code count} busy threads. */
    static BusyCores start(int count) {
        return new BusyCores(count);
    }

    @Override
    public void close() throws InterruptedException {
        busy.set(false);
        for (Thread burner : threads) {
            burner.join(5_000);
        }
    }
}
