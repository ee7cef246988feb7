package io.reelvault.support;

import static io.restassured.RestAssured.given;

import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import java.net.http.HttpResponse;
import java.util.Map;

/** Calls of the uploads API ({@code /api/v1/uploads}) and of the signed upload URLs it hands out. */
public final class Uploads {
    private Uploads() {}

    /** A raw upload: the body as is, its type in {@code Content-Type}, its name in the query. */
    public static ValidatableResponse uploadRaw(String token, String filename, String contentType, byte[] body) {
        return given().auth()
                .oauth2(token)
                .contentType(contentType)
                .queryParam("filename", filename)
                .body(body)
                .when()
                .post("/api/v1/uploads")
                .then();
    }

    /** Uploads a small PNG as this user; answers its id. */
    public static String upload(String token) {
        return uploadRaw(token, "a.png", "image/png", Samples.png(1000))
                .statusCode(201)
                .extract()
                .path("upload_id");
    }

    /** Asks for a download URL of upload {@code id}. */
    public static ValidatableResponse url(String token, String id) {
        return given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/url")
                .then();
    }

    /** Asks for a direct (presigned) upload; the answer holds {@code upload_url} and the {@code headers} to send. */
    public static ExtractableResponse<Response> presign(String token, String filename, String type, long size) {
        return given().auth()
                .oauth2(token)
                .contentType("application/json")
                .body(Map.of("filename", filename, "content_type", type, "size_bytes", size))
                .post("/api/v1/uploads/presign")
                .then()
                .extract();
    }

    public static HttpResponse<String> putTo(String url, String contentType, byte[] body) throws Exception {
        return putTo(url, Map.of("Content-Type", contentType), body);
    }

    /** A PUT of {@code body} to a signed URL, as the AWS SDKs send one (see {@link SignedPut}). */
    public static HttpResponse<String> putTo(String url, Map<String, String> headers, byte[] body) throws Exception {
        return SignedPut.send(url, headers, body);
    }

    /** A PUT to a presigned upload's URL with exactly the headers the presign answer lists, as a browser would send. */
    public static HttpResponse<String> putSigned(ExtractableResponse<Response> presigned, byte[] body)
            throws Exception {
        return putTo(presigned.path("upload_url"), presigned.<Map<String, String>>path("headers"), body);
    }
}
