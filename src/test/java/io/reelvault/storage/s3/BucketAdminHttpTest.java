package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * CORS and the public access block, which no S3 server available here implements, against a stub that
 * speaks just those two sub-resources of the S3 REST API (and answers 501 NotImplemented for the others,
 * as s3proxy does): the exact requests setup sends, and what verify makes of the answers.
 */
class BucketAdminHttpTest {
    static final String BUCKET = "ai-video-test";
    static final String ACCESS_KEY = "AKIASTUBSTUBSTUBSTUB";
    static final String SECRET_KEY = "stub-secret-key-never-printed-0123456789";

    /** What setup must PUT to ?cors, whitespace between elements aside. */
    static final String CORS_XML = """
            <CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <CORSRule>
                <AllowedHeader>Content-Type</AllowedHeader>
                <AllowedHeader>Content-Length</AllowedHeader>
                <AllowedHeader>Authorization</AllowedHeader>
                <AllowedHeader>X-Amz-Date</AllowedHeader>
                <AllowedHeader>X-Amz-Security-Token</AllowedHeader>
                <AllowedHeader>x-amz-server-side-encryption</AllowedHeader>
                <AllowedHeader>If-None-Match</AllowedHeader>
                <AllowedHeader>Range</AllowedHeader>
                <AllowedMethod>GET</AllowedMethod>
                <AllowedMethod>PUT</AllowedMethod>
                <AllowedMethod>POST</AllowedMethod>
                <AllowedOrigin>https://app.example.com</AllowedOrigin>
                <AllowedOrigin>https://studio.example.com</AllowedOrigin>
                <ExposeHeader>ETag</ExposeHeader>
                <ExposeHeader>Content-Range</ExposeHeader>
                <ExposeHeader>Accept-Ranges</ExposeHeader>
                <ExposeHeader>Content-Length</ExposeHeader>
                <MaxAgeSeconds>3600</MaxAgeSeconds>
              </CORSRule>
            </CORSConfiguration>
            """;

    /** What setup must PUT to ?publicAccessBlock. */
    static final String PUBLIC_ACCESS_BLOCK_XML = """
            <PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <BlockPublicAcls>true</BlockPublicAcls>
              <IgnorePublicAcls>true</IgnorePublicAcls>
              <BlockPublicPolicy>true</BlockPublicPolicy>
              <RestrictPublicBuckets>true</RestrictPublicBuckets>
            </PublicAccessBlockConfiguration>
            """;

    record Request(String method, String path, String subResource, String body) {}

