package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Only the expected first-start warning about the firewall's own internal topic is dropped. */
class InternalTopicCreationFilterTest {

    private static final String FORMAT = "[Consumer clientId=c, groupId=g] The metadata response from the cluster "
            + "reported a recoverable issue with correlation id {} : {}";
    private final LoggerContext context = new LoggerContext();
    private final Logger networkClient = context.getLogger("org.apache.kafka.clients.NetworkClient");
    private final InternalTopicCreationFilter filter = new InternalTopicCreationFilter();

    @Test
    void shouldDropTheUnknownTopicWarningForTheInternalTopicOnly() {
        assertThat(decide(Map.of("purpose-firewall-side-records-repartition", "UNKNOWN_TOPIC_OR_PARTITION")))
                .isEqualTo(FilterReply.DENY);
        assertThat(decide(Map.of("user.contact-points", "UNKNOWN_TOPIC_OR_PARTITION")))
                .as("a really missing input still warns").isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(Map.of("purpose-firewall-side-records-repartition", "UNKNOWN_TOPIC_OR_PARTITION",
                "privacy.consent", "UNKNOWN_TOPIC_OR_PARTITION"))).as("not when another topic is missing too")
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(null, context.getLogger("org.purposefirewall.x"), Level.WARN, FORMAT,
                new Object[]{2, Map.of("a-side-records-repartition", "UNKNOWN_TOPIC_OR_PARTITION")}, null))
                .as("another logger").isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void shouldDropItAlsoWhenKafkasLogContextFormattedTheMessageItself() {
        String formatted = "[Consumer clientId=c, groupId=g] The metadata response from the cluster reported a "
                + "recoverable issue with correlation id 2 : {app-side-records-repartition=UNKNOWN_TOPIC_OR_PARTITION}";
        assertThat(filter.decide(null, networkClient, Level.WARN, formatted, null, null)).isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(null, networkClient, Level.WARN, formatted.replace("app-side-records-repartition",
                "privacy.consent"), null, null)).isEqualTo(FilterReply.NEUTRAL);
    }

    private FilterReply decide(Map<String, String> errors) {
        return filter.decide(null, networkClient, Level.WARN, FORMAT, new Object[]{2, errors}, null);
    }
}
