package io.reelvault.service.composition;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.GenerationId;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The shape a composition's {@code timeline.json} must have. Fields this service does not know
 * (transitions, text overlays, ...) are kept as sent.
 *
 * <pre>{@code
 * {"clips": [{"clip": 1, "generation_id": "gen_...", "start_seconds": 0, "duration_seconds": 4.5,
 *             "trim_start_seconds": 0.5}, ...],
 *  "audio": {...}}
 * }</pre>
 * {@code clips}: 1 to {@value #MAX_CLIPS} entries; {@code clip} 1 to 999; {@code generation_id} defaults
 * to the composition's; {@code start_seconds} and {@code trim_start_seconds} at least 0;
 * {@code duration_seconds} more than 0. At most {@value #MAX_GENERATIONS} distinct generations.
 */
final class Timeline {
    static final int MAX_CLIPS = 1000;
    static final int MAX_GENERATIONS = 20;

    private Timeline() {}

    /** @return the generations the timeline uses; {@code invalid_request} naming the first bad field */
    static Set<GenerationId> validate(JsonNode timeline, Optional<GenerationId> composition) {
        if (timeline == null || !timeline.isObject()) {
            throw invalid("timeline must be a JSON object with a clips array");
        }
        JsonNode clips = timeline.get("clips");
        if (clips == null || !clips.isArray() || clips.isEmpty() || clips.size() > MAX_CLIPS) {
            throw invalid("timeline.clips must be an array of 1 to " + MAX_CLIPS + " clips");
        }
        if (timeline.has("audio") && !timeline.get("audio").isObject()) {
            throw invalid("timeline.audio must be an object");
        }
        Set<GenerationId> used = new LinkedHashSet<>();
        for (int i = 0; i < clips.size(); i++) {
            JsonNode c = clips.get(i);
            String at = "timeline.clips[" + i + "]";
            if (!c.isObject()) {
                throw invalid(at + " must be an object");
            }
            JsonNode clip = c.get("clip");
            if (clip == null
                    || !clip.canConvertToInt()
                    || !clip.isIntegralNumber()
                    || clip.asInt() < 1
                    || clip.asInt() > 999) {
                throw invalid(at + ".clip must be a clip number 1 to 999");
            }
            number(c, "start_seconds", at, true, true);
            number(c, "trim_start_seconds", at, false, true);
            number(c, "duration_seconds", at, false, false);
            JsonNode gen = c.get("generation_id");
            if (gen == null || gen.isNull()) {
                used.add(composition.orElseThrow(
                        () -> invalid(at + " has no generation_id and the composition has none")));
            } else {
                if (!gen.isTextual()) {
                    throw invalid(at + ".generation_id must be a generation id");
                }
                try {
                    used.add(GenerationId.parse(gen.asText()));
                } catch (ReelvaultException e) {
                    throw invalid(at + ".generation_id is not a valid generation id");
                }
            }
        }
        if (used.size() > MAX_GENERATIONS) {
            throw invalid("a timeline may use at most " + MAX_GENERATIONS + " generations");
        }
        return used;
    }

    private static void number(JsonNode clip, String field, String at, boolean required, boolean zeroAllowed) {
        JsonNode v = clip.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw invalid(at + "." + field + " is required");
            }
            return;
        }
        if (!v.isNumber()
                || !Double.isFinite(v.asDouble())
                || v.asDouble() < 0
                || (!zeroAllowed && v.asDouble() == 0)) {
            throw invalid(at + "." + field + " must be a number " + (zeroAllowed ? "of at least 0" : "greater than 0"));
        }
    }

    private static ReelvaultException invalid(String detail) {
        return new ReelvaultException(ErrorCode.INVALID_REQUEST, detail);
    }
}
