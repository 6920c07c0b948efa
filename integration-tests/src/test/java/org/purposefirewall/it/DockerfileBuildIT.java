package org.purposefirewall.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/Dockerfile builds, proven without a Docker engine: scripts/lib/DockerfileCheck.java (also run by
 * scripts/check-dockerfile.sh) copies the build context through .dockerignore, applies exactly the build stage's COPY
 * instructions to an empty directory, runs the stage's {@code mvn} command there offline against this build's local
 * repository, then assembles the runtime stage and runs its entrypoint as {@code validate --config}. The failing
 * cases show that the check would catch what the user reported: a reactor pom that is not copied, and a source that
 * .dockerignore leaves out of the context.
 */
class DockerfileBuildIT {

    private static final Path REPO = Path.of(System.getProperty("purposefirewall.repo.root", "..")).toAbsolutePath()
            .normalize();
    private static final Path DOCKERFILE = REPO.resolve("docker/Dockerfile");

    record Result(int status, String output) {}

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theDockerfileBuildsFromWhatItCopiesAndItsImageStarts(@TempDir Path tmp) throws Exception {
        Result result = check(DOCKERFILE, tmp.resolve("work"));

        assertThat(result.status()).as(result.output()).isZero();
        assertThat(result.output())
                .contains("-DskipTestRegistry -DskipTests")
                .contains("configuration OK")
                .contains("dockerfile check OK");
        assertThat(tmp.resolve("work/stage-runtime/opt/purpose-firewall/purpose-firewall.jar")).isRegularFile();
        assertThat(tmp.resolve("work/stage-runtime/opt/purpose-firewall/lib")).isDirectoryContaining("glob:**/kafka-streams-*.jar");
        // Nothing .dockerignore excludes reached the image's build: no build output, no VCS data.
        assertThat(tmp.resolve("work/context/streams-app/target")).doesNotExist();
        assertThat(tmp.resolve("work/context/.git")).doesNotExist();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aModulePomTheReactorListsButTheDockerfileDoesNotCopyFailsTheCheck(@TempDir Path tmp) throws Exception {
        Path dockerfile = tmp.resolve("Dockerfile");
        List<String> lines = new ArrayList<>(Files.readAllLines(DOCKERFILE));
        assertThat(lines.removeIf(l -> l.startsWith("COPY benchmarks/pom.xml"))).isTrue();
        Files.write(dockerfile, lines);

        Result result = check(dockerfile, tmp.resolve("work"));

        assertThat(result.status()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("Child module").contains("benchmarks").contains("does not exist");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSourceThatDockerignoreExcludesFailsTheCheck(@TempDir Path tmp) throws Exception {
        assertThat(REPO.resolve(".gitignore")).isRegularFile();
        Path dockerfile = tmp.resolve("Dockerfile");
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            if (line.startsWith("RUN mvn")) {
                lines.add("COPY .gitignore ./");
            }
            lines.add(line);
        }
        Files.write(dockerfile, lines);

        Result result = check(dockerfile, tmp.resolve("work"));

        assertThat(result.status()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("COPY source .gitignore is not in the build context");
    }

    private static Result check(Path dockerfile, Path work) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, REPO.resolve("scripts/lib/DockerfileCheck.java").toString(),
                "--repo", REPO.toString(), "--dockerfile", dockerfile.toString(), "--work", work.toString(),
                "--timeout-seconds", "300"));
        String mavenHome = System.getProperty("purposefirewall.maven.home", "");
        if (!mavenHome.isBlank() && Files.isExecutable(Path.of(mavenHome, "bin", "mvn"))) {
            command.addAll(List.of("--mvn", Path.of(mavenHome, "bin", "mvn").toString()));
        }
        String localRepository = System.getProperty("purposefirewall.maven.repo.local", "");
        if (!localRepository.isBlank()) {
            command.addAll(List.of("--maven-repo", localRepository));
        }
        Path log = Files.createTempFile(work.getParent(), "check", ".log");
        Process process = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("the Dockerfile check did not finish within 5 minutes: " + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }
}
