package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's choice of JVM options, and the service's write of the archive in a JVM that records for it. */
class ClassDataArchiveTest {

    @TempDir
    Path dir;

    @Test
    void shouldMapAnArchiveNewerThanEveryJarAndOtherwiseHaveTheServiceWriteIt() throws IOException {
        Path service = jar("service.jar", 1_000);
        Path library = jar("library.jar", 2_000);
        Path archive = dir.resolve("firewall.jsa");

        // No archive yet: record, and name the file for the service
        assertThat(ClassDataArchive.jvmOptions(archive, List.of(service, library))).containsExactly(
                "-XX:+RecordDynamicDumpInfo", "-D" + ClassDataArchive.PROPERTY + "=" + archive.toAbsolutePath(),
                ClassDataArchive.QUIET);

        // Written after every jar: mapped
        Files.writeString(archive, "archive");
        Files.setLastModifiedTime(archive, FileTime.from(Instant.ofEpochSecond(3_000)));
        assertThat(ClassDataArchive.jvmOptions(archive, List.of(service, library)))
                .containsExactly("-XX:SharedArchiveFile=" + archive.toAbsolutePath());

        // A jar rebuilt since: stale, so written again rather than ignored by the JVM for ever
        Files.setLastModifiedTime(library, FileTime.from(Instant.ofEpochSecond(4_000)));
        assertThat(ClassDataArchive.jvmOptions(archive, List.of(service, library)))
                .containsExactly("-XX:+RecordDynamicDumpInfo",
                        "-D" + ClassDataArchive.PROPERTY + "=" + archive.toAbsolutePath(), ClassDataArchive.QUIET);
    }

    @Test
    void shouldGiveNoOptionsForAClassPathWithADirectoryWhoseClassesTheJdkDoesNotArchive() throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertThat(ClassDataArchive.jvmOptions(dir.resolve("firewall.jsa"), List.of(jar("a.jar", 1_000), classes)))
                .isEmpty();
    }

    @Test
    void shouldWarnAndLeaveNothingBehindWhenTheJvmDoesNotRecord() {
        // This test's JVM runs without -XX:+RecordDynamicDumpInfo: the JVM refuses, the service carries on
        Path archive = dir.resolve("firewall.jsa");
        assertThat(new ClassDataArchive(archive).write()).isFalse();
        assertThat(archive).doesNotExist();
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void shouldWriteAnArchiveThatAnotherJvmMaps() throws Exception {
        // A JVM on jars only (what the launchers run) that records, writes the archive and exits
        Path jar = copyOfThisModulesClasses();
        List<Path> classPath = new ArrayList<>(List.of(jar));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                classPath.add(p);
            }
        }
        Path archive = dir.resolve("cds").resolve("firewall.jsa");
        List<String> record = ClassDataArchive.jvmOptions(archive, classPath);
        assertThat(record).contains("-XX:+RecordDynamicDumpInfo");
        Process writer = java(record, classPath, "write");
        assertThat(writer.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String writerOut = Files.readString(dir.resolve("write.out"));
        assertThat(writer.exitValue()).as(writerOut).isZero();
        // Quiet: none of the JDK's thousand lines about classes it cannot archive in the service's log
        assertThat(writerOut).doesNotContain("[cds");
        assertThat(archive).isRegularFile();
        assertThat(Files.size(archive)).isGreaterThan(1_000_000L);
        assertThat(archive.getParent().toFile().list()).containsExactly("firewall.jsa");

        // The next JVM is told to map it, and -Xshare:on makes it fail unless it really can
        List<String> map = ClassDataArchive.jvmOptions(archive, classPath);
        assertThat(map).containsExactly("-XX:SharedArchiveFile=" + archive.toAbsolutePath());
        List<String> strict = new ArrayList<>(map);
        strict.add("-Xshare:on");
        strict.add("-Xlog:class+load=info");
        Process reader = java(strict, classPath, "load");
        assertThat(reader.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String readerOut = Files.readString(dir.resolve("load.out"));
        assertThat(reader.exitValue()).as(readerOut).isZero();
        // The service's own classes came from the archive, not from the jar
        assertThat(readerOut).containsPattern("org\\.purposefirewall\\.app\\.ClassDataArchive source: shared "
                + "objects file \\(top\\)");
    }

    /** Entry point of the child JVMs: {@code write} writes the archive the launcher named; {@code load} loads it. */
    public static final class Child {
        public static void main(String[] args) {
            boolean written = args[0].equals("write")
                    ? ClassDataArchive.requested().orElseThrow().write()
                    : ClassDataArchive.requested().isEmpty();
            System.exit(written ? 0 : 1);
        }
    }

    private Process java(List<String> options, List<Path> classPath, String mode) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.add("-cp");
        command.add(String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList()));
        command.add(Child.class.getName());
        command.add(mode);
        // to a file: the class-loading log is larger than a pipe's buffer
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(mode + ".out").toFile()).start();
    }

    /** This module's main and test classes as one jar: the JDK archives classes from jars only. */
    private Path copyOfThisModulesClasses() throws Exception {
        Path jar = dir.resolve("service.jar");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "jar").toString(), "--create", "--file",
                jar.toString()));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p) && (p.endsWith("classes") || p.endsWith("test-classes"))) {
                command.addAll(List.of("-C", p.toString(), "."));
            }
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        return jar;
    }

    private Path jar(String name, long epochSecond) throws IOException {
        Path jar = Files.writeString(dir.resolve(name), name);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.ofEpochSecond(epochSecond)));
        return jar;
    }
}
