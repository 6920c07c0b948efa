package org.purposefirewall.app;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dynamic class-data-sharing archive of the service's classes (the JDK's AppCDS), so that a restart maps the
 * classes a run loaded instead of reading, verifying and linking them again from the jars: about a fifth of a
 * start, a second on a 2-core machine and more when it is loaded, where class loading competes for the CPU with
 * the restart's catch-up (README, Restarts and failover).
 *
 * <p>The contract is split between the launcher and the service, because JVM options exist before the service does:
 * <ul>
 *   <li>the launcher ({@code bin/purpose-firewall} with {@code CDS_ARCHIVE}, or {@link #jvmOptions} for a Java
 *       harness) uses an archive that is newer than every class-path entry, and otherwise starts the JVM recording
 *       what it loads ({@code -XX:+RecordDynamicDumpInfo}) and names the file in the system property
 *       {@link #PROPERTY};</li>
 *   <li>the service, given that property, writes the archive once, {@link #WRITE_AFTER} after Kafka Streams first
 *       reached {@code RUNNING} (so the classes of processing, not only of start-up, are in it), to a file of its own
 *       beside the target, renamed over it when whole: a reader never maps a partial archive, and two instances
 *       writing at once leave one whole archive. A failure is a WARN and nothing else: the archive only saves
 *       time.</li>
 * </ul>
 * The JVM checks the archive itself when it maps it (its class path, each jar's size and time), and maps nothing
 * it cannot use; the launcher's freshness rule only saves it from ignoring a stale archive forever.
 */
public final class ClassDataArchive {

    /** The system property naming the archive the service is to write. */
    public static final String PROPERTY = "purpose-firewall.class-data-archive";
    /** How long after the first {@code RUNNING} the archive is written. */
    public static final Duration WRITE_AFTER = Duration.ofSeconds(60);

    /**
     * Off for the JVM that records: writing an archive makes it print a line for every class it cannot archive
     * (about a thousand, to standard output, so into the service's log), and one more at exit. A JVM that maps an
     * archive keeps the JDK's CDS warnings, which say when an archive cannot be used.
     */
    static final String QUIET = "-Xlog:cds*=off";

    private static final Logger LOG = LoggerFactory.getLogger(ClassDataArchive.class);

    private final Path target;

    ClassDataArchive(Path target) {
        this.target = target.toAbsolutePath();
    }

    /** The archive this JVM's launcher asked the service to write, if any. */
    public static Optional<ClassDataArchive> requested() {
        String file = System.getProperty(PROPERTY);
        return file == null || file.isBlank() ? Optional.empty() : Optional.of(new ClassDataArchive(Path.of(file)));
    }

    /**
     * The JVM options a harness gives a firewall JVM with this class path: map {@code archive} if it is newer than
     * every class-path entry, else record and have the service write it. None when an entry is a directory: the JDK
     * archives classes from jars only, so a run from {@code target/classes} (the tests) gains nothing.
     */
    public static List<String> jvmOptions(Path archive, String classPath) {
        return jvmOptions(archive, java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator))
                .filter(entry -> !entry.isEmpty()).map(Path::of).toList());
    }

    /** As {@link #jvmOptions(Path, String)}, with the class path's entries. */
    public static List<String> jvmOptions(Path archive, List<Path> classPath) {
        Path file = archive.toAbsolutePath();
        try {
            FileTime written = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
            boolean fresh = written != null;
            for (Path entry : classPath) {
                if (Files.isDirectory(entry)) {
                    return List.of();
                }
                if (fresh && Files.exists(entry) && Files.getLastModifiedTime(entry).compareTo(written) > 0) {
                    fresh = false;
                }
            }
            return fresh ? List.of("-XX:SharedArchiveFile=" + file)
                    : List.of("-XX:+RecordDynamicDumpInfo", "-D" + PROPERTY + "=" + file, QUIET);
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Writes the archive on a daemon thread once {@code running} has been true and {@link #WRITE_AFTER} has passed
     * since; returns at once.
     */
    public void writeAfterRunning(BooleanSupplier running) {
        Thread thread = new Thread(() -> {
            try {
                while (!running.getAsBoolean()) {
                    Thread.sleep(1_000);
                }
                Thread.sleep(WRITE_AFTER.toMillis());
                write();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "purpose-firewall-class-data-archive");
        thread.setDaemon(true);
        thread.start();
    }

    /** Writes the archive now; true if it is in place. Never throws: a failure is logged. */
    boolean write() {
        Path partial = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
        long started = System.nanoTime();
        try {
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(partial);
            String said = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmCds",
                    new Object[] {new String[] {"dynamic_dump", partial.toString()}},
                    new String[] {String[].class.getName()});
            if (!Files.isRegularFile(partial) || Files.size(partial) == 0) {
                // The JVM says why in its answer (without -XX:+RecordDynamicDumpInfo it refuses); it names no record.
                LOG.atWarn().addKeyValue("archive", target).addKeyValue("jvm", said == null ? "" : said.strip())
                        .log("class-data archive not written: the JVM wrote no archive (started without "
                                + "-XX:+RecordDynamicDumpInfo?); starts stay as slow as without one");
                return false;
            }
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
            LOG.atInfo().addKeyValue("archive", target).addKeyValue("bytes", Files.size(target))
                    .addKeyValue("ms", (System.nanoTime() - started) / 1_000_000)
                    .log("class-data archive written: the next start with it maps these classes instead of loading "
                            + "them");
            return true;
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("archive", target).addKeyValue("errorClass", e.getClass().getName())
                    .addKeyValue("error", String.valueOf(e.getMessage()))
                    .log("class-data archive not written; starts stay as slow as without one");
            return false;
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                // a stray partial file is harmless: nothing maps it, the next write replaces it
            }
        }
    }
}
