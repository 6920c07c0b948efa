package org.purposefirewall.monitoring;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the firewall knows of the registry's health, shared by every serde of one application. Thread-safe. Logs
 * transitions once (WARN when the registry becomes unreachable, INFO when it answers again), not every retry.
 */
public final class RegistryHealth implements RegistryHealthMBean {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHealth.class);

    private final AtomicBoolean available = new AtomicBoolean(true);
    private final AtomicLong unavailable = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong replacements = new AtomicLong();
    private volatile long unavailableSinceNanos;
    private ObjectName registeredAs;

    /** A call found no registry answering. */
    public void unavailable(String why) {
        unavailable.incrementAndGet();
        if (available.compareAndSet(true, false)) {
            unavailableSinceNanos = System.nanoTime();
            LOG.atWarn().addKeyValue("failure", why)
                    .log("schema registry unreachable; records that need an unknown schema wait and keep their place");
        }
    }

    /** {@link System#nanoTime()} when the current outage began; meaningful only while {@link #isAvailable()} is false. */
    public long unavailableSinceNanos() {
        return unavailableSinceNanos;
    }

    /** A record is being retried after a backoff. */
    public void retrying(long backoffMs) {
        retries.incrementAndGet();
        LOG.atDebug().addKeyValue("backoffMs", backoffMs).log("retrying after schema registry failure");
    }

    /** A registry call succeeded. */
    public void answered() {
        if (available.compareAndSet(false, true)) {
            LOG.atInfo().log("schema registry answers again; processing resumes");
        }
    }

    /** A stream thread was replaced because the registry stayed unreachable. */
    public void threadReplaced() {
        replacements.incrementAndGet();
    }

    @Override
    public boolean isAvailable() {
        return available.get();
    }

    @Override
    public long getUnavailableTotal() {
        return unavailable.get();
    }

    @Override
    public long getRetriesTotal() {
        return retries.get();
    }

    @Override
    public long getThreadReplacementsTotal() {
        return replacements.get();
    }

    /** Registers this bean as {@code org.purposefirewall:type=SchemaRegistry,app=<applicationId>}; best effort. */
    public synchronized void registerJmx(String applicationId) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("org.purposefirewall:type=SchemaRegistry,app="
                    + ObjectName.quote(applicationId));
            if (!server.isRegistered(name)) {
                server.registerMBean(this, name);
                registeredAs = name;
            }
        } catch (JMException e) {
            LOG.atWarn().addKeyValue("errorClass", e.getClass().getName()).log("registry health not exposed on JMX");
        }
    }

    /** Removes the JMX registration, if any. */
    public synchronized void unregisterJmx() {
        if (registeredAs != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(registeredAs);
            } catch (JMException ignored) {
                // Already gone: nothing to undo.
            }
            registeredAs = null;
        }
    }
}
