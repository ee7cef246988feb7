package io.reelvault.api;

import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Tus.created;
import static io.reelvault.support.Tus.head;
import static io.reelvault.support.Tus.metadata;
import static io.reelvault.support.Tus.patch;
import static io.reelvault.support.Tus.slice;
import static io.reelvault.support.Tus.tus;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.model.TusUploadId;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.ResumableWrites;
import io.reelvault.support.Generations;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * tus concatenation ({@code Upload-Concat}): partial uploads sent side by side, joined by a final upload that is
 * checked and published like any finished upload; every refusal leaves the parts as they were, or removes them with
 * the refused content. Local backend; {@code TusConcatenationS3Test} runs the same on S3.
 */
@QuarkusTest
class TusConcatenationApiTest {
    @Inject
    ReelvaultConfig config;

    @Inject
    ObjectStore store;

    static String pngMeta() {
        return metadata("filename", "parts.png", "filetype", "image/png");
    }

    /** POST {@code Upload-Concat: partial} of {@code length} bytes; its URL. */
    static String partial(String token, long length) {
        return tus(token)
                .header("Upload-Concat", "partial")
                .header("Upload-Length", length)
                .post("/api/v1/tus/")
                .then()
                .statusCode(201)
                .header("Location", matchesPattern("http://[^/]+/api/v1/tus/tus_\\d{8}_[a-z0-9]{16}"))
                .extract()
                .header("Location");
    }

    /** A finished partial upload holding {@code bytes}, sent in one PATCH. */
    static String finishedPartial(String token, byte[] bytes) {
        String url = partial(token, bytes.length);
        patch(token, url, 0, bytes).statusCode(204).header("Upload-Offset", Integer.toString(bytes.length));
        return url;
    }

    static ValidatableResponse concatenate(String token, String metadata, String... urls) {
        return tus(token)
                .header("Upload-Concat", "final;" + String.join(" ", urls))
                .header("Upload-Metadata", metadata)
                .post("/api/v1/tus/")
                .then();
    }

    static String path(String url) {
        return url.substring(url.indexOf("/api/v1/tus/"));
    }

    @Test
    void partsSentInAnyOrderBecomeOneUploadLikeAPlainOne() {
        String token = TestTokens.user("tus-concat");
        byte[] png = Samples.png(300_000);
        String a = partial(token, 100_000);
        String b = partial(token, 120_000);
        String c = partial(token, png.length - 220_000);
        // the last part first, the first in two chunks: parts are independent uploads
        patch(token, c, 0, slice(png, 220_000, png.length)).statusCode(204);
        patch(token, a, 0, slice(png, 0, 50_000)).statusCode(204);
        patch(token, b, 0, slice(png, 100_000, 220_000))
                .statusCode(204)
                .header("Reelvault-Resource", nullValue()); // a finished partial upload is not published
        patch(token, a, 50_000, slice(png, 50_000, 100_000)).statusCode(204);
        head(token, a)
                .statusCode(200)
                .header("Upload-Concat", "partial")
                .header("Upload-Offset", "100000") // all of it (a complete plain upload would answer one less)
                .header("Upload-Length", "100000");

        // the final upload names them by URL or path, in the order of their bytes
        var made = concatenate(token, pngMeta(), a, path(b), c)
                .statusCode(201)
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", Integer.toString(png.length))
                .header("Reelvault-Resource", containsString("/api/v1/uploads/upload_"))
                .extract();
        String url = made.header("Location");
        head(token, url)
                .statusCode(200)
                .header("Upload-Concat", "final;" + path(a) + " " + path(b) + " " + path(c))
                .header("Upload-Offset", Integer.toString(png.length))
                .header("Upload-Length", Integer.toString(png.length))
                .header("Upload-Metadata", pngMeta());
        given().auth()
                .oauth2(token)
                .get(made.header("Reelvault-Resource"))
                .then()
                .statusCode(200)
                .body("sha256", equalTo(Samples.sha256(png)))
                .body("size_bytes", equalTo(png.length))
                .body("content_type", equalTo("image/png"))
                .body("filename", equalTo("parts.png"));
        // the parts are used up; the final upload takes no PATCH
        for (String part : List.of(a, b, c)) {
            TusApiTest.headAnswers(head(token, part), 404);
        }
        problem(patch(token, url, png.length, new byte[1]), 403, "forbidden");
    }

    @Test
    void aPipelineFinalRenderSentInParallelLandsAsTheComposition() {
        String composition = io.reelvault.support.Compositions.ofFirstClip(
                Generations.create("tus parallel final " + System.nanoTime()));
        byte[] mp4 = Samples.mp4(200_000);
        String a = finishedPartial(Generations.PIPELINE, slice(mp4, 0, 90_000));
        String b = finishedPartial(Generations.PIPELINE, slice(mp4, 90_000, mp4.length));
        concatenate(
                        Generations.PIPELINE,
                        metadata("target", "composition_final", "composition_id", composition, "filetype", "video/mp4"),
                        a,
                        b)
                .statusCode(201)
                .header("Reelvault-Resource", containsString("/api/v1/compositions/" + composition));
        given().auth()
                .oauth2(Generations.PIPELINE)
                .get("/api/v1/compositions/" + composition)
                .then()
                .statusCode(200)
                .body("final_video.sha256", equalTo(Samples.sha256(mp4)));
    }

