package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.create;
import static io.reelvault.support.Generations.put;
import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.Area;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.IncludingExpired;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.local.LifecycleSweeper;
import io.reelvault.storage.local.SweepSummary;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The retention table through the pipeline's endpoints, with the service's clock moved: temp files
 * 7 days, generations 30, compositions 90, each rounded up to 00:00 UTC; uploads never. Served up
 * to the last instant before expiry, 404 {@code expired} from it on (before any sweep), then swept
 * and counted (local backend). {@code PipelineRetentionApiS3Test} checks the never-serve rule on S3,
 * where the bucket's lifecycle rules delete.
 */
@QuarkusTest
@OpenApiContract.Checked
class PipelineRetentionApiTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    AdjustableClock clock;

    @Inject
    ObjectStore store;

    @Inject
    @IncludingExpired
    ObjectStore includingExpired;

    @Inject
    LifecycleSweeper sweeper;

    @AfterEach
    void realTime() {
        clock.reset();
    }

    /** Whether this backend is swept by the service (local) rather than by S3 lifecycle rules. */
    boolean swept() {
        return true;
    }

    List<ObjectInfo> stored(String prefix) {
        return includingExpired
                .list(new KeyPrefix(prefix), Optional.empty())
                .collect()
                .asList()
                .await()
                .atMost(WAIT);
    }

    /** Sweeps at {@code at} and checks that nothing under {@code prefix} is left and the area's count moved. */
    void sweptAt(Instant at, String prefix, Area area) {
        if (!swept()) {
            return;
        }
        int objects = stored(prefix).size();
        assertTrue(objects > 0);
        clock.setTo(at);
        SweepSummary summary = sweeper.sweep();
        assertTrue(summary.deleted().get(area) >= objects, summary.toString());
        assertEquals(List.of(), stored(prefix), "swept");
    }

    @Test
    void tempFilesLiveSevenDays() {
        String job = freshUser("ret");
        String expiresAt = put("/api/v1/temp/" + job + "/pass.tmp", "application/octet-stream", new byte[] {1, 2, 3})
                .statusCode(200)
                .extract()
                .path("expires_at");
        Instant expiry = Instant.parse(expiresAt);
        ObjectKey key = ObjectKey.parse("temp/" + job + "/processing/pass.tmp");
        Instant written = stored("temp/" + job + "/").get(0).lastModified();
        assertEquals(Area.TEMP.expiresAt(written).orElseThrow(), expiry);
        assertEquals(
                0,
                expiry.atZone(ZoneOffset.UTC).getHour()
                        + expiry.atZone(ZoneOffset.UTC).getMinute());

        clock.setTo(expiry.minusSeconds(60));
        given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/temp/" + job + "/pass.tmp/url")
                .then()
                .statusCode(200)
                .body("expires_in", lessThanOrEqualTo(60));
        clock.setTo(expiry.minusNanos(1));
        assertEquals(3, store.head(key).await().atMost(WAIT).orElseThrow().size(), "kept at the last instant");
        if (swept()) {
            sweeper.sweep();
            assertEquals(1, stored("temp/" + job + "/").size(), "a sweep at the last instant keeps it");
        }
        clock.setTo(expiry);
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .get("/api/v1/temp/" + job + "/pass.tmp/url")
                        .then(),
                404,
                "expired");
        ReelvaultException refused = Assertions.assertThrows(
                ReelvaultException.class,
                () -> store.get(key, Optional.empty()).await().atMost(WAIT));
        assertEquals(ErrorCode.EXPIRED, refused.code());
        sweptAt(expiry, "temp/" + job + "/", Area.TEMP);
    }

    @Test
    void generationsLiveThirtyDays() {
        String id = create("retention");
        put("/api/v1/generations/" + id + "/clips/1", "video/mp4", Samples.mp4(1_000))
                .statusCode(200);
        Instant expiry = Instant.parse(given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/generations/" + id)
                .then()
                .statusCode(200)
                .extract()
                .path("expires_at"));
        Instant created = Instant.parse(given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/generations/" + id)
                .then()
                .extract()
                .path("created_at"));
        assertEquals(Area.GENERATIONS.expiresAt(created).orElseThrow(), expiry);
        String today = created.toString().substring(0, 10);

        clock.setTo(expiry.minusMillis(1));
        given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/generations/" + id)
                .then()
                .statusCode(200)
                .body("urls_expire_in", lessThanOrEqualTo(1));
        given().auth()
                .oauth2(PIPELINE)
                .queryParam("since", today)
                .queryParam("limit", 1000)
                .get("/api/v1/generations")
                .then()
                .statusCode(200)
                .body("items.generation_id", hasItem(id));
        clock.setTo(expiry);
        problem(given().auth().oauth2(PIPELINE).get("/api/v1/generations/" + id).then(), 404, "expired");
        problem(put("/api/v1/generations/" + id + "/clips/2", "video/mp4", Samples.mp4(1_000)), 404, "expired");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .post("/api/v1/generations/" + id + "/complete")
                        .then(),
                404,
                "expired");
        given().auth()
                .oauth2(PIPELINE)
                .queryParam("since", today)
                .queryParam("limit", 1000)
                .get("/api/v1/generations")
                .then()
                .statusCode(200)
                .body("items.generation_id", not(hasItem(id)));
        // objects written later than the metadata (a clip after midnight) may expire a day later: sweep past both
        sweptAt(expiry.plus(Duration.ofDays(1)), "generations/" + id + "/", Area.GENERATIONS);
    }

    @Test
    void compositionsLiveNinetyDays() {
        String gen = create("for a composition");
        String id = given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of(
                        "generation_id",
                        gen,
                        "timeline",
                        Map.of("clips", List.of(Map.of("clip", 1, "start_seconds", 0)))))
                .post("/api/v1/compositions")
                .then()
                .statusCode(201)
                .extract()
                .path("composition_id");
        put("/api/v1/compositions/" + id + "/final?compress=false", "video/mp4", Samples.mp4(1_000))
                .statusCode(200);
        Instant expiry = Instant.parse(given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + id)
                .then()
                .statusCode(200)
                .extract()
                .path("expires_at"));

        clock.setTo(expiry.minus(Duration.ofHours(2)));
        given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + id + "/download")
                .then()
                .statusCode(200)
                .body("expires_in", lessThanOrEqualTo(7200));
        clock.setTo(expiry);
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .get("/api/v1/compositions/" + id)
                        .then(),
                404,
                "expired");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .get("/api/v1/compositions/" + id + "/download")
                        .then(),
                404,
                "expired");
        sweptAt(expiry.plus(Duration.ofDays(1)), "compositions/" + id + "/", Area.COMPOSITIONS);
    }

    @Test
    void uploadsNeverExpire() {
        String token = TestTokens.user(freshUser("keeper"));
        String id = Uploads.uploadRaw(token, "logo.png", "image/png", Samples.png(1_000))
                .statusCode(201)
                .extract()
                .path("upload_id");
        clock.setTo(Instant.now().plus(Duration.ofDays(3650)));
        given().auth().oauth2(token).get("/api/v1/uploads/" + id).then().statusCode(200);
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/url")
                .then()
                .statusCode(200);
        if (swept()) {
            sweeper.sweep();
        }
        clock.reset();
        given().auth().oauth2(token).get("/api/v1/uploads/" + id).then().statusCode(200);
    }
}
