package org.purposefirewall.demo;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.purposefirewall.config.Topics;
import org.purposefirewall.fixtures.ScenarioTraffic;
import org.purposefirewall.identity.IdentifierKind;
import org.purposefirewall.identity.IdentifierNormalizer;
import org.purposefirewall.identity.Normalization;
import org.purposefirewall.schema.ContactPoint;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * Produces the scenario's users in order, each user's events in the scenario's order, at a steady rate of users
 * per second (or as fast as the producer takes them). Runs on its own thread; {@link #stop()} ends it after the
 * user in hand, so that every counted user was produced whole.
 *
 * <p>Before a contact point the scenario expects to be quarantined is sent, its match key is handed to the tally:
 * the set of security identifiers the ad topic must never carry.
 */
final class TrafficProducer implements Runnable {


    private final Producer<String, byte[]> producer;
    private final ScenarioTraffic scenario;
    private final FirewallSerdes serdes;
    private final Topics topics;
    private final int partitions;
    private final int users;
    private final int rate;
    private final OutputTally tally;
    /** Producer thread only. */
    private long latestEventTime = Long.MIN_VALUE;

    private final AtomicInteger usersSent = new AtomicInteger();
    private final AtomicLong recordsSent = new AtomicLong();
    private final AtomicLong contactPointsSent = new AtomicLong();
    private final AtomicLong markersSent = new AtomicLong();
    private final Map<ScenarioTraffic.Expected, AtomicLong> expected = new EnumMap<>(ScenarioTraffic.Expected.class);
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private volatile boolean stopRequested;
    private volatile boolean done;

    /** @param partitions partitions of the input topics */
    TrafficProducer(Producer<String, byte[]> producer, ScenarioTraffic scenario, int partitions,
                    FirewallSerdes serdes, Topics topics, int users, int rate, OutputTally tally) {
        this.producer = producer;
        this.scenario = scenario;
        this.serdes = serdes;
        this.topics = topics;
        this.partitions = partitions;
        this.users = users;
        this.rate = rate;
        this.tally = tally;
        for (ScenarioTraffic.Expected outcome : ScenarioTraffic.Expected.values()) {
            expected.put(outcome, new AtomicLong());
        }
    }

    @Override
    public void run() {
        try {
            long start = System.nanoTime();
            for (int i = 0; i < users && !stopRequested && failures.get() == 0; i++) {
                if (rate > 0 && !pace(start + (long) (i * (1e9 / rate)))) {
                    break;
                }
                List<ScenarioTraffic.Event> events = scenario.user(i);
                for (ScenarioTraffic.Event event : events) {
                    send(event);
                }
                usersSent.set(i + 1);
            }
            if (failures.get() == 0 && usersSent.get() > 0) {
                sendEndMarkers(latestEventTime + 1);
            }
            producer.flush();
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            done = true;
        }
    }

    private void send(ScenarioTraffic.Event event) {
        boolean contactPoint = event.topic().equals(topics.contactPoints());
        if (event.expected() == ScenarioTraffic.Expected.QUARANTINE) {
            rememberSecurityIdentifier(event.value());
        }
        Callback callback = (metadata, exception) -> {
            if (exception != null) {
                fail(exception);
            } else if (contactPoint) {
                tally.produced(metadata.partition(), metadata.offset());
            }
        };
        producer.send(new ProducerRecord<>(event.topic(), null, event.timestamp(), event.key(), event.value()),
                callback);
        latestEventTime = Math.max(latestEventTime, event.timestamp());
        recordsSent.incrementAndGet();
        if (contactPoint) {
            contactPointsSent.incrementAndGet();
        }
        if (event.expected() != null) {
            expected.get(event.expected()).incrementAndGet();
        }
    }

    private void sendEndMarkers(long eventTime) {
        for (ScenarioTraffic.Event marker : scenario.endOfTrafficMarkers(partitions, eventTime)) {
            sendMarker(marker.topic(), marker.key(), eventTime, marker.value());
        }
    }

    private void sendMarker(String topic, String user, long eventTime, byte[] value) {
        producer.send(new ProducerRecord<>(topic, null, eventTime, user, value), (metadata, exception) -> {
            if (exception != null) {
                fail(exception);
            }
        });
        markersSent.incrementAndGet();
    }

    private void rememberSecurityIdentifier(byte[] value) {
        ContactPoint contact = serdes.contactPoint().decode(value);
        IdentifierKind kind = switch (contact.getIdentifierType()) {
            case PHONE -> IdentifierKind.PHONE;
            case EMAIL -> IdentifierKind.EMAIL;
            case MOBILE_AD_ID -> IdentifierKind.MOBILE_AD_ID;
            case UNKNOWN -> null;
        };
        if (kind != null && IdentifierNormalizer.normalize(kind, contact.getValue()) instanceof Normalization.Ok ok) {
            // Every digest of it, of every spelling: the ad topic carries SHA-256 for raw input and the arrival form
            // for hashed input.
            ok.keys().all().forEach(key -> tally.securityIdentifier(key.hex()));
        }
    }

    /** Sleeps until {@code dueNanos}; false if stopped meanwhile. */
    private boolean pace(long dueNanos) {
        while (!stopRequested) {
            long wait = dueNanos - System.nanoTime();
            if (wait <= 0) {
                return true;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private void fail(Exception e) {
        failures.incrementAndGet();
        // The class only: a producer exception message may quote a record.
        firstFailure.compareAndSet(null, e.getClass().getSimpleName());
    }

    /** Ends production after the user in hand. Returns at once. */
    void stop() {
        stopRequested = true;
    }

    /** True once production ended (all users, a stop or a failure) and every sent record was acknowledged. */
    boolean done() {
        return done;
    }

    /** True once every user was produced and acknowledged without failure. */
    boolean complete() {
        return done && usersSent.get() == users && failures.get() == 0;
    }

    /** Users whose events were all handed to the producer. */
    int usersSent() {
        return usersSent.get();
    }

    long recordsSent() {
        return recordsSent.get();
    }

    long contactPointsSent() {
        return contactPointsSent.get();
    }

    /**
     * The outcomes the scenario expects for the contact points sent so far: for whole users, the same as
     * {@link ScenarioTraffic#expectedCounts(int)} of {@link #usersSent()}, without generating the traffic again.
     */
    Map<ScenarioTraffic.Expected, Long> expectedCounts() {
        Map<ScenarioTraffic.Expected, Long> counts = new EnumMap<>(ScenarioTraffic.Expected.class);
        expected.forEach((outcome, count) -> counts.put(outcome, count.get()));
        return counts;
    }

    /** End-of-traffic markers sent (see {@link #sendEndMarkers}); not counted in {@link #recordsSent()}. */
    long markersSent() {
        return markersSent.get();
    }

    long failures() {
        return failures.get();
    }

    /** The class of the first failure, or null. */
    String firstFailure() {
        return firstFailure.get();
    }
}
