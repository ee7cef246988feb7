package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.Management;
import io.reelvault.support.Poll;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.reelvault.support.TmpfsRoot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A full disk under the local backend: the storage root is a tmpfs of {@value TmpfsRoot#SIZE_MIB} MiB ({@link TmpfsRoot},
 * mounted by the test; needs root). An upload that does not fit answers 507 {@code insufficient_storage} without
 * {@code Retry-After} and leaves neither an object nor a temp file; readiness is DOWN and says the storage is full;
 * once a filler file is deleted, readiness is UP again and the next upload is stored.
 */
@QuarkusTest
@TestProfile(DiskFullApiTest.Profile.class)
class DiskFullApiTest {
    static final int UPLOAD = 2 << 20;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TmpfsRoot.class));
        }
    }

    @Test
    @Timeout(90)
    void anUploadThatCannotFitAnswers507LeavesNothingAndTheServiceRecovers() throws Exception {
        Path root = TmpfsRoot.root;
        String user = "full-" + Long.toString(System.nanoTime(), 36);
        String token = TestTokens.user(user);
        awaitReadiness(200);

        Path filler = root.resolve("filler.bin"); // outside the four areas: no object, only used space
        fill(filler, Files.getFileStore(root).getUsableSpace() - 512 * 1024);
        byte[] png = Samples.png(UPLOAD);
        var refused = given().auth()
                .oauth2(token)
                .contentType("image/png")
                .queryParam("filename", "big.png")
                .body(png)
                .post("/api/v1/uploads")
                .then();
        refused.statusCode(507)
                .contentType("application/problem+json")
                .body("code", equalTo("insufficient_storage"))
                .body("status", equalTo(507))
                .header("Retry-After", nullValue());
        assertEquals(List.of(), entries(root.resolve(".tmp")), "no temp file is left");
        assertTrue(
                Files.notExists(root.resolve("uploads").resolve(user))
                        || entries(root.resolve("uploads").resolve(user)).isEmpty(),
                "no object is left");
        Management.given().get("/q/health/ready").then(); // the verdict is cached for a second: poll until it changes
        awaitReadiness(503);
        Management.given()
                .get("/q/health/ready")
                .then()
                .statusCode(503)
                .body("checks.find { it.name == 'storage' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'storage' }.data.error", containsString("the storage is full"));

        Files.delete(filler);
        awaitReadiness(200);
        given().auth()
                .oauth2(token)
                .contentType("image/png")
                .queryParam("filename", "big.png")
                .body(png)
                .post("/api/v1/uploads")
                .then()
                .statusCode(201)
                .body("size_bytes", equalTo(UPLOAD));
        assertEquals(List.of(), entries(root.resolve(".tmp")));
    }

    static void awaitReadiness(int status) {
        Poll.until(
                Duration.ofSeconds(15),
                "readiness " + status,
                () -> Management.given().get("/q/health/ready").statusCode() == status);
    }

    /** A file of about {@code bytes} (of written zeros, which a tmpfs stores), stopping early if the disk fills. */
    static void fill(Path file, long bytes) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long left = bytes; left > 0; left -= zeros.limit()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), left));
                while (zeros.hasRemaining()) {
                    out.write(zeros);
                }
            }
        }
    }

    static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
