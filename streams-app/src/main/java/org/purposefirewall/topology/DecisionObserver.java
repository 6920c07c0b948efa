package org.purposefirewall.topology;

/**
 * Sees each data record's decision with what it was taken on ({@link DecisionTrace}), on the stream thread, after
 * the decision and before its output is written. For {@code explain}: the live service attaches none, and building
 * a trace costs store reads a decision does not need. An observer must not throw.
 */
@FunctionalInterface
public interface DecisionObserver {

    void decided(DecisionTrace trace);
}