    HttpServer server;
    S3AsyncClient s3;
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    /** Stored configuration per sub-resource (what a GET answers); absent: the S3 "no such configuration" 404. */
    final Map<String, String> stored = new ConcurrentHashMap<>();
    /** Forced error answers per "METHOD subResource": S3 error code and status. */
    final Map<String, Map.Entry<String, Integer>> failures = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        s3 = S3AsyncClient.builder()
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder())
                .endpointOverride(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .forcePathStyle(true)
                .region(Region.EU_WEST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    @AfterEach
    void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String query = exchange.getRequestURI().getRawQuery();
        String subResource = query == null ? "" : query.split("[=&]", 2)[0];
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        requests.add(new Request(method, exchange.getRequestURI().getRawPath(), subResource, body));
        var failure = failures.get(method + " " + subResource);
        if (failure != null) {
            error(exchange, failure.getValue(), failure.getKey());
        } else if (!subResource.equals("cors") && !subResource.equals("publicAccessBlock")) {
            error(exchange, 501, "NotImplemented");
        } else if (method.equals("PUT")) {
            stored.put(subResource, body);
            answer(exchange, 200, "");
        } else if (method.equals("GET") && stored.containsKey(subResource)) {
            answer(exchange, 200, stored.get(subResource));
        } else if (method.equals("GET")) {
            error(
                    exchange,
                    404,
                    subResource.equals("cors") ? "NoSuchCORSConfiguration" : "NoSuchPublicAccessBlockConfiguration");
        } else {
            error(exchange, 405, "MethodNotAllowed");
        }
    }

    private static void error(HttpExchange exchange, int status, String code) throws IOException {
        answer(
                exchange,
                status,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code
                        + "</Code><Message>stub</Message><RequestId>STUB</RequestId></Error>");
    }

    private static void answer(HttpExchange exchange, int status, String xml) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        exchange.getResponseHeaders().set("x-amz-request-id", "STUB");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    BucketAdmin admin() {
        return new BucketAdmin(
                s3,
                BUCKET,
                new BucketAdmin.Wanted(List.of("https://app.example.com", " https://studio.example.com"), false));
    }

    static String compact(String xml) {
        return xml.replaceFirst("^<\\?xml[^>]*\\?>", "")
                .replaceAll(">\\s+<", "><")
                .strip();
    }

    List<Request> puts() {
        return requests.stream().filter(r -> r.method().equals("PUT")).toList();
    }

    @Test
    void setupSendsExactlyTheCorsRuleAndAllFourPublicAccessFlags() {
        List<String> out = new ArrayList<>();
        assertEquals(0, admin().setup(out::add), String.join("\n", out));
        assertEquals(
                List.of(
                        "applied public-access-block: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets all true",
                        "unsupported encryption: not supported by this server",
                        "unsupported lifecycle: not supported by this server",
                        "applied cors: GET, PUT, POST from https://app.example.com, https://studio.example.com"),
                out);

        List<Request> puts = puts();
        assertEquals(4, puts.size(), puts.toString());
        Request block = puts.get(0);
        assertEquals("/" + BUCKET, block.path());
        assertEquals("publicAccessBlock", block.subResource());
        assertEquals(compact(PUBLIC_ACCESS_BLOCK_XML), compact(block.body()));
        assertEquals(
                List.of("encryption", "lifecycle"),
                List.of(puts.get(1).subResource(), puts.get(2).subResource()));
        Request cors = puts.get(3);
        assertEquals("/" + BUCKET, cors.path());
        assertEquals("cors", cors.subResource());
        assertEquals(compact(CORS_XML), compact(cors.body()));
        assertEquals(4, requests.size(), "no retries, no other requests: " + requests);
    }

    @Test
    void verifyAfterSetupIsOkAndNeedsOnlyGets() {
        admin().setup(line -> {});
        requests.clear();
        List<String> out = new ArrayList<>();
        assertEquals(0, admin().verify(out::add), String.join("\n", out));
        assertEquals(
                List.of(
                        "ok public-access-block",
                        "unsupported encryption: not supported by this server",
                        "unsupported lifecycle: not supported by this server",
                        "ok cors"),
                out);
        assertTrue(
                requests.stream()
                        .allMatch(r -> r.method().equals("GET") && r.path().equals("/" + BUCKET)),
                requests.toString());
        assertEquals(
                List.of("publicAccessBlock", "encryption", "lifecycle", "cors"),
                requests.stream().map(Request::subResource).toList());
    }

    @Test
    void verifyIgnoresOrderAndHeaderCase() {
        stored.put("cors", """
                <CORSConfiguration><CORSRule><ID>browser-uploads</ID>
                <AllowedOrigin>https://studio.example.com</AllowedOrigin><AllowedOrigin>https://app.example.com</AllowedOrigin>
                <AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
                <AllowedHeader>x-amz-security-token</AllowedHeader><AllowedHeader>authorization</AllowedHeader>
                <AllowedHeader>content-length</AllowedHeader><AllowedHeader>x-amz-date</AllowedHeader>
                <AllowedHeader>content-type</AllowedHeader><AllowedHeader>if-none-match</AllowedHeader>
                <AllowedHeader>X-AMZ-SERVER-SIDE-ENCRYPTION</AllowedHeader><AllowedHeader>RANGE</AllowedHeader>
                <MaxAgeSeconds>3600</MaxAgeSeconds><ExposeHeader>content-length</ExposeHeader><ExposeHeader>etag</ExposeHeader>
                <ExposeHeader>accept-ranges</ExposeHeader><ExposeHeader>Content-Range</ExposeHeader>
                </CORSRule></CORSConfiguration>""");
        stored.put("publicAccessBlock", """
                <PublicAccessBlockConfiguration><RestrictPublicBuckets>true</RestrictPublicBuckets>
                <BlockPublicPolicy>true</BlockPublicPolicy><IgnorePublicAcls>true</IgnorePublicAcls>
                <BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>""");
        List<String> out = new ArrayList<>();
        assertEquals(0, admin().verify(out::add), String.join("\n", out));
        assertEquals("ok public-access-block", out.get(0));
        assertEquals("ok cors", out.get(3));
    }

    @Test
    void verifyReportsDriftWhenTheStoredConfigurationDiffers() {
        admin().setup(line -> {});
        stored.put("cors", """
                <CORSConfiguration><CORSRule>
                <AllowedOrigin>*</AllowedOrigin>
                <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod>
                <AllowedMethod>DELETE</AllowedMethod>
                <AllowedHeader>Content-Type</AllowedHeader><AllowedHeader>Content-Length</AllowedHeader>
                <AllowedHeader>Authorization</AllowedHeader><AllowedHeader>X-Amz-Date</AllowedHeader>
                <AllowedHeader>X-Amz-Security-Token</AllowedHeader><AllowedHeader>x-amz-server-side-encryption</AllowedHeader>
                <AllowedHeader>If-None-Match</AllowedHeader>
                <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>86400</MaxAgeSeconds>
                </CORSRule></CORSConfiguration>""");
        stored.put("publicAccessBlock", """
                <PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>
                <IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy>
                </PublicAccessBlockConfiguration>""");
        List<String> out = new ArrayList<>();
        assertEquals(1, admin().verify(out::add), String.join("\n", out));
        assertEquals(
                List.of(
                        "drift public-access-block: BlockPublicPolicy expected true, actual false;"
                                + " RestrictPublicBuckets expected true, actual unset",
                        "unsupported encryption: not supported by this server",
                        "unsupported lifecycle: not supported by this server",
                        "drift cors: AllowedHeaders expected [authorization, content-length, content-type, if-none-match,"
                                + " range, x-amz-date, x-amz-security-token, x-amz-server-side-encryption], actual"
                                + " [authorization, content-length, content-type, if-none-match, x-amz-date,"
                                + " x-amz-security-token, x-amz-server-side-encryption];"
                                + " AllowedMethods expected [GET, POST, PUT], actual [DELETE, GET, POST, PUT];"
                                + " AllowedOrigins expected [https://app.example.com, https://studio.example.com], actual [*];"
                                + " ExposeHeaders expected [accept-ranges, content-length, content-range, etag], actual [etag];"
                                + " MaxAgeSeconds expected 3600, actual 86400"),
                out);
    }

    @Test
    void verifyReportsAnExtraCorsRuleAndAMissingConfiguration() {
        admin().setup(line -> {});
        String ours = compact(stored.get("cors"));
        stored.put(
                "cors",
                ours.replace(
                        "</CORSConfiguration>",
                        "<CORSRule><AllowedOrigin>https://evil.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>"
                                + "</CORSConfiguration>"));
        stored.remove("publicAccessBlock");
        List<String> out = new ArrayList<>();
        assertEquals(1, admin().verify(out::add));
        assertEquals("drift public-access-block: none set", out.get(0));
        assertEquals(
                "drift cors: rule count expected 1, actual 2;"
                        + " unexpected {AllowedMethods=[GET], AllowedOrigins=[https://evil.example]}",
                out.get(3));
    }

    @Test
    void aRefusedStepIsAnErrorWithItsCodeAndTheOthersStillRun() {
        failures.put("PUT publicAccessBlock", Map.entry("AccessDenied", 403));
        failures.put("GET cors", Map.entry("AccessDenied", 403));
        List<String> out = new ArrayList<>();
        assertEquals(1, admin().setup(out::add));
        assertEquals("error public-access-block: AccessDenied (HTTP 403)", out.get(0));
        assertEquals(
                "applied cors: GET, PUT, POST from https://app.example.com, https://studio.example.com", out.get(3));

        List<String> verify = new ArrayList<>();
        assertEquals(1, admin().verify(verify::add));
        assertEquals("drift public-access-block: none set", verify.get(0));
        assertEquals("error cors: AccessDenied (HTTP 403)", verify.get(3));
        String all = String.join("\n", out) + String.join("\n", verify);
        assertFalse(all.contains(SECRET_KEY) || all.contains(ACCESS_KEY), "no credentials in the output: " + all);
    }

    @Test
    void anUnreachableServerIsAnErrorWithoutTheSdkMessage() {
        server.stop(0);
        server = null;
        List<String> out = new ArrayList<>();
        assertEquals(1, admin().verify(out::add));
        assertEquals(4, out.size());
        for (String line : out) {
            assertTrue(
                    line.matches("error [a-z-]+: cannot reach S3: .*connection refused.* \\(details in the log\\)"),
                    line);
        }
    }
}
