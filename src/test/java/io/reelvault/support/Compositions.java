package io.reelvault.support;

import static io.restassured.RestAssured.given;

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

    /** Creates a composition of clip 1 of {@code generation} from its start, as the pipeline; answers its id. */
    public static String ofFirstClip(String generation) {
        return given().auth()
                .oauth2(Generations.PIPELINE)
                .contentType("application/json")
                .body(Map.of(
                        "generation_id",
                        generation,
                        "timeline",
                        Map.of("clips", List.of(Map.of("clip", 1, "start_seconds", 0)))))
                .post("/api/v1/compositions")
                .then()
                .statusCode(201)
                .extract()
                .path("composition_id");
    }
}
