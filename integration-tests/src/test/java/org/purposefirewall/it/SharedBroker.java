package org.purposefirewall.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.purposefirewall.kafkalocal.LocalKafkaBroker;

/**
 * One in-process KRaft broker per test class: started before the class's first test, closed after its last.
 * Register it as {@code @RegisterExtension static final SharedBroker BROKER = new SharedBroker();}.
 */
final class SharedBroker implements BeforeAllCallback, AfterAllCallback {

    private LocalKafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = LocalKafkaBroker.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** The running broker; only between the class's first and last test. */
    LocalKafkaBroker get() {
        if (broker == null) {
            throw new IllegalStateException("the broker runs only while the test class does");
        }
        return broker;
    }
}
