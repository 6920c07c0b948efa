package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/purpose-firewall}'s JVM options for {@code CDS_ARCHIVE}, read from a stand-in {@code java} that prints
 * its arguments (the launcher honours {@code JAVA}); needs the service jar built, as the launcher does.
 */
class LauncherIT {

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).resolve("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void shouldMapAFreshArchiveRecordForAMissingOrStaleOneOnRunAndDoNothingWithoutCdsArchive() throws Exception {
        Path archive = dir.resolve("firewall.jsa");
        String record = "-XX:+RecordDynamicDumpInfo";
        String name = "-Dpurpose-firewall.class-data-archive=" + archive;
        String map = "-XX:SharedArchiveFile=" + archive;

        // Unset: the JVM gets none of it
        assertThat(launch(null, "run")).doesNotContain(record, map).noneMatch(a -> a.startsWith("-Dpurpose-firewall"));

        // Missing: run records and names the file for the service, quietly; another command neither records nor maps
        assertThat(launch(archive, "run", "--config", "x.yaml")).contains(record, name, "-Xlog:cds*=off")
                .doesNotContain(map).endsWith("org.purposefirewall.app.PurposeFirewallMain", "run", "--config",
                        "x.yaml");
        assertThat(launch(archive, "validate")).doesNotContain(record, name, map);

        // Newer than every jar: every command maps it
        Files.writeString(archive, "archive");
        assertThat(launch(archive, "run")).contains(map).doesNotContain(record, name);
        assertThat(launch(archive, "validate")).contains(map);

        // Older than a jar (a rebuild): stale, so run records a new one rather than have the JVM ignore it
        Files.setLastModifiedTime(archive, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        assertThat(launch(archive, "run")).contains(record, name).doesNotContain(map);
    }

    /** The arguments the launcher gives {@code java}. */
    private List<String> launch(Path archive, String... args) throws IOException, InterruptedException {
        Path java = dir.resolve("java");
        if (!Files.exists(java)) {
            Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        List<String> command = new java.util.ArrayList<>(List.of(ROOT.resolve("bin/purpose-firewall").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("JAVA", java.toString());
        env.remove("JAVA_OPTS");
        env.remove("CDS_ARCHIVE");
        if (archive != null) {
            env.put("CDS_ARCHIVE", archive.toString());
        }
        Process p = builder.start();
        assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }
}
