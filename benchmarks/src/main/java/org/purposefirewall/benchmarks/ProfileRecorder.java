package org.purposefirewall.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import jdk.jfr.Category;
import jdk.jfr.Configuration;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Recording;

/**
 * A JFR recording (JDK settings "profile": execution samples every 10 ms, allocation samples, locks, I/O) of one
 * measured firewall run, started when the run's clock starts and dumped when it stops. It ends with a
 * {@link ProfiledRun} event spanning exactly the timed window and naming the run's stream threads, which
 * {@link ProfileSummary} uses as its wall clock and thread filter.
 */
final class ProfileRecorder implements AutoCloseable {

    /** The timed window of the profiled run. */
    @Name(ProfiledRun.NAME)
    @Label("Profiled benchmark run")
    @Category("Purpose Firewall")
    @Description("The timed window of a profiled benchmark run: its wall clock and its stream threads")
    static final class ProfiledRun extends Event {
        static final String NAME = "org.purposefirewall.benchmarks.ProfiledRun";

        @Label("Application id")
        String applicationId;

        @Label("Stream thread name pattern")
        @Description("A Java regex matching the names of the run's stream threads")
        String threadPattern;

        @Label("Contact points")
        long contactPoints;
    }

    private final Recording recording;
    private final Path file;
    private final ProfiledRun run = new ProfiledRun();

    private ProfileRecorder(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    /** Starts recording now, for the run of {@code applicationId}. */
    static ProfileRecorder start(Path file, String applicationId, long contactPoints) {
        Configuration profile;
        try {
            profile = Configuration.getConfiguration("profile");
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("cannot read the JDK's JFR settings 'profile'", e);
        }
        Recording recording = new Recording(profile);
        recording.setName("purpose-firewall-benchmark");
        recording.setToDisk(true);
        ProfileRecorder recorder = new ProfileRecorder(recording, file);
        recorder.run.applicationId = applicationId;
        recorder.run.threadPattern = "^" + java.util.regex.Pattern.quote(applicationId) + "-.*StreamThread-\\d+$";
        recorder.run.contactPoints = contactPoints;
        recording.start();
        recorder.run.begin();
        return recorder;
    }

    /** Ends the timed window (call when the run's clock stops). */
    void endRun() {
        run.end();
        run.commit();
    }

    /** Stops the recording and writes it to the file. */
    @Override
    public void close() {
        try {
            recording.stop();
            recording.dump(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the JFR recording to " + file, e);
        } finally {
            recording.close();
        }
    }

    Path file() {
        return file;
    }
}
