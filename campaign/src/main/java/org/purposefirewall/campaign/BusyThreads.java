package org.purposefirewall.campaign;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Busy threads that keep the machine's cores loaded (as {@code integration-tests}' {@code BusyCores}): every stream
 * thread, the side-record barrier's poller and the brokers run late. Close to stop them.
 */
final class BusyThreads implements AutoCloseable {

    private final AtomicBoolean busy = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    private BusyThreads(int count) {
        for (int i = 0; i < count; i++) {
            Thread burner = new Thread(() -> {
                // Spins on a volatile read: never optimized away, never yields.
                while (busy.get()) {
                    busy.getPlain();
                }
            }, "campaign-cpu-burner-" + i);
            burner.setDaemon(true);
            burner.start();
            threads.add(burner);
        }
    }

    static BusyThreads start(int count) {
        return new BusyThreads(count);
    }

    @Override
    public void close() throws InterruptedException {
        busy.set(false);
        for (Thread burner : threads) {
            burner.join(5_000);
        }
    }
}
