package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.put;
import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Uploads.uploadRaw;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.metering.ScanRun;
import io.reelvault.metering.UsageScanner;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.IncludingExpired;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.Management;
import io.reelvault.support.MetricsText;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Samples;
import io.reelvault.support.TestStorageRoot;
import io.reelvault.support.TestTokens;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/admin/usage} and the usage gauges on the local backend: moved by the service's own writes
 * and deletes, corrected by a scan; {@code UsageApiS3Test} runs it again on S3.
 */
@QuarkusTest
@OpenApiContract.Checked
class UsageApiTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    static final Path ROOT = TestStorageRoot.path();

    @Inject
    UsageScanner scanner;

    @Inject
    @IncludingExpired
    ObjectStore includingExpired;

    /** Writes an object behind the service's back (the meter cannot see it). */
    void plant(String key, byte[] data) throws Exception {
        Path file = ROOT.resolve(key);
        Files.createDirectories(file.getParent());
        Files.write(file, data);
    }

    /** Removes a planted object behind the service's back. */
    void unplant(String key) throws Exception {
        Files.delete(ROOT.resolve(key));
    }

    record Usage(long objects, long bytes) {}

    static JsonPath usage() {
        return given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/admin/usage")
                .then()
                .statusCode(200)
                .contentType("application/json")
                .extract()
                .jsonPath();
    }

    static Usage area(String area) {
        JsonPath json = usage();
        return new Usage(json.getLong("areas." + area + ".objects"), json.getLong("areas." + area + ".bytes"));
    }

    /** The area's gauges from /q/metrics, checked against the endpoint. */
    static Usage gauges(String area) {
        String metrics = Management.given()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Usage gauges = new Usage((long) gauge(metrics, "reelvault_storage_objects", area), (long)
                gauge(metrics, "reelvault_storage_bytes", area));
        assertEquals(area(area), gauges, "the gauges and the endpoint agree");
        return gauges;
    }

    private static double gauge(String metrics, String name, String area) {
        Matcher m = Pattern.compile("^" + name + "\\{area=\"" + area + "\"[^}]*} (\\S+)$", Pattern.MULTILINE)
                .matcher(metrics);
        assertTrue(m.find(), name + "{area=\"" + area + "\"} is exported");
        return Double.parseDouble(m.group(1));
    }

    private static byte[] bytes(int size) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) i;
        }
        return data;
    }

    private void scan() {
        ScanRun run = scanner.run();
        assertFalse(run.skipped());
        assertTrue(run.passCompleted(), "the default page budget covers the test storage in one run: " + run);
    }

    @Test
    void theShapeListsEveryAreaAndATotal() {
        MetricsText before = MetricsText.scrape();
        scan();
        JsonPath json = usage();
        assertEquals(
                List.of("uploads", "generations", "compositions", "temp"),
                List.copyOf(json.getMap("areas").keySet()));
        long objects = 0;
        long bytes = 0;
        for (String area : List.of("uploads", "generations", "compositions", "temp")) {
            objects += json.getLong("areas." + area + ".objects");
            bytes += json.getLong("areas." + area + ".bytes");
        }
        assertEquals(objects, json.getLong("total.objects"));
        assertEquals(bytes, json.getLong("total.bytes"));
        assertEquals("scan+increments", json.getString("source"));
        given().auth().oauth2(PIPELINE).get("/api/v1/admin/usage").then().body("scanned_at", notNullValue());
        MetricsText after = MetricsText.scrape();
        // a completed pass moves the timestamp and reads at least one page per area: the series alone prove nothing
        assertTrue(
                after.value("reelvault_usage_scan_last_success_timestamp_seconds")
                        > before.value("reelvault_usage_scan_last_success_timestamp_seconds"),
                "a completed pass moves the timestamp");
        assertTrue(after.delta(before, "reelvault_usage_scan_pages_total") >= 4, "a page per area at least");
        for (String area : List.of("uploads", "generations", "compositions", "temp")) {
            gauges(area);
        }
    }

    @Test
    void tempFilesMoveTheNumbersByTheirExactSizesAndBack() {
        scan();
        Usage before = gauges("temp");
        String job = freshUser("usage-job");
        byte[] a = bytes(12_345);
        byte[] b = bytes(678);
        put("/api/v1/temp/" + job + "/a.tmp", "application/octet-stream", a).statusCode(200);
        put("/api/v1/temp/" + job + "/b.tmp", "application/octet-stream", b).statusCode(200);
        assertEquals(new Usage(before.objects() + 2, before.bytes() + a.length + b.length), gauges("temp"));

        byte[] smaller = bytes(100);
        put("/api/v1/temp/" + job + "/b.tmp", "application/octet-stream", smaller)
                .statusCode(200);
        assertEquals(
                new Usage(before.objects() + 2, before.bytes() + a.length + smaller.length),
                gauges("temp"),
                "a small rewrite replaces, it does not count twice");

        given().auth().oauth2(PIPELINE).delete("/api/v1/temp/" + job).then().statusCode(204);
        assertEquals(before, gauges("temp"));
        scan();
        assertEquals(before, gauges("temp"), "the scan agrees with the increments");
    }

    @Test
    void anUploadCountsItsOriginalAndMetadataAndItsDeletionTakesThemBack() {
        scan();
        Usage before = gauges("uploads");
        String token = TestTokens.user(freshUser("usage"));
        byte[] png = Samples.png(5000);
        var created =
                uploadRaw(token, "u.png", "image/png", png).statusCode(201).extract();
        String id = created.path("upload_id");
        String key = created.path("key");
        ObjectKey metadata = ObjectKey.parse(key.substring(0, key.lastIndexOf('/')) + "/metadata.json");
        long metadataSize = includingExpired
                .head(metadata)
                .await()
                .atMost(WAIT)
                .orElseThrow()
                .size();
        assertEquals(new Usage(before.objects() + 2, before.bytes() + png.length + metadataSize), gauges("uploads"));

        given().auth().oauth2(token).delete("/api/v1/uploads/" + id).then().statusCode(204);
        assertEquals(before, gauges("uploads"));
    }

    @Test
    void aScanCorrectsWhatTheIncrementsCannotSee() throws Exception {
        scan();
        Usage before = gauges("compositions");
        String key =
                "compositions/comp_20260101_" + freshUser("planted").replaceAll("[^a-z0-9]", "") + "/thumbnail.jpg";
        byte[] data = bytes(4321);
        plant(key, data);
        try {
            assertEquals(before, gauges("compositions"), "written behind the service's back: not seen yet");
            scan();
            assertEquals(new Usage(before.objects() + 1, before.bytes() + data.length), gauges("compositions"));
        } finally {
            unplant(key);
        }
        scan();
        assertEquals(before, gauges("compositions"));
    }

    @Test
    void onlyThePipelineMayReadUsage() throws IOException {
        problem(
                given().auth()
                        .oauth2(TestTokens.user("mallory"))
                        .get("/api/v1/admin/usage")
                        .then(),
                403,
                "forbidden");
        problem(given().get("/api/v1/admin/usage").then(), 401, "unauthenticated");
    }
}
