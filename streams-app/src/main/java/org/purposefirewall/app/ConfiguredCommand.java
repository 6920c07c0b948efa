package org.purposefirewall.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.purposefirewall.config.ConfigException;
import org.purposefirewall.config.FirewallConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every command shares: its configuration options, loaded before it runs. A configuration error is exit 2
 * with the loader's message (file and key); the command itself gets a valid config.
 */
abstract class ConfiguredCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        FirewallConfig config;
        try {
            config = options.load(policyOverride());
        } catch (ConfigException e) {
            err().println("configuration error: " + e.getMessage());
            return PurposeFirewallMain.USAGE_ERROR;
        }
        return run(config);
    }

    /** A candidate policy file to load in place of the configured one, or null (the default). */
    Path policyOverride() {
        return null;
    }

    /** Runs the command with a loaded, valid config; returns the exit code. */
    abstract int run(FirewallConfig config);

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
