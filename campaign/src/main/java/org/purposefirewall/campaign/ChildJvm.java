package org.purposefirewall.campaign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts the campaign's child JVMs (brokers, firewall instances) on one class path, and remembers every process it
 * started so that {@link #killAll()} (the campaign's shutdown hook and its failure path) leaves none behind.
 * Thread-safe.
 */
final class ChildJvm {

    private static final Set<Process> STARTED = ConcurrentHashMap.newKeySet();

    private final String classPath;

    ChildJvm(String classPath) {
        this.classPath = classPath;
    }

    /** The class path the child JVMs get. */
    String classPath() {
        return classPath;
    }

    /** {@code java <jvmArgs> -cp <class path> <mainClass> <args>}, output and errors appended to {@code log}. */
    Process start(List<String> jvmArgs, String mainClass, List<String> args, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Process process = builder.start();
            STARTED.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + mainClass, e);
        }
    }

    /** SIGKILL and wait (up to 10 s); forgets the process. */
    static void kill(Process process) {
        process.destroyForcibly();
        await(process, 10);
        STARTED.remove(process);
    }

    /** SIGTERM, wait up to {@code seconds}, then SIGKILL; forgets the process. */
    static void stop(Process process, int seconds) {
        process.destroy();
        if (!await(process, seconds)) {
            process.destroyForcibly();
            await(process, 10);
        }
        STARTED.remove(process);
    }

    /** Kills every child still running: the last word of every campaign, normal or not. */
    static void killAll() {
        for (Process process : List.copyOf(STARTED)) {
            kill(process);
        }
    }

    private static boolean await(Process process, int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
