package io.reelvault.support;

import java.util.List;
import java.util.Map;

/** Bodies of the compositions API ({@code /api/v1/compositions}). */
public final class Compositions {
    private Compositions() {}

    /** A timeline of these clips with an audio track. */
    public static Map<String, Object> timeline(Object... clips) {
        return Map.of("clips", List.of(clips), "audio", Map.of("volume", 0.8));
    }

    /** Clip {@code n} of the generation, 2.5 s long, from {@code start} seconds. */
    public static Map<String, Object> clip(int n, double start) {
        return Map.of("clip", n, "start_seconds", start, "duration_seconds", 2.5);
    }
}
