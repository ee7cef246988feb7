package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.create;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.support.Compositions;
import io.reelvault.support.Poll;
import io.reelvault.support.SignedPut;
import io.reelvault.support.Tools;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real media through the service: clips made by ffmpeg, thumbnails extracted by the service, and
 * ffprobe reading the signed preview URL over HTTP (it seeks with Range requests). Local backend;
 * {@code MediaPipelineS3Test} runs it again on S3.
 */
@QuarkusTest
class MediaPipelineTest {
    static final Duration BACKGROUND = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    static Path clip;
    static Path heavy;

    @BeforeAll
    static void renderClips() throws Exception {
        clip = ffmpeg(
                "clip.mp4",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=5:size=640x360:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=5",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-shortest");
        // lossless H.264 of a busy pattern: far above what CRF 23 needs
        heavy = ffmpeg(
                "heavy.mp4",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=duration=2:size=640x360:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=2",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-qp",
                "0",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-shortest");
    }

    static Path ffmpeg(String name, String... args) throws Exception {
        Path out = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
        command.addAll(List.of(args));
        command.add(out.toString());
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS) && process.exitValue() == 0, "ffmpeg made " + name);
        return out;
    }

    /**
     * ffprobe on a URL: its format and streams as JSON. Within 60 s: a service that stops answering mid-read fails
     * the test (the output is read once ffprobe exited, not from a pipe that would wait for it without a deadline).
     */
    static JsonNode ffprobe(String url) throws Exception {
        return new ObjectMapper()
                .readTree(Tools.output(
                        Duration.ofSeconds(60),
                        "Debian's 'ffmpeg' package",
                        "ffprobe",
                        "-v",
                        "error",
                        "-show_entries",
                        "format=duration:stream=codec_type,codec_name,width,height",
                        "-of",
                        "json",
                        url));
    }

    static String videoCodec(JsonNode probe) {
        for (JsonNode s : probe.get("streams")) {
            if ("video".equals(s.path("codec_type").asText())) {
                return s.path("codec_name").asText();
            }
        }
        return null;
    }

    static byte[] fetch(String url) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    @Test
    void aClipGetsAThumbnailAndPlaysOverItsSignedUrl() throws Exception {
        String id = create("a test pattern with a tone");
        given().auth()
                .oauth2(PIPELINE)
                .contentType("video/mp4")
                .body(Files.readAllBytes(clip))
                .put("/api/v1/generations/" + id + "/clips/1")
                .then()
                .statusCode(200)
                .body("thumbnail", equalTo("extracting"));
        Poll.until(
                BACKGROUND,
                "the extracted thumbnail",
                () -> "extracted"
                        .equals(given().auth()
                                .oauth2(PIPELINE)
                                .get("/api/v1/generations/" + id)
                                .then()
                                .statusCode(200)
                                .extract()
                                .path("clips[0].thumbnail")));

        var done = given().auth()
                .oauth2(PIPELINE)
                .post("/api/v1/generations/" + id + "/complete")
                .then()
                .statusCode(200)
                .extract();
        float recorded = done.path("clips[0].duration_seconds");
        assertEquals(5.0, recorded, 0.2, "complete records the duration from ffprobe");

        JsonNode probe = ffprobe(done.path("clips[0].preview_url"));
        assertEquals(5.0, probe.path("format").path("duration").asDouble(), 0.2);
        assertEquals("h264", videoCodec(probe));

        BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(fetch(done.path("clips[0].thumbnail_url"))));
        assertEquals(320, thumbnail.getWidth(), "a 320 px wide JPEG");
        assertEquals(180, thumbnail.getHeight(), "the clip's aspect ratio");
    }

    @Test
    void compressionKeepsTheSmallerFinalAndBothSizes() throws Exception {
        String generation = create("busy pattern");
        String id = Compositions.ofFirstClip(generation);
        byte[] original = Files.readAllBytes(heavy);
        given().auth()
                .oauth2(PIPELINE)
                .contentType("video/mp4")
                .body(original)
                .put("/api/v1/compositions/" + id + "/final?compress=true")
                .then()
                .statusCode(200)
                .body("compression.status", equalTo("pending"))
                .body("final_video.size_bytes", equalTo(original.length));
        Poll.until(
                BACKGROUND,
                "compression",
                () -> !"pending"
                        .equals(given().auth()
                                .oauth2(PIPELINE)
                                .get("/api/v1/compositions/" + id)
                                .then()
                                .statusCode(200)
                                .extract()
                                .path("compression.status")));

        var meta = given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + id)
                .then()
                .statusCode(200)
                .body("compression.status", equalTo("compressed"))
                .body("compression.original_size_bytes", equalTo(original.length))
                .extract();
        long compressed = ((Number) meta.path("compression.compressed_size_bytes")).longValue();
        long stored = ((Number) meta.path("final_video.size_bytes")).longValue();
        assertTrue(compressed < original.length, compressed + " < " + original.length);
        assertEquals(compressed, stored, "the stored final is the compressed one");

        String url = given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + id + "/download")
                .then()
                .statusCode(200)
                .extract()
                .path("url");
        assertEquals(stored, fetch(url).length);
        JsonNode probe = ffprobe(url);
        assertEquals(2.0, probe.path("format").path("duration").asDouble(), 0.2, "the compressed final still plays");
        assertEquals("h264", videoCodec(probe));
        Poll.until(
                BACKGROUND,
                "the final's thumbnail",
                () -> "extracted"
                        .equals(given().auth()
                                .oauth2(PIPELINE)
                                .get("/api/v1/compositions/" + id)
                                .then()
                                .extract()
                                .path("thumbnail")));
    }

    /**
     * A final uploaded in parts (direct multipart) is post-processed as a PUT one: compressed in the background (the
     * smaller file replacing the moved final under its ETag) and given a thumbnail.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aFinalUploadedInPartsIsCompressedAndGetsAThumbnail() throws Exception {
        String id = Compositions.ofFirstClip(create("busy pattern in parts"));
        byte[] original = Files.readAllBytes(heavy);
        String base = "/api/v1/compositions/" + id + "/final/multipart";
        var started = given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("content_type", "video/mp4", "size_bytes", original.length))
                .post(base)
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        String upload = started.getString("upload_id");
        int partSize = started.getInt("part_size");
        int count = started.getInt("part_count");
        List<Integer> numbers = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            numbers.add(n);
        }
        List<Map<String, Object>> urls = given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("part_numbers", numbers))
                .post(base + "/" + upload + "/parts")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("parts");
        List<Map<String, Object>> parts = new ArrayList<>();
        for (var url : urls) {
            int n = (Integer) url.get("part_number");
            byte[] slice = Arrays.copyOfRange(original, (n - 1) * partSize, Math.min(original.length, n * partSize));
            HttpResponse<String> put = SignedPut.send(
                    (String) url.get("url"),
                    url.get("headers") == null ? Map.of() : (Map<String, String>) url.get("headers"),
                    slice);
            assertEquals(200, put.statusCode(), put.body());
            parts.add(Map.of(
                    "part_number", n, "etag", put.headers().firstValue("ETag").orElseThrow()));
        }
        given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("parts", parts))
                .post(base + "/" + upload + "/complete?compress=true")
                .then()
                .statusCode(200)
                .body("status", equalTo("rendered"))
                .body("compression.status", equalTo("pending"))
                .body("final_video.size_bytes", equalTo(original.length));
        Poll.until(BACKGROUND, "compression and thumbnail", () -> {
            var meta = given().auth()
                    .oauth2(PIPELINE)
                    .get("/api/v1/compositions/" + id)
                    .then()
                    .statusCode(200)
                    .extract();
            return !"pending".equals(meta.path("compression.status")) && !"extracting".equals(meta.path("thumbnail"));
        });
        var meta = given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + id)
                .then()
                .statusCode(200)
                .body("compression.status", equalTo("compressed"))
                .body("thumbnail", equalTo("extracted"))
                .extract();
        long compressed = ((Number) meta.path("compression.compressed_size_bytes")).longValue();
        assertEquals(compressed, ((Number) meta.path("final_video.size_bytes")).longValue());
        assertTrue(compressed < original.length, compressed + " < " + original.length);
    }
}
