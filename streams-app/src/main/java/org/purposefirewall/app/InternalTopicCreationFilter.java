package org.purposefirewall.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Drops the Kafka client's WARN that the firewall's own internal topic does not exist yet: on a first start Kafka
 * Streams subscribes to {@code <application.id>-side-records-repartition} a moment before it creates it, and the
 * consumer reports {@code UNKNOWN_TOPIC_OR_PARTITION} for it several times. That is expected, not a problem to act
 * on, and an operator reading it would look for a missing topic. Nothing else is filtered: the same warning for any
 * other topic (an input that is really missing) still shows, and a missing internal topic later stops Kafka Streams
 * with an error of its own.
 */
public final class InternalTopicCreationFilter extends TurboFilter {

    private static final String NETWORK_CLIENT = "org.apache.kafka.clients.NetworkClient";
    private static final String SUFFIX = "-side-records-repartition=UNKNOWN_TOPIC_OR_PARTITION";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable t) {
        if (level != Level.WARN || logger == null || !NETWORK_CLIENT.equals(logger.getName()) || format == null
                || !format.contains("recoverable issue")) {
            return FilterReply.NEUTRAL;
        }
        // Kafka's LogContext formats the message itself (params null); other callers pass the map as a parameter.
        String text = params == null || params.length == 0 ? format
                : MessageFormatter.arrayFormat(format, params).getMessage();
        int errors = text.lastIndexOf('{');
        if (errors < 0) {
            return FilterReply.NEUTRAL;
        }
        String map = text.substring(errors);
        boolean onlyInternal = map.contains(SUFFIX) && map.indexOf('=') == map.lastIndexOf('=');
        return onlyInternal ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
