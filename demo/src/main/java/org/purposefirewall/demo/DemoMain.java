package org.purposefirewall.demo;

import java.io.PrintStream;
import java.time.Duration;

/**
 * The demo's command line: {@code ./scripts/demo.sh [options]}. Wiring only; {@link Demo} does the work.
 *
 * <p>Exit status: 0 every output count as expected for the users produced (and no contact point lost or
 * duplicated, no security identifier on the ad topic); 1 otherwise or on a failure; 2 bad usage or configuration.
 * On Ctrl-C a shutdown hook stops production, lets the firewall drain, prints the report and closes everything;
 * the JVM then exits with the signal's status (130).
 */
public final class DemoMain {

    /** The demo's own logging config: the firewall's jar carries a louder logback.xml of its own. */
    static final String LOGBACK_CONFIG = "org/purposefirewall/demo/logback.xml";

    static {
        // Before any logger exists: Kafka and the firewall at WARN or quieter, on stderr, so stdout stays readable.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
        }
    }

    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(120);

    private DemoMain() {
    }

    public static void main(String[] args) {
        Parsed parsed = parse(args, System.out, System.err);
        if (parsed.demo() == null) {
            System.exit(parsed.exitCode());
        }
        Demo demo = parsed.demo();
        Thread hook = new Thread(() -> {
            demo.requestStop();
            try {
                demo.awaitFinished(SHUTDOWN_GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "purpose-firewall-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = demo.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook waited for the report; the JVM ends with the signal's status once it returns.
            return;
        }
        System.exit(code);
    }

    /**
     * Runs the demo on the calling thread, without a shutdown hook, writing everything (live lines, report, usage,
     * errors) to {@code out}. For tests and embedding.
     *
     * @return the exit status
     */
    public static int run(String[] args, PrintStream out) {
        Parsed parsed = parse(args, out, out);
        return parsed.demo() == null ? parsed.exitCode() : parsed.demo().run();
    }

    /** A demo to run, or the status to exit with at once (help, bad usage). */
    private record Parsed(Demo demo, int exitCode) {
    }

    private static Parsed parse(String[] args, PrintStream out, PrintStream err) {
        try {
            DemoOptions options = DemoOptions.parse(args);
            if (options == null) {
                out.print(DemoOptions.USAGE);
                return new Parsed(null, 0);
            }
            return new Parsed(new Demo(options, out, err), 0);
        } catch (DemoOptions.UsageException e) {
            err.println("demo: " + e.getMessage());
            err.print(DemoOptions.USAGE);
            return new Parsed(null, 2);
        }
    }
}
