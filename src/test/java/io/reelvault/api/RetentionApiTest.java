package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.model.Area;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.IncludingExpired;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.SignedUrls;
import io.reelvault.storage.local.LifecycleSweeper;
import io.reelvault.storage.local.SweepSummary;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.Management;
import io.reelvault.support.OpenApiContract;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** Retention on the local backend, end to end: never served once expired, then swept and counted. */
@QuarkusTest
@OpenApiContract.Checked
class RetentionApiTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern TEMP_EXPIRED = Pattern.compile(
            "^reelvault_lifecycle_expired_objects_total\\{area=\"temp\"[^}]*} (\\S+)$", Pattern.MULTILINE);

    @Inject
    ObjectStore store;

    @Inject
    @IncludingExpired
    ObjectStore includingExpired;

    @Inject
    LifecycleSweeper sweeper;

    @Inject
    AdjustableClock clock;

    @Test
    void anExpiredTempObjectIs404ExpiredThenSweptAndCounted() {
        ObjectKey key = ObjectKey.parse("temp/retention-" + UUID.randomUUID() + "/processing/pass1.bin");
        byte[] data = {1, 2, 3, 4};
        store.put(
                        key,
                        Multi.createFrom().item(ByteBuffer.wrap(data)),
                        OptionalLong.of(data.length),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        Instant created = store.head(key).await().atMost(WAIT).orElseThrow().lastModified();
        Instant expiry = Area.TEMP.expiresAt(created).orElseThrow();
        double countedBefore = tempExpiredMetric();
        try {
            clock.setTo(expiry.minusSeconds(1));
            byte[] served = given().urlEncodingEnabled(false)
                    .get(URI.create(sign(key)))
                    .then()
                    .statusCode(200)
                    .extract()
                    .asByteArray();
            assertArrayEquals(data, served);

            clock.setTo(expiry);
            String url = sign(key); // signed in the moved time, so that the signature is still valid
            given().urlEncodingEnabled(false)
                    .get(URI.create(url))
                    .then()
                    .statusCode(404)
                    .contentType("application/problem+json")
                    .body("code", equalTo("expired"));
            given().urlEncodingEnabled(false).head(URI.create(url)).then().statusCode(404);
            assertTrue(includingExpired.head(key).await().atMost(WAIT).isPresent(), "still on disk until swept");

            SweepSummary summary = sweeper.sweep();
            assertFalse(summary.skipped());
            assertTrue(summary.deleted().get(Area.TEMP) >= 1, summary.toString());
            assertEquals(Optional.empty(), includingExpired.head(key).await().atMost(WAIT));
        } finally {
            clock.reset();
        }
        assertTrue(tempExpiredMetric() >= countedBefore + 1, "counted in reelvault_lifecycle_expired_objects_total");
        Management.given()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .body(Matchers.containsString("reelvault_lifecycle_expired_objects_total{area=\"generations\""))
                .body(Matchers.containsString("reelvault_lifecycle_expired_objects_total{area=\"compositions\""))
                .body(Matchers.matchesPattern(
                        "(?s).*\nreelvault_lifecycle_last_success_timestamp_seconds(\\{[^}]*})? [1-9][0-9.E]*\n.*"));
    }

    private String sign(ObjectKey key) {
        return store.capability(SignedUrls.class)
                .orElseThrow()
                .sign("GET", key, Duration.ofMinutes(5), Map.of())
                .url()
                .toString();
    }

    private static double tempExpiredMetric() {
        String metrics = Management.given()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Matcher m = TEMP_EXPIRED.matcher(metrics);
        assertTrue(m.find(), "reelvault_lifecycle_expired_objects_total{area=\"temp\"} is exported from the start");
        return Double.parseDouble(m.group(1));
    }
}
