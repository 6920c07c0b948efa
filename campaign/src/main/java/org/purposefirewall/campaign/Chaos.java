package org.purposefirewall.campaign;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The failures of one campaign, on a thread of its own, from a seeded schedule over a window of wall time:
 * {@code kills} kill -9s of firewall instances at random moments, each restarted after 0.2 to 3 s (about one in three
 * followed at once by a kill of the same instance 0.5 to 12 s after its restart, during its start-up and the
 * rebalance it causes, which counts as one of the kills); {@code brokerRestarts} broker events spread over the window
 * (the first a SIGTERM restart of the active controller, the second a kill -9 and restart, the others a SIGTERM
 * restart of a random node); and one CPU-starvation stretch ({@link BusyThreads}) at a random moment, concurrent
 * with the rest. Every event is recorded with its wall time ({@link Event}).
 */
final class Chaos implements Runnable {

    /** One thing done to the system: {@code kind} of {@code target} at wall time {@code atMs}, done at {@code doneMs}. */
    record Event(String kind, String target, long atMs, long doneMs) {
    }

    private final Instances instances;
    private final KafkaCluster cluster;
    private final Random random;
    private final java.util.function.BooleanSupplier warm;
    private long windowStart;
    private final long windowEnd;
    private final int kills;
    private final int brokerRestarts;
    private final int starvationSeconds;
    private final int starvationThreads;
    private final List<Event> events = new ArrayList<>();
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile Throwable failure;

    /**
     * @param warm true once the firewall writes outputs on every partition: the window starts no earlier, so that a
     *             recovery time measures a recovery, not the first start (the window shrinks; it never ends later)
     */
    Chaos(Instances instances, KafkaCluster cluster, long seed, long windowStart, long windowEnd, int kills,
          int brokerRestarts, int starvationSeconds, int starvationThreads, java.util.function.BooleanSupplier warm) {
        this.instances = instances;
        this.cluster = cluster;
        this.random = new Random(seed * 31 + 7);
        this.warm = warm;
        this.windowStart = windowStart;
        this.windowEnd = Math.max(windowEnd, windowStart + 1000);
        this.kills = kills;
        this.brokerRestarts = brokerRestarts;
        this.starvationSeconds = starvationSeconds;
        this.starvationThreads = starvationThreads;
    }

    /** One planned action: a kill (possibly a start-up kill) or a broker event number {@code n}. */
    private record Planned(long at, boolean broker, int n) {
    }

    @Override
    public void run() {
        Thread starvation = null;
        try {
            while (!warm.getAsBoolean() && System.currentTimeMillis() < windowEnd - 1000) {
                Thread.sleep(200);
            }
            windowStart = Math.max(windowStart, Math.min(System.currentTimeMillis(), windowEnd - 1000));
            record("chaos-window-" + (windowEnd - windowStart) / 1000 + "s-from-" + Instant.ofEpochMilli(windowStart),
                    "-", System.currentTimeMillis());
            long span = windowEnd - windowStart;
            List<Planned> plan = new ArrayList<>();
            for (int i = 0; i < kills; i++) {
                plan.add(new Planned(windowStart + (long) (random.nextDouble() * span), false, i));
            }
            for (int b = 0; b < brokerRestarts; b++) {
                long slot = span / (brokerRestarts + 1);
                long at = windowStart + slot * (b + 1) + (long) ((random.nextDouble() - 0.5) * slot * 0.5);
                plan.add(new Planned(at, true, b));
            }
            plan.sort((a, b) -> Long.compare(a.at, b.at));
            if (starvationSeconds > 0) {
                long at = windowStart + (long) (random.nextDouble() * Math.max(1, span - starvationSeconds * 1000L));
                starvation = new Thread(() -> starve(at), "campaign-starvation");
                starvation.setDaemon(true);
                starvation.start();
            }
            int killsLeft = kills;
            for (Planned p : plan) {
                sleepUntil(p.at);
                if (p.broker) {
                    brokerEvent(p.n);
                } else if (killsLeft > 0) {
                    killsLeft--;
                    FirewallInstance victim = instances.killRandom(random, this);
                    if (victim != null && killsLeft > 0 && random.nextInt(3) == 0) {
                        // A kill during start-up: the instance has just been restarted and is rebalancing.
                        sleep(500 + random.nextInt(11_500));
                        killsLeft--;
                        instances.killAndRestart(victim, random, this, "kill-during-startup");
                    }
                }
            }
            if (starvation != null) {
                starvation.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            if (starvation != null) {
                starvation.interrupt();
            }
            done.set(true);
        }
    }

    private void brokerEvent(int n) {
        List<Integer> nodes = cluster.nodeIds();
        long at = System.currentTimeMillis();
        if (n == 0) {
            int controller = cluster.activeController();
            cluster.restart(controller);
            record("broker-restart-controller", "node-" + controller, at);
        } else if (n == 1) {
            int node = nodes.get(random.nextInt(nodes.size()));
            cluster.kill(node);
            cluster.restart(node);
            record("broker-kill-9-restart", "node-" + node, at);
        } else {
            int node = nodes.get(random.nextInt(nodes.size()));
            cluster.restart(node);
            record("broker-restart", "node-" + node, at);
        }
    }

    private void starve(long at) {
        try {
            sleepUntil(at);
            long start = System.currentTimeMillis();
            int threads = starvationThreads > 0 ? starvationThreads : 2 * Runtime.getRuntime().availableProcessors();
            try (BusyThreads busy = BusyThreads.start(threads)) {
                Thread.sleep(starvationSeconds * 1000L);
            }
            record("cpu-starvation-" + threads + "-threads-" + starvationSeconds + "s", "machine", start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized void record(String kind, String target, long atMs) {
        events.add(new Event(kind, target, atMs, System.currentTimeMillis()));
    }

    synchronized List<Event> events() {
        List<Event> copy = new ArrayList<>(events);
        copy.sort((a, b) -> Long.compare(a.atMs(), b.atMs()));
        return copy;
    }

    boolean done() {
        return done.get();
    }

    Throwable failure() {
        return failure;
    }

    private static void sleepUntil(long at) throws InterruptedException {
        long wait = at - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    private static void sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }
}
