import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Proves, without a Docker engine, that docker/Dockerfile builds: replays its build stage in an empty directory.
 *
 * <ol>
 *   <li>The build context is the repository minus what {@code .dockerignore} excludes (Docker's rules: patterns
 *       anchored at the context root, {@code *}, {@code ?}, {@code **}, {@code !} exceptions, the last match wins, a
 *       path is excluded when it or a parent matches).</li>
 *   <li>Every {@code COPY} of the build stage (the stage whose {@code RUN} calls {@code mvn}) is applied, from that
 *       context, to an empty directory standing for the stage's file system; a source missing from the context fails
 *       the check, as it fails {@code docker build}.</li>
 *   <li>The stage's {@code RUN mvn ...} runs there, offline ({@code -o}) against the local Maven repository: a file
 *       the build needs and the Dockerfile does not copy fails it.</li>
 *   <li>Every {@code COPY --from=<build stage>} of the later stages must find its source among the build's output,
 *       every other {@code COPY} its source in the context; they are assembled into a runtime directory, and the
 *       image's {@code ENTRYPOINT} runs there as {@code validate --config <the image's config>} (the shipped
 *       configuration and policy, read by the shipped jar and its lib/ directory).</li>
 * </ol>
 *
 * Run by scripts/check-dockerfile.sh and by DockerfileBuildIT (integration-tests). Single-file source program
 * (java DockerfileCheck.java), JDK only. Exit 0: the build stage built and the image's layout starts; 1: it did not
 * (the reason is printed); 2: the Dockerfile uses something this check does not replay.
 *
 * <pre>
 *   java scripts/lib/DockerfileCheck.java [--repo DIR] [--dockerfile PATH] [--work DIR] [--mvn PATH]
 *                                         [--maven-repo PATH] [--timeout-seconds N] [--keep true]
 * </pre>
 * A temporary work directory is deleted after a successful check (kept with {@code --keep true}, or when given).
 */
public final class DockerfileCheck {

    static final class CheckFailed extends Exception {
        final int status;

        CheckFailed(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    record Instruction(int line, String keyword, String args) {}

    record Stage(String name, String image, List<Instruction> instructions) {}

    public static void main(String[] argv) {
        try {
            run(argv);
        } catch (CheckFailed e) {
            System.err.println("dockerfile check FAILED: " + e.getMessage());
            System.exit(e.status);
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("dockerfile check FAILED: " + e);
            System.exit(1);
        }
    }

    static void run(String[] argv) throws CheckFailed, IOException, InterruptedException {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                throw new CheckFailed(2, "usage: DockerfileCheck [--repo DIR] [--dockerfile PATH] [--work DIR]"
                        + " [--mvn PATH] [--maven-repo PATH] [--timeout-seconds N]; got " + argv[i]);
            }
            opts.put(argv[i].substring(2), argv[++i]);
        }
        Path repo = Path.of(opts.getOrDefault("repo", ".")).toAbsolutePath().normalize();
        Path dockerfile = repo.resolve(opts.getOrDefault("dockerfile", "docker/Dockerfile"));
        Path work = opts.containsKey("work") ? Path.of(opts.get("work")).toAbsolutePath()
                : Files.createTempDirectory("dockerfile-check");
        String mvn = opts.getOrDefault("mvn", "mvn");
        long timeoutSeconds = Long.parseLong(opts.getOrDefault("timeout-seconds", "600"));
        if (Files.exists(work) && Files.list(work).findAny().isPresent()) {
            throw new CheckFailed(2, "work directory is not empty: " + work);
        }

        long started = System.nanoTime();
        List<Stage> stages = parse(Files.readString(dockerfile));
        List<String> ignore = readDockerignore(repo.resolve(".dockerignore"));
        Path context = work.resolve("context");
        copyContext(repo, context, ignore);
        System.out.println("context: " + countFiles(context) + " files after .dockerignore (" + ignore.size()
                + " patterns)");

