package org.purposefirewall.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Lowers to WARN the one ERROR Kafka Streams logs on a restart after an unclean stop (kill -9, OOM kill, power loss)
 * under exactly-once: {@code TaskManager}'s {@code Get exceptions for the following tasks: {1_0=...TaskCorrupted
 * Exception: Tasks [1_0] are corrupted and hence need to be re-initialized, ...}}. It only means that a task's
 * local state was left by a process that did not close it (RocksDB stores marked open, or a store without committed
 * offsets), so Kafka Streams wipes it and restores it from the changelogs: nothing is lost and nothing is to be done,
 * but an ERROR trips log alerts and sends an operator looking. Without transactional stores (the default) it
 * follows every unclean stop; with them (see {@code PositionedStores}) an unclean stop no longer leads to it.
 *
 * <p>Exactly that case and no other: the ERROR is lowered only if every task it names is corrupted, and each of
 * them was reported first, in this process, as state left by the previous run that is not known to be committed:
 * by {@code StateDirectory}'s WARN {@code Failed to register startup state stores for task X: Tasks [X] are
 * corrupted and hence need to be re-initialized} (the stores a process finds in its state directory when it
 * starts), or by {@code ProcessorStateManager}'s WARN {@code State store ... did not find checkpoint offsets while
 * stores are not empty, since under EOS ... wipe out the local state of task X before re-bootstrapping}. Both WARNs
 * are let through, as is everything else. A task corrupted for another
 * reason (a changelog truncated under a restoring task, say), or any other exception in the same line, keeps the
 * ERROR. The lowered line keeps Kafka's text, logged at WARN by the same logger.
 *
 * <p>Thread-safe: stream threads and the main thread (which initializes stores found at start) log concurrently.
 */
public final class UncleanStopFilter extends TurboFilter {

    static final String STATE_MANAGER = "org.apache.kafka.streams.processor.internals.ProcessorStateManager";
    static final String TASK_MANAGER = "org.apache.kafka.streams.processor.internals.TaskManager";
    static final String STATE_DIRECTORY = "org.apache.kafka.streams.processor.internals.StateDirectory";
    private static final Pattern STARTUP_CORRUPTED = Pattern.compile("^Failed to register startup state stores for "
            + "task (\\d+_\\d+): Tasks \\[\\1\\] are corrupted and hence need to be re-initialized");
    private static final Pattern NO_CHECKPOINT = Pattern.compile("did not find checkpoint offsets while stores are "
            + "not empty, since under EOS .* wipe out the local state of task (\\d+_\\d+) before re-bootstrapping");
    private static final String GET_EXCEPTIONS = "Get exceptions for the following tasks: {";
    private static final Pattern ENTRY = Pattern.compile("(?:^|, )(\\d+_\\d+)=([\\w.$]+)(?::|(?=, |$))");
    private static final String CORRUPTED = "org.apache.kafka.streams.errors.TaskCorruptedException";

    /** Tasks this process has seen reported without committed offsets, waiting for Kafka's ERROR about them. */
    private final Set<String> withoutCheckpoint = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Boolean> relogging = ThreadLocal.withInitial(() -> false);

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable t) {
        if (logger == null || format == null || relogging.get()) {
            return FilterReply.NEUTRAL;
        }
        if (level == Level.WARN && (STATE_MANAGER.equals(logger.getName())
                || STATE_DIRECTORY.equals(logger.getName()))) {
            Matcher m = (STATE_MANAGER.equals(logger.getName()) ? NO_CHECKPOINT : STARTUP_CORRUPTED)
                    .matcher(text(format, params));
            if (m.find()) {
                withoutCheckpoint.add(m.group(1));
            }
            return FilterReply.NEUTRAL;
        }
        if (level != Level.ERROR || !TASK_MANAGER.equals(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        String text = text(format, params);
        List<String> tasks = onlyUncleanStopCorruptions(text);
        if (tasks.isEmpty()) {
            return FilterReply.NEUTRAL;
        }
        tasks.forEach(withoutCheckpoint::remove);
        relogging.set(true);
        try {
            LoggerFactory.getLogger(TASK_MANAGER).atWarn().setCause(t).log(text);
        } finally {
            relogging.set(false);
        }
        return FilterReply.DENY;
    }

    /**
     * The tasks of a {@code Get exceptions for the following tasks: {...}} text if each is a
     * {@code TaskCorruptedException} of a task reported without committed offsets; else none.
     */
    List<String> onlyUncleanStopCorruptions(String text) {
        int start = text.indexOf(GET_EXCEPTIONS);
        if (start < 0 || !text.endsWith("}")) {
            return List.of();
        }
        String map = text.substring(start + GET_EXCEPTIONS.length(), text.length() - 1);
        List<String> tasks = new ArrayList<>();
        Matcher m = ENTRY.matcher(map);
        int entries = 0;
        while (m.find()) {
            entries++;
            if (!CORRUPTED.equals(m.group(2)) || !withoutCheckpoint.contains(m.group(1))) {
                return List.of();
            }
            tasks.add(m.group(1));
        }
        // Every "<task>=" of the map must have been an entry read above, or something else is in it.
        int assignments = map.split("(?:^|, )\\d+_\\d+=", -1).length - 1;
        return entries > 0 && entries == assignments ? tasks : List.of();
    }

    private static String text(String format, Object[] params) {
        // Kafka's LogContext formats the message itself (params null); other callers pass parameters.
        return params == null || params.length == 0 ? format : MessageFormatter.arrayFormat(format, params).getMessage();
    }
}
