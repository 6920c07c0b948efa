package org.purposefirewall.topology;

import java.util.HashMap;
import java.util.Map;
import org.purposefirewall.policy.Purpose;

/**
 * {@link Purpose#parse}, remembered: producers repeat a handful of declared purposes, and parsing one costs more than
 * the decision. Bounded in entries and in the length of text it keeps. One per processor (one stream thread).
 */
final class PurposeCache {

    private static final int MAX_ENTRIES = 10_000;
    private static final int MAX_TEXT_CHARS = 512;
    private final Map<String, Purpose> known = new HashMap<>();

    /** @throws IllegalArgumentException as {@link Purpose#parse} does */
    Purpose parse(String text) {
        Purpose purpose = known.get(text);
        if (purpose != null) {
            return purpose;
        }
        Purpose parsed = Purpose.parse(text);
        if (text.length() > MAX_TEXT_CHARS) {
            // Padding can make a valid purpose's text any length: remembered, such texts would fill the heap.
            return parsed;
        }
        if (known.size() >= MAX_ENTRIES) {
            known.clear();
        }
        known.put(text, parsed);
        return parsed;
    }
}