        Stage build = null;
        for (Stage stage : stages) {
            if (stage.instructions().stream().anyMatch(in -> in.keyword().equals("RUN")
                    && in.args().matches("(?s)\\s*mvn\\s.*"))) {
                build = stage;
                break;
            }
        }
        if (build == null) {
            throw new CheckFailed(2, "no stage runs mvn");
        }
        Path buildRoot = work.resolve("stage-" + (build.name() == null ? "build" : build.name()));
        Files.createDirectories(buildRoot);
        String workdir = "/";
        boolean built = false;
        for (Instruction in : build.instructions()) {
            switch (in.keyword()) {
                case "WORKDIR" -> {
                    workdir = resolveContainerPath(workdir, in.args().trim());
                    Files.createDirectories(inRoot(buildRoot, workdir));
                }
                case "COPY" -> copy(in, context, buildRoot, workdir);
                case "RUN" -> {
                    if (!in.args().matches("(?s)\\s*mvn\\s.*")) {
                        throw new CheckFailed(2, "line " + in.line() + ": the build stage may only RUN mvn: " + in.args());
                    }
                    String command = mvnCommand(in.args(), mvn, opts.get("maven-repo"));
                    System.out.println("build stage: " + command + "   (in " + inRoot(buildRoot, workdir) + ")");
                    int status = exec(List.of("sh", "-c", command), inRoot(buildRoot, workdir),
                            work.resolve("build.log"), timeoutSeconds);
                    if (status != 0) {
                        throw new CheckFailed(1, "line " + in.line() + ": the build exited " + status
                                + " (a file it needs is not copied?); last lines of " + work.resolve("build.log")
                                + ":\n" + tail(work.resolve("build.log"), 30));
                    }
                    built = true;
                }
                case "ENV", "ARG", "LABEL", "USER", "SHELL" -> { /* no effect on what is built */ }
                default -> throw new CheckFailed(2, "line " + in.line() + ": not replayed in the build stage: "
                        + in.keyword());
            }
        }
        if (!built) {
            throw new CheckFailed(2, "the build stage has no RUN mvn");
        }
        System.out.printf(Locale.ROOT, "build stage: built in %.0f s%n", (System.nanoTime() - started) / 1e9);

        // Later stages: their COPY sources must exist; assemble the last stage's files and start its entrypoint.
        Stage runtime = stages.get(stages.size() - 1);
        if (runtime == build) {
            throw new CheckFailed(2, "the build stage is the last stage: no runtime image");
        }
        Path runtimeRoot = work.resolve("stage-runtime");
        Files.createDirectories(runtimeRoot);
        String runtimeWorkdir = "/";
        List<String> entrypoint = null;
        for (Stage stage : stages.subList(stages.indexOf(build) + 1, stages.size())) {
            for (Instruction in : stage.instructions()) {
                if (in.keyword().equals("WORKDIR")) {
                    runtimeWorkdir = resolveContainerPath(runtimeWorkdir, in.args().trim());
                } else if (in.keyword().equals("COPY")) {
                    String from = option(in.args(), "from");
                    Path source;
                    if (from == null) {
                        source = context;
                    } else if (from.equals(build.name())) {
                        source = buildRoot;
                    } else {
                        throw new CheckFailed(2, "line " + in.line() + ": COPY --from=" + from + " is not the build stage");
                    }
                    copy(in, source, stage == runtime ? runtimeRoot : work.resolve("stage-" + stage.name()),
                            runtimeWorkdir);
                } else if (in.keyword().equals("ENTRYPOINT") && stage == runtime) {
                    entrypoint = jsonArray(in);
                }
            }
        }
        if (entrypoint == null || entrypoint.size() < 3 || !entrypoint.get(0).equals("java")
                || !entrypoint.get(1).equals("-jar")) {
            throw new CheckFailed(2, "the runtime stage's ENTRYPOINT is not [\"java\", \"-jar\", JAR]: " + entrypoint);
        }
        Path jar = inRoot(runtimeRoot, entrypoint.get(2));
        if (!Files.isRegularFile(jar)) {
            throw new CheckFailed(1, "the ENTRYPOINT's jar " + entrypoint.get(2) + " is not in the image");
        }
        Path config = inRoot(runtimeRoot, "/etc/purpose-firewall/application.yaml");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> smoke = List.of(java, "-jar", jar.toString(), "validate", "--config", config.toString());
        int status = exec(smoke, runtimeRoot, work.resolve("validate.log"), 120);
        if (status != 0) {
            throw new CheckFailed(1, "the image's entrypoint failed (" + status + "): " + String.join(" ", smoke)
                    + "\n" + tail(work.resolve("validate.log"), 30));
        }
        System.out.println("runtime stage: " + entrypoint.get(2) + " validate --config "
                + "/etc/purpose-firewall/application.yaml: " + Files.readString(work.resolve("validate.log")).lines()
                .filter(l -> l.startsWith("configuration")).findFirst().orElse("?"));
        System.out.printf(Locale.ROOT, "dockerfile check OK in %.0f s%n", (System.nanoTime() - started) / 1e9);
        if (opts.containsKey("work") || "true".equals(opts.get("keep"))) {
            System.out.println("work directory kept: " + work);
        } else {
            deleteTree(work);
        }
    }

