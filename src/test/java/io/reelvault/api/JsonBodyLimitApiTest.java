package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Samples.paddedJson;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.support.Generations;
import io.restassured.response.ValidatableResponse;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every JSON body is refused past its small limit (413 {@code payload_too_large}) whether it declares its length or
 * comes chunked, and a body of exactly the limit is read. The endpoints that read a JSON body are found by
 * reflection over the resource classes, so a new one without a row in {@link #LIMITS} fails here.
 */
@QuarkusTest
class JsonBodyLimitApiTest {
    private static final int KIB = 1024;

    /** Every operation that reads a JSON body, and its documented limit. */
    static final Map<String, Integer> LIMITS = Map.of(
            "POST /api/v1/uploads/presign", 16 * KIB,
            "POST /api/v1/uploads/multipart", 16 * KIB,
            "POST /api/v1/uploads/{uploadId}/multipart/parts", 16 * KIB,
            "POST /api/v1/uploads/{uploadId}/multipart/complete", 1024 * KIB,
            "POST /api/v1/generations", 96 * KIB,
            "POST /api/v1/generations/{generationId}/fail", 16 * KIB,
            "POST /api/v1/compositions", 256 * KIB,
            "POST /api/v1/compositions/{compositionId}/final/multipart", 16 * KIB,
            "POST /api/v1/compositions/{compositionId}/final/multipart/{uploadId}/parts", 16 * KIB,
            "POST /api/v1/compositions/{compositionId}/final/multipart/{uploadId}/complete", 1024 * KIB);

    static ValidatableResponse send(String method, String path, byte[] body, boolean chunked) {
        var request = given().auth().oauth2(PIPELINE).contentType("application/json");
        request = chunked ? request.body(new ByteArrayInputStream(body)) : request.body(body);
        return request.request(method, path).then();
    }

    static String presignJson() {
        return "{\"filename\":\"a.png\",\"content_type\":\"image/png\",\"size_bytes\":100}";
    }

    @Test
    void presignBodiesPastTheLimitAreRefusedByLengthAndWhileChunked() {
        int limit = LIMITS.get("POST /api/v1/uploads/presign");
        problem(
                send("POST", "/api/v1/uploads/presign", paddedJson(presignJson(), limit + 1), false),
                413,
                "payload_too_large");
        problem(
                send("POST", "/api/v1/uploads/presign", paddedJson(presignJson(), limit + 1), true),
                413,
                "payload_too_large");
        problem(
                send("POST", "/api/v1/uploads/presign", paddedJson(presignJson(), 5 * 1024 * 1024), true),
                413,
                "payload_too_large");
        send("POST", "/api/v1/uploads/presign", paddedJson(presignJson(), limit), false)
                .statusCode(201);
        send("POST", "/api/v1/uploads/presign", paddedJson(presignJson(), limit), true)
                .statusCode(201);
    }

    @Test
    void timelinesHaveTheirOwnLargerLimit() {
        String gen = Generations.create("a timeline at the limit");
        String json = "{\"generation_id\":\"" + gen + "\",\"timeline\":{\"clips\":[{\"clip\":1,\"start_seconds\":0}]}}";
        int limit = LIMITS.get("POST /api/v1/compositions");
        send("POST", "/api/v1/compositions", paddedJson(json, limit), false).statusCode(201);
        send("POST", "/api/v1/compositions", paddedJson(json, limit), true).statusCode(201);
        problem(send("POST", "/api/v1/compositions", paddedJson(json, limit + 1), false), 413, "payload_too_large");
        problem(send("POST", "/api/v1/compositions", paddedJson(json, limit + 1), true), 413, "payload_too_large");
    }

    @Test
    void everyJsonEndpointHasALimit() throws IOException {
        Map<String, Integer> found = new TreeMap<>();
        for (Method m : jsonMethods()) {
            found.put(operation(m), LIMITS.getOrDefault(operation(m), -1));
        }
        assertEquals(new TreeMap<>(LIMITS), found, "every resource method reading a JSON body has a row in LIMITS");
        for (var e : LIMITS.entrySet()) {
            String method = e.getKey().substring(0, e.getKey().indexOf(' '));
            String path = e.getKey().substring(e.getKey().indexOf(' ') + 1).replaceAll("\\{[^}]+}", "x");
            for (boolean chunked : new boolean[] {false, true}) {
                problem(send(method, path, paddedJson("{}", e.getValue() + 1), chunked), 413, "payload_too_large");
                // at the limit the body is read (and then judged on its content)
                send(method, path, paddedJson("{}", e.getValue()), chunked).statusCode(not(413));
            }
        }
    }

    /** Resource methods with an entity parameter: one no JAX-RS or REST annotation binds to the path, query, headers or context. */
    static List<Method> jsonMethods() throws IOException {
        List<Method> methods = new ArrayList<>();
        java.nio.file.Path classes = java.nio.file.Path.of("target/classes/io/reelvault/api");
        try (Stream<java.nio.file.Path> files = Files.list(classes)) {
            for (java.nio.file.Path f :
                    files.filter(p -> p.toString().endsWith(".class")).toList()) {
                Class<?> type;
                try {
                    type = Class.forName(
                            "io.reelvault.api." + f.getFileName().toString().replace(".class", ""));
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
                if (!type.isAnnotationPresent(Path.class)) {
                    continue;
                }
                for (Method m : type.getDeclaredMethods()) {
                    if (httpMethod(m) != null
                            && Arrays.stream(m.getParameters()).anyMatch(JsonBodyLimitApiTest::isEntity)) {
                        methods.add(m);
                    }
                }
            }
        }
        assertNotEquals(0, methods.size());
        return methods;
    }

    private static boolean isEntity(Parameter p) {
        for (Annotation a : p.getAnnotations()) {
            String pkg = a.annotationType().getPackageName();
            if (pkg.startsWith("jakarta.ws.rs") || pkg.startsWith("org.jboss.resteasy.reactive")) {
                return false;
            }
        }
        return true;
    }

    private static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod h = a.annotationType().getAnnotation(HttpMethod.class);
            if (h != null) {
                return h.value();
            }
        }
        return null;
    }

    private static String operation(Method m) {
        String path = m.getDeclaringClass().getAnnotation(Path.class).value();
        if (m.isAnnotationPresent(Path.class)) {
            path += m.getAnnotation(Path.class).value();
        }
        return httpMethod(m) + " " + path;
    }
}
