package org.purposefirewall.app;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command line. Each command is a class of its own ({@link RunCommand}, {@link ValidateCommand},
 * {@link CreateTopicsCommand}, {@link DescribeCommand}, {@link ExposureReportCommand}, {@link AuditCommand},
 * {@link ReplayCommand}, {@link ExplainCommand}), listed here, so a new command is a new file and a line.
 * Wiring only.
 *
 * <p>Exit codes: 0 stopped cleanly (also after SIGTERM or Ctrl-C); 1 stopped after a processing failure; 2 bad
 * usage, configuration or startup (broker or registry unreachable, topics missing or wrong).
 */
@Command(name = "purpose-firewall", mixinStandardHelpOptions = true, version = "purpose-firewall 0.1.0",
        description = "Enforces purpose limitation on personal data in motion (Kafka Streams).",
        subcommands = {RunCommand.class, ValidateCommand.class, CreateTopicsCommand.class, DescribeCommand.class,
                ExposureReportCommand.class, AuditCommand.class, ReplayCommand.class,
                ExplainCommand.class},
        exitCodeOnInvalidInput = PurposeFirewallMain.USAGE_ERROR)
public final class PurposeFirewallMain implements Runnable {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE_ERROR = 2;

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line, printing to {@code out} and {@code err}; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new PurposeFirewallMain());
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setParameterExceptionHandler(PurposeFirewallMain::usageError);
        return cli.execute(args);
    }

    /** Without a command: the usage, as a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }

    /** A usage error in the words the firewall has always used, then the usage of the command at fault. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine at = e.getCommandLine();
        PrintWriter err = at.getErr();
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            boolean command = at.getParent() == null && !first.startsWith("-");
            err.println((command ? "unknown command " : "unknown option ") + first);
        } else if (e instanceof CommandLine.MissingParameterException missing && !missing.getMissing().isEmpty()
                && missing.getMissing().get(0) instanceof OptionSpec option) {
            err.println("option " + option.longestName() + " needs a value");
        } else {
            err.println(e.getMessage());
        }
        at.usage(err);
        return USAGE_ERROR;
    }
}
