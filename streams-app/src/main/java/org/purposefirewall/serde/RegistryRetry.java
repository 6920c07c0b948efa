package org.purposefirewall.serde;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.purposefirewall.monitoring.RegistryHealth;
import org.purposefirewall.registry.RegistryUnavailableException;

/**
 * How long a registry outage may hold up calls: exponential backoff from {@code initialBackoff} to
 * {@code maxBackoff}, until the outage is {@code maxBlock} old; then the {@link RegistryUnavailableException}
 * propagates at once. The budget is per outage, not per call: once it is spent, every further call that needs the
 * registry fails fast (the topology parks such records) until the registry answers again.
 *
 * @param maxBlock the longest one call waits; keep it below the consumer's {@code max.poll.interval.ms}
 * @param initialBackoff first wait
 * @param maxBackoff longest single wait
 * @param health where outages and recoveries are counted
 */
public record RegistryRetry(Duration maxBlock, Duration initialBackoff, Duration maxBackoff, RegistryHealth health) {

    public RegistryRetry {
        Objects.requireNonNull(maxBlock, "maxBlock");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(health, "health");
        if (maxBlock.isNegative() || initialBackoff.toMillis() < 1 || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must be at least 1 ms, maxBackoff at least initialBackoff, "
                    + "and maxBlock not negative");
        }
    }

    /** Fails at once on an outage; for tools and tests that must not wait. */
    public static RegistryRetry none() {
        return new RegistryRetry(Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1), new RegistryHealth());
    }

    /** The default: up to {@code maxBlock}, backing off from 100 ms to 5 s. */
    public static RegistryRetry upTo(Duration maxBlock, RegistryHealth health) {
        return new RegistryRetry(maxBlock, Duration.ofMillis(100), Duration.ofSeconds(5), health);
    }

    /** Runs {@code call}, waiting and retrying while the registry is unreachable. */
    public <T> T call(Supplier<T> call) {
        long deadline = (health.isAvailable() ? System.nanoTime() : health.unavailableSinceNanos())
                + maxBlock.toNanos();
        long backoff = initialBackoff.toMillis();
        while (true) {
            try {
                T result = call.get();
                health.answered();
                return result;
            } catch (RegistryUnavailableException e) {
                health.unavailable(e.getMessage());
                long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0) {
                    throw e;
                }
                long wait = Math.min(backoff, remainingMs);
                health.retrying(wait);
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff = Math.min(backoff * 2, maxBackoff.toMillis());
            }
        }
    }
}
