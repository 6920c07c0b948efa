package org.purposefirewall.campaign;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The campaign's firewall instances, with the operations the chaos and the watchdog perform on them under one lock,
 * so that a kill, its pause and the restart are one step and the watchdog never restarts an instance mid-step.
 */
final class Instances {

    private final List<FirewallInstance> all;
    private final List<String> selfExits = new ArrayList<>();
    /** Set by {@link #stopAll}: nothing is started again after it. */
    private boolean closed;

    Instances(List<FirewallInstance> all) {
        this.all = List.copyOf(all);
    }

    List<FirewallInstance> all() {
        return all;
    }

    synchronized void startAll() {
        for (FirewallInstance instance : all) {
            instance.start();
        }
    }

    /** kill -9 of a random running instance, then its restart after 0.2 to 3 s; returns it (null if none ran). */
    synchronized FirewallInstance killRandom(Random random, Chaos chaos) throws InterruptedException {
        List<FirewallInstance> alive = all.stream().filter(FirewallInstance::isAlive).toList();
        if (alive.isEmpty()) {
            return null;
        }
        FirewallInstance victim = alive.get(random.nextInt(alive.size()));
        killAndRestart(victim, random, chaos, "kill-9");
        return victim;
    }

    synchronized void killAndRestart(FirewallInstance victim, Random random, Chaos chaos, String kind)
            throws InterruptedException {
        long at = System.currentTimeMillis();
        victim.kill();
        chaos.record(kind, victim.name(), at);
        Thread.sleep(200 + random.nextInt(2800));
        if (closed) {
            return;
        }
        long restartAt = System.currentTimeMillis();
        victim.start();
        chaos.record("restart", victim.name(), restartAt);
    }

    /** Restarts every instance that ended by itself (not killed by the campaign); each is a finding. */
    synchronized void restartExited(Chaos chaos) {
        if (closed) {
            return;
        }
        for (FirewallInstance instance : all) {
            Integer code = instance.exitCode();
            if (code != null) {
                long at = System.currentTimeMillis();
                selfExits.add(instance.name() + " exited with " + code + " at " + java.time.Instant.ofEpochMilli(at)
                        + " (start " + instance.starts() + "; see " + instance.log() + ")");
                if (chaos != null) {
                    chaos.record("self-exit-" + code, instance.name(), at);
                }
                instance.start();
            }
        }
    }

    synchronized List<String> selfExits() {
        return List.copyOf(selfExits);
    }

    /** Per instance name, its starts (from its log). */
    synchronized java.util.Map<String, List<InstanceStart>> starts() {
        java.util.Map<String, List<InstanceStart>> starts = new java.util.HashMap<>();
        for (FirewallInstance instance : all) {
            starts.put(instance.name(), instance.startsFromLog());
        }
        return starts;
    }

    synchronized boolean allReady() {
        return all.stream().allMatch(FirewallInstance::ready);
    }

    synchronized void stopAll() {
        closed = true;
        for (FirewallInstance instance : all) {
            instance.stop();
        }
    }
}
