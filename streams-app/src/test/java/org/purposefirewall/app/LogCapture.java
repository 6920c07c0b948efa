package org.purposefirewall.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * What one class logs during each test, at a level set for the test and restored after it
 * ({@code @RegisterExtension final LogCapture log = new LogCapture(Some.class, Level.INFO)}).
 */
final class LogCapture implements BeforeEachCallback, AfterEachCallback {

    private final Logger logger;
    private final Level testLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level level;

    LogCapture(Class<?> source, Level testLevel) {
        this.logger = (Logger) LoggerFactory.getLogger(source);
        this.testLevel = testLevel;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        level = logger.getLevel();
        logger.setLevel(testLevel);
        appender.list.clear();
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        logger.setLevel(level);
    }

    /** The events logged so far in this test, oldest first. */
    List<ILoggingEvent> events() {
        return appender.list;
    }

    /** An event's key-value pairs, values as text. */
    static Map<String, String> fields(ILoggingEvent event) {
        return event.getKeyValuePairs().stream()
                .collect(Collectors.toMap(p -> p.key, p -> String.valueOf(p.value)));
    }
}
