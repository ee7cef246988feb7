package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelvault.support.Poll;
import io.reelvault.support.RedisServer;
import io.reelvault.support.S3ProxyServer;
import io.reelvault.support.Samples;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Three replicas on one bucket (s3proxy's filesystem store) and one Redis: conditional writes with {@code If-Match},
 * plus the Redis lease per document (s3proxy checks the condition and writes in two steps). Here the replicas also
 * share their rate limits and single-flight claims through Redis and scan usage every second, so that a mixed
 * workload through a round-robin client can check what only a shared state makes true across replicas.
 */
class ReplicasIT extends ReplicasContract {
    /** A listing bucket this small makes the limit visible: 4 requests, then one more a minute, whichever replica. */
    static final int LIST_CAPACITY = 4;

    static final String BUCKET = "reelvault-replicas-it";

    S3ProxyServer s3;
    RedisServer redis;
    S3AsyncClient client;

    @Override
    Map<String, String> startStorage(Path dir) throws Exception {
        s3 = new S3ProxyServer(Files.createTempDirectory(dir, "s3proxy-")).start();
        s3.createBucket(BUCKET);
        client = s3.client();
        redis = RedisServer.launch();
        Map<String, String> config = new HashMap<>(s3.serviceConfig(BUCKET));
        config.put("reelvault.redis.url", redis.url());
        return config;
    }

    @Override
    void configure(Map<String, String> config) {
        config.put("reelvault.rate-limits.enabled", "true");
        for (String bucket :
                List.of("upload", "url", "list")) { // the pipeline's clips and the uploads: never limited here
            config.put("reelvault.rate-limits." + bucket + ".pipeline-capacity", "100000");
            config.put("reelvault.rate-limits." + bucket + ".pipeline-per-minute", "100000");
        }
        config.put("reelvault.rate-limits.upload.user-capacity", "100000");
        config.put("reelvault.rate-limits.upload.user-per-minute", "100000");
        config.put("reelvault.rate-limits.list.user-capacity", Integer.toString(LIST_CAPACITY));
        config.put("reelvault.rate-limits.list.user-per-minute", "1");
        config.put("reelvault.usage.enabled", "true");
        config.put("reelvault.usage.scan-interval", "1s");
        // a Redis call past its deadline fails open (no claim, no limit): on a loaded CI machine 150 ms is missed
        config.put("reelvault.redis.timeout", "2s");
    }

    /**
     * One mixed workload, sent all at once through a round-robin client (request n to replica n mod 3): identical
     * generation requests, listings of a user whose rate limit is 4, and uploads of several users. Single flight holds
     * across replicas (every identical request is answered the one generation, created once); the rate limit is the
     * cluster's, not each replica's (4 of 12 listings pass, not 12); every upload is whole and its metadata is
     * answered by another replica than the one that stored it. Then, once each replica has scanned, every replica's
     * usage totals are the bucket's.
     */
    @Test
    @Timeout(300)
    void aMixedWorkloadThroughARoundRobinClientKeepsSingleFlightRateLimitsAndUsageAcrossReplicas() throws Exception {
        AtomicInteger next = new AtomicInteger();
        String flight = ItKeys.pipelineToken("replicas-flight");
        String limited = ItKeys.token("replicas-limited");
        String prompt = "{\"prompt\":\"one flight across three replicas " + System.nanoTime() + "\"}";
        List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
        Map<Integer, byte[]> bodies = new HashMap<>();
        for (int i = 0; i < 12; i++) {
            calls.add(call(next, "POST", "/api/v1/generations", flight, "application/json", prompt.getBytes()));
            calls.add(call(next, "GET", "/api/v1/uploads", limited, null, null));
            byte[] png = Samples.png(5000 + i);
            bodies.put(i, png);
            calls.add(call(
                    next,
                    "POST",
                    "/api/v1/uploads?filename=mixed-" + i + ".png",
                    ItKeys.token("replicas-uploader-" + (i % 4)),
                    "image/png",
                    png));
        }
        List<HttpResponse<String>> answers = runTogether(calls);

        Set<String> generations = new HashSet<>();
        int fresh = 0;
        int listed = 0;
        int limitedCount = 0;
        List<JsonNode> uploads = new ArrayList<>();
        for (HttpResponse<String> answer : answers) {
            String path = answer.uri().getPath();
            if (path.equals("/api/v1/generations")) {
                assertTrue(answer.statusCode() == 200 || answer.statusCode() == 201, answer.body());
                JsonNode created = JSON.readTree(answer.body());
                generations.add(created.get("generation_id").asText());
                fresh += created.get("reused").asBoolean() ? 0 : 1;
            } else if (answer.request().method().equals("GET")) {
                if (answer.statusCode() == 200) {
                    listed++;
                } else {
                    assertEquals(429, answer.statusCode(), answer.body());
                    assertTrue(answer.body().contains("\"code\":\"rate_limited\""), answer.body());
                    limitedCount++;
                }
            } else {
                assertEquals(201, answer.statusCode(), answer.body());
                uploads.add(JSON.readTree(answer.body()));
            }
        }
        assertEquals(1, generations.size(), "identical requests on three replicas: one generation " + generations);
        assertEquals(1, fresh, "created once, reused by the others");
        assertTrue(
                listed >= LIST_CAPACITY && listed <= LIST_CAPACITY + 1,
                "the cluster's bucket of " + LIST_CAPACITY + " (one more may refill), not one per replica: " + listed);
        assertEquals(12 - listed, limitedCount);
        for (JsonNode upload : uploads) {
            String key = upload.get("key").asText();
            int i = Integer.parseInt(upload.get("filename").asText().replaceAll("\\D", ""));
            assertEquals(Samples.sha256(bodies.get(i)), upload.get("sha256").asText());
            assertEquals(Samples.sha256(bodies.get(i)), Samples.sha256(object(key)), key + " is whole");
            HttpResponse<String> meta = call(
                            next,
                            "GET",
                            "/api/v1/uploads/" + upload.get("upload_id").asText(),
                            ItKeys.token("replicas-uploader-" + (i % 4)),
                            null,
                            null)
                    .call();
            assertEquals(200, meta.statusCode(), meta.body());
            assertEquals(
                    upload.get("sha256").asText(),
                    JSON.readTree(meta.body()).get("sha256").asText());
        }

        long start = System.nanoTime();
        AtomicLong[] stored = {new AtomicLong(), new AtomicLong()};
        client.listObjectsV2Paginator(b -> b.bucket(BUCKET))
                .contents()
                .subscribe(o -> {
                    stored[0].incrementAndGet();
                    stored[1].addAndGet(o.size());
                })
                .join();
        String pipeline = ItKeys.pipelineToken("replicas-admin");
        Poll.until(
                BOUND,
                "every replica's usage totals equal the bucket's " + stored[0] + " objects, " + stored[1] + " bytes",
                () -> {
                    for (App app : apps) {
                        JsonNode total = usage(app, pipeline).get("total");
                        if (total.get("objects").asLong() != stored[0].get()
                                || total.get("bytes").asLong() != stored[1].get()) {
                            return false;
                        }
                    }
                    return true;
                });
        System.out.printf(
                "ReplicasIT mixed workload: %d identical generation requests -> 1 generation; %d of 12 listings"
                        + " passed a limit of %d; %d uploads; usage totals agreed on 3 replicas %d ms after the workload (%s objects)%n",
                12, listed, LIST_CAPACITY, uploads.size(), (System.nanoTime() - start) / 1_000_000, stored[0]);
    }

    private JsonNode usage(App app, String token) {
        try {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(app.uri("/api/v1/admin/usage"))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            return JSON.readTree(answer.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A request to the next replica in turn. */
    private Callable<HttpResponse<String>> call(
            AtomicInteger next, String method, String path, String token, String type, byte[] body) {
        App app = apps.get(next.getAndIncrement() % REPLICAS);
        return () -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(app.uri(path))
                    .header("Authorization", "Bearer " + token)
                    .timeout(BOUND)
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            if (type != null) {
                b.header("Content-Type", type);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        };
    }

    @Override
    void stopStorage() throws Exception {
        if (client != null) {
            client.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (s3 != null) {
            s3.stop();
        }
    }

    @Override
    byte[] object(String key) {
        return client.getObject(b -> b.bucket(BUCKET).key(key), AsyncResponseTransformer.toBytes())
                .join()
                .asByteArray();
    }

    @Override
    boolean exists(String key) {
        try {
            client.headObject(b -> b.bucket(BUCKET).key(key)).join();
            return true;
        } catch (CompletionException e) {
            if (e.getCause() instanceof NoSuchKeyException
                    || e.getCause() instanceof S3Exception s && s.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