    @Test
    void aFinalUploadNeedsFinishedPartsOfItsCallerNamedOnce() {
        String token = TestTokens.user("tus-concat-bad");
        byte[] png = Samples.png(3_000);
        String a = finishedPartial(token, slice(png, 0, 1_000));
        String unfinished = partial(token, 2_000);
        patch(token, unfinished, 0, slice(png, 1_000, 1_500)).statusCode(204);
        String plain = created(token, 10L, pngMeta());
        String others = finishedPartial(TestTokens.user("tus-concat-other"), slice(png, 1_000, 3_000));

        problem(concatenate(token, pngMeta(), a, unfinished), 409, "conflict");
        problem(concatenate(token, pngMeta(), a, others), 404, "not_found");
        problem(concatenate(token, pngMeta(), a, plain), 400, "invalid_request");
        problem(concatenate(token, pngMeta(), a, a), 400, "invalid_request");
        problem(concatenate(token, pngMeta(), a, "/api/v1/uploads/x"), 400, "invalid_request");
        problem(concatenate(token, pngMeta(), a, "/api/v1/tus/../../etc"), 400, "invalid_id");
        problem(concatenate(token, pngMeta()), 400, "invalid_request");
        problem(
                tus(token)
                        .header("Upload-Concat", "final;" + a)
                        .header("Upload-Length", 1_000)
                        .header("Upload-Metadata", pngMeta())
                        .post("/api/v1/tus/")
                        .then(),
                400,
                "invalid_request");
        problem(
                tus(token)
                        .header("Upload-Concat", "whole;" + a)
                        .post("/api/v1/tus/")
                        .then(),
                400,
                "invalid_request");
        problem(
                tus(token)
                        .header("Upload-Concat", "partial")
                        .header("Upload-Defer-Length", "1")
                        .post("/api/v1/tus/")
                        .then(),
                400,
                "invalid_request");
        String many = Stream.generate(() -> a).limit(129).collect(Collectors.joining(" "));
        problem(concatenate(token, pngMeta(), many), 400, "invalid_request");
        // a user may not make a pipeline artifact of their parts
        problem(
                concatenate(token, metadata("target", "generation_audio", "generation_id", "gen_x"), a),
                403,
                "forbidden");

        // nothing was made of them: the parts are as they were, and join once finished
        head(token, a).statusCode(200).header("Upload-Offset", "1000");
        head(token, unfinished).statusCode(200).header("Upload-Offset", "500");
        patch(token, unfinished, 500, slice(png, 1_500, 3_000)).statusCode(204);
        concatenate(token, pngMeta(), a, unfinished).statusCode(201);
    }

    @Test
    void theSumOfThePartsIsCheckedAgainstTheTargetsLimitFirst() {
        String token = TestTokens.user("tus-concat-large");
        long max = config.uploads().maxSize().asLongValue();
        String a = partial(token, max / 2 + 1);
        String b = partial(token, max / 2 + 1);
        problem(concatenate(token, pngMeta(), a, b), 413, "payload_too_large");
        head(token, a).statusCode(200).header("Upload-Offset", "0");
        // a partial upload may not be larger than any upload of its caller either
        problem(
                tus(token)
                        .header("Upload-Concat", "partial")
                        .header("Upload-Length", max + 1)
                        .post("/api/v1/tus/")
                        .then(),
                413,
                "payload_too_large");
    }

    @Test
    void refusedContentUsesThePartsUp() {
        String token = TestTokens.user("tus-concat-liar");
        byte[] mp3 = Samples.mp3(2_000);
        String a = finishedPartial(token, slice(mp3, 0, 1_000));
        String b = finishedPartial(token, slice(mp3, 1_000, 2_000));
        problem(concatenate(token, pngMeta(), a, b), 415, "unsupported_media_type");
        TusApiTest.headAnswers(head(token, a), 404);
        TusApiTest.headAnswers(head(token, b), 404);
    }

    @Test
    void aPartWritingElsewhereMakesTheFinalLockedAndLeavesItAlone() {
        String token = TestTokens.user("tus-concat-locked");
        byte[] png = Samples.png(2_000);
        String a = finishedPartial(token, slice(png, 0, 1_000));
        String b = finishedPartial(token, slice(png, 1_000, 2_000));
        ResumableWrites writes = store.capability(ResumableWrites.class).orElseThrow();
        TusUploadId id = TusUploadId.parse(b.substring(b.lastIndexOf('/') + 1));
        try (ResumableWrites.Lease running =
                writes.lock(id).await().atMost(Duration.ofSeconds(10)).orElseThrow()) {
            problem(concatenate(token, pngMeta(), a, b), 423, "upload_locked");
        }
        // the first part's lease, taken before the second was refused, was given back
        concatenate(token, pngMeta(), a, b).statusCode(201);
    }
}