    // ---- Dockerfile parsing ------------------------------------------------------------------------------------

    static List<Stage> parse(String text) throws CheckFailed {
        List<Stage> stages = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        StringBuilder logical = new StringBuilder();
        int startLine = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].stripTrailing();
            if (logical.length() == 0) {
                if (line.isBlank() || line.stripLeading().startsWith("#")) {
                    continue;
                }
                startLine = i + 1;
            } else if (line.stripLeading().startsWith("#")) {
                continue; // comment lines inside a continuation are dropped by Docker
            }
            if (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            logical.append(line);
            String instruction = logical.toString().strip();
            logical.setLength(0);
            int space = instruction.indexOf(' ');
            String keyword = (space < 0 ? instruction : instruction.substring(0, space)).toUpperCase(Locale.ROOT);
            String args = space < 0 ? "" : instruction.substring(space + 1).strip();
            if (keyword.equals("FROM")) {
                Matcher m = Pattern.compile("(?i)(?:--\\S+\\s+)*(\\S+)(?:\\s+AS\\s+(\\S+))?").matcher(args);
                if (!m.matches()) {
                    throw new CheckFailed(2, "line " + startLine + ": cannot read FROM " + args);
                }
                stages.add(new Stage(m.group(2), m.group(1), new ArrayList<>()));
            } else if (stages.isEmpty()) {
                if (!keyword.equals("ARG")) {
                    throw new CheckFailed(2, "line " + startLine + ": " + keyword + " before FROM");
                }
            } else {
                stages.get(stages.size() - 1).instructions().add(new Instruction(startLine, keyword, args));
            }
        }
        if (stages.isEmpty()) {
            throw new CheckFailed(2, "no FROM");
        }
        return stages;
    }

    /** The value of a {@code --name=value} flag of an instruction, or null. */
    static String option(String args, String name) {
        Matcher m = Pattern.compile("(?:^|\\s)--" + name + "=(\\S+)").matcher(args);
        return m.find() ? m.group(1) : null;
    }

    static List<String> words(Instruction in) throws CheckFailed {
        String args = in.args().replaceAll("(?:^|\\s)--\\S+", " ").strip();
        if (args.startsWith("[")) {
            return jsonArray(new Instruction(in.line(), in.keyword(), args));
        }
        List<String> words = new ArrayList<>(List.of(args.split("\\s+")));
        if (words.size() < 2) {
            throw new CheckFailed(2, "line " + in.line() + ": " + in.keyword() + " needs a source and a destination");
        }
        return words;
    }

    static List<String> jsonArray(Instruction in) throws CheckFailed {
        String s = in.args().strip();
        if (!s.startsWith("[") || !s.endsWith("]")) {
            throw new CheckFailed(2, "line " + in.line() + ": expected the JSON form: " + s);
        }
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(s);
        while (m.find()) {
            out.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return out;
    }

    static String mvnCommand(String run, String mvn, String mavenRepo) {
        String rest = run.strip().substring("mvn".length());
        StringBuilder command = new StringBuilder(shellQuote(mvn)).append(" -o");
        if (mavenRepo != null) {
            command.append(' ').append(shellQuote("-Dmaven.repo.local=" + mavenRepo));
        }
        return command.append(rest).toString();
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    // ---- COPY --------------------------------------------------------------------------------------------------

    /** Applies one COPY: sources relative to {@code from} (the context, or a stage's root), destination in {@code root}. */
    static void copy(Instruction in, Path from, Path root, String workdir) throws CheckFailed, IOException {
        List<String> words = words(in);
        List<String> sources = words.subList(0, words.size() - 1);
        String dest = words.get(words.size() - 1);
        boolean fromContext = option(in.args(), "from") == null;
        String destPath = resolveContainerPath(workdir, dest);
        boolean intoDirectory = dest.endsWith("/") || sources.size() > 1;
        for (String source : sources) {
            List<Path> matches = glob(from, fromContext ? source : source.replaceFirst("^/+", ""));
            if (matches.isEmpty()) {
                throw new CheckFailed(1, "line " + in.line() + ": COPY source " + source + " is not "
                        + (fromContext ? "in the build context (missing, or excluded by .dockerignore)"
                        : "in the build stage's output"));
            }
            if (matches.size() > 1) {
                intoDirectory = true;
            }
            for (Path match : matches) {
                Path target = inRoot(root, destPath);
                if (Files.isDirectory(match)) {
                    copyTree(match, target);
                } else {
                    Path file = intoDirectory || Files.isDirectory(target) ? target.resolve(match.getFileName().toString())
                            : target;
                    Files.createDirectories(file.getParent());
                    Files.copy(match, file, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static List<Path> glob(Path base, String pattern) throws IOException {
        String clean = pattern.replaceFirst("^\\./", "").replaceFirst("^/+", "");
        if (clean.isEmpty() || clean.equals(".")) {
            return List.of(base);
        }
        if (!clean.matches(".*[*?\\[].*")) {
            Path p = base.resolve(clean);
            return Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? List.of(p) : List.of();
        }
        PathMatcher matcher = base.getFileSystem().getPathMatcher("glob:" + clean);
        try (Stream<Path> all = Files.walk(base)) {
            return all.filter(p -> matcher.matches(base.relativize(p))).sorted().toList();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static String resolveContainerPath(String workdir, String path) {
        String p = path.startsWith("/") ? path : (workdir.endsWith("/") ? workdir : workdir + "/") + path;
        return Path.of(p).normalize().toString();
    }

    static Path inRoot(Path root, String containerPath) {
        return root.resolve(containerPath.replaceFirst("^/+", "")).normalize();
    }

    // ---- .dockerignore -----------------------------------------------------------------------------------------

    static List<String> readDockerignore(Path file) throws IOException {
        List<String> patterns = new ArrayList<>();
        if (!Files.exists(file)) {
            return patterns;
        }
        for (String line : Files.readAllLines(file)) {
            String p = line.strip();
            if (p.isEmpty() || p.startsWith("#")) {
                continue;
            }
            boolean negated = p.startsWith("!");
            String body = negated ? p.substring(1).strip() : p;
            body = Path.of(body.replaceFirst("^/+", "")).normalize().toString();
            patterns.add((negated ? "!" : "") + body);
        }
        return patterns;
    }

    /** Docker's rule: the last pattern that matches the path or one of its parent directories decides. */
    static boolean ignored(String relative, List<String> patterns) {
        boolean excluded = false;
        for (String pattern : patterns) {
            boolean negated = pattern.startsWith("!");
            Pattern regex = globRegex(negated ? pattern.substring(1) : pattern);
            String path = relative;
            boolean matches = false;
            while (true) {
                if (regex.matcher(path).matches()) {
                    matches = true;
                    break;
                }
                int slash = path.lastIndexOf('/');
                if (slash < 0) {
                    break;
                }
                path = path.substring(0, slash);
            }
            if (matches) {
                excluded = !negated;
            }
        }
        return excluded;
    }

    static Pattern globRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                i++;
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                    i++;
                    re.append("(?:.*/)?");
                } else {
                    re.append(".*");
                }
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '[') {
                int end = glob.indexOf(']', i);
                if (end < 0) {
                    re.append("\\[");
                } else {
                    re.append('[').append(glob, i + 1, end).append(']');
                    i = end;
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    static void copyContext(Path repo, Path context, List<String> ignore) throws IOException {
        Files.walkFileTree(repo, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String rel = repo.relativize(dir).toString();
                if (!rel.isEmpty() && ignored(rel, ignore) && !hasException(rel, ignore)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(context.resolve(rel));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String rel = repo.relativize(file).toString();
                if (!ignored(rel, ignore)) {
                    Files.copy(file, context.resolve(rel), StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Whether an exception pattern may re-include something under an excluded directory (then it is walked). */
    static boolean hasException(String dir, List<String> patterns) {
        return patterns.stream().anyMatch(p -> p.startsWith("!") && (p.startsWith("!" + dir + "/") || p.contains("*")));
    }

    static long countFiles(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).count();
        }
    }

    // ---- processes ---------------------------------------------------------------------------------------------

    static int exec(List<String> command, Path dir, Path log, long timeoutSeconds)
            throws IOException, InterruptedException, CheckFailed {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new CheckFailed(1, String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
        }
        return p.exitValue();
    }

    static String tail(Path file, int lines) throws IOException {
        List<String> all = Files.readAllLines(file);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
