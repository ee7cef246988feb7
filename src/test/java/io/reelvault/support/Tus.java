package io.reelvault.support;

import static io.restassured.RestAssured.given;

import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** tus 1.0 calls of {@code /api/v1/tus/} with rest-assured. */
public final class Tus {
    public static final String OCTETS = "application/offset+octet-stream";

    private Tus() {}

    /** {@code Upload-Metadata} of these pairs, in order. */
    public static String metadata(String... keyValues) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            pairs.put(keyValues[i], keyValues[i + 1]);
        }
        return pairs.entrySet().stream()
                .map(e -> e.getKey() + " "
                        + Base64.getEncoder().encodeToString(e.getValue().getBytes(StandardCharsets.UTF_8)))
                .collect(Collectors.joining(","));
    }

    /** {@code Upload-Metadata} of a generation's clip (an MP4), the pipeline's target. */
    public static String clipMetadata(String generationId, int clip) {
        return metadata(
                "target",
                "generation_clip",
                "generation_id",
                generationId,
                "clip",
                Integer.toString(clip),
                "filetype",
                "video/mp4");
    }

    public static RequestSpecification tus(String token) {
        return given().auth().oauth2(token).header("Tus-Resumable", "1.0.0");
    }

    /** POST with {@code Upload-Length} (null: deferred) and {@code Upload-Metadata}. */
    public static ValidatableResponse create(String token, Long length, String metadata) {
        RequestSpecification r = tus(token).header("Upload-Metadata", metadata);
        r = length == null ? r.header("Upload-Defer-Length", "1") : r.header("Upload-Length", length);
        return r.post("/api/v1/tus/").then();
    }

    /** Creates an upload and answers its URL (absolute). */
    public static String created(String token, Long length, String metadata) {
        return create(token, length, metadata).statusCode(201).extract().header("Location");
    }

    /** PATCH {@code chunk} at {@code offset}. */
    public static ValidatableResponse patch(String token, String url, long offset, byte[] chunk) {
        return tus(token)
                .contentType(OCTETS)
                .header("Upload-Offset", offset)
                .body(chunk)
                .patch(url)
                .then();
    }

    /** PATCH with {@code Upload-Checksum: algorithm base64(digest)}. */
    public static ValidatableResponse patch(String token, String url, long offset, byte[] chunk, String checksum) {
        return tus(token)
                .contentType(OCTETS)
                .header("Upload-Offset", offset)
                .header("Upload-Checksum", checksum)
                .body(chunk)
                .patch(url)
                .then();
    }

    public static ValidatableResponse head(String token, String url) {
        return tus(token).head(url).then();
    }

    /** {@code sha256 {base64}} of the bytes. */
    public static String sha256(byte[] bytes) {
        return "sha256 " + digest("SHA-256", bytes);
    }

    public static String sha1(byte[] bytes) {
        return "sha1 " + digest("SHA-1", bytes);
    }

    private static String digest(String algorithm, byte[] bytes) {
        try {
            return Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] slice(byte[] bytes, int from, int to) {
        return Arrays.copyOfRange(bytes, from, to);
    }
}
