package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.MetricsText;
import io.reelvault.support.Poll;
import io.reelvault.support.RateLimitRedisProfile;
import io.reelvault.support.RedisResource;
import io.reelvault.support.RedisServer;
import io.reelvault.support.TcpFaultProxy;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import io.reelvault.support.Users;
import io.restassured.RestAssured;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12, item 7: while 20 clients generate (POST generations: similar-cache lookups and single-flight claims on
 * Redis), read (signed downloads) and hit their rate limits (buckets on Redis), Redis is restarted, then frozen
 * behind a {@link TcpFaultProxy} (connections open, no byte moves), then every connection to it is reset. Not one
 * answer is a 5xx, and no request waits on the dead or frozen Redis: each answers within Redis' deadline
 * ({@code reelvault.redis.timeout}) plus a generous 5 s for its normal cost on a loaded machine; the bound proves
 * "does not hang", the latencies are printed as figures. Afterwards the buckets are enforced again.
 */
@QuarkusTest
@TestProfile(RateLimitRedisProfile.class)
class RedisFaultsUnderLoadApiTest {
    static final int CLIENTS = 20;
    /** Requests each phase lets complete (a count, not a duration: the machine's speed does not matter). */
    static final int PER_PHASE = 60;

    record Sample(String phase, String op, int status, long nanos, String detail) {}

    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final Queue<Sample> samples = new ConcurrentLinkedQueue<>();
    final AtomicInteger done = new AtomicInteger();
    volatile String phase = "baseline";

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void restartFreezeAndResetOfRedisUnderLoadAnswerNo5xxAndNeverHang() throws Exception {
        RedisServer redis = RedisResource.server();
        TcpFaultProxy proxy = RedisResource.proxy();
        Duration deadline = ConfigProvider.getConfig().getValue("reelvault.redis.timeout", Duration.class);
        Duration bound = deadline.plusSeconds(5);
        String base = "http://localhost:" + RestAssured.port;
        String pipeline = TestTokens.pipeline("load-worker");
        String seed = Users.freshUser("load");

        List<Client> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            String token = TestTokens.user(Users.freshUser("load" + c));
            String id = Uploads.upload(token);
            String download = Uploads.url(token, id).statusCode(200).extract().path("url");
            clients.add(new Client(token, id, download));
        }

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        AtomicBoolean running = new AtomicBoolean(true);
        List<Future<?>> workers = new ArrayList<>();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                Client client = clients.get(c);
                int offset = c;
                workers.add(pool.submit(() -> {
                    for (int i = offset; running.get(); i++) {
                        switch (i % 4) {
                            case 0 ->
                                call(
                                        "generate",
                                        HttpRequest.newBuilder(URI.create(base + "/api/v1/generations"))
                                                .header("Authorization", "Bearer " + pipeline)
                                                .header("Content-Type", "application/json")
                                                .POST(HttpRequest.BodyPublishers.ofString(
                                                        "{\"prompt\":\"a harbour at night, prompt " + (i % 5)
                                                                + "\",\"parameters\":{\"seed\":\"" + seed + "\"}}")),
                                        bound);
                            case 1 ->
                                call(
                                        "sign",
                                        HttpRequest.newBuilder(
                                                        URI.create(base + "/api/v1/uploads/" + client.id() + "/url"))
                                                .header("Authorization", "Bearer " + client.token()),
                                        bound);
                            case 2 ->
                                call(
                                        "list",
                                        HttpRequest.newBuilder(URI.create(base + "/api/v1/uploads?limit=5"))
                                                .header("Authorization", "Bearer " + client.token()),
                                        bound);
                            default -> call("download", HttpRequest.newBuilder(URI.create(client.download())), bound);
                        }
                    }
                    return null;
                }));
            }
            progress(PER_PHASE);
            answering();

            phase = "redis-stopped";
            redis.stop();
            progress(PER_PHASE);
            phase = "redis-restarted";
            redis.start(); // empty: buckets and cache entries are gone
            progress(PER_PHASE);
            answering();

            phase = "proxy-frozen";
            proxy.freeze();
            progress(PER_PHASE);
            phase = "proxy-thawed";
            proxy.pass();
            progress(PER_PHASE);
            answering();

            phase = "connections-reset";
            proxy.resetAll();
            progress(PER_PHASE);
            answering();
        } finally {
            running.set(false);
            proxy.pass();
            redis.start();
            pool.shutdown();
        }
        for (Future<?> worker : workers) {
            worker.get(60, TimeUnit.SECONDS);
        }

        report(deadline);
        List<Sample> failed = samples.stream()
                .filter(s -> s.status() >= 500 || s.status() < 0 || !(s.status() == 429 || s.status() / 100 == 2))
                .toList();
        assertEquals(List.of(), failed.stream().limit(10).toList(), failed.size() + " answers neither 2xx nor 429");
        Sample slowest =
                samples.stream().max(Comparator.comparingLong(Sample::nanos)).orElseThrow();
        assertTrue(slowest.nanos() < bound.toNanos(), "no request waits on Redis past its deadline + 5 s: " + slowest);
        assertTrue(samples.stream().anyMatch(s -> s.status() == 429), "the clients ran into their rate limits");

        // the buckets live in Redis again: a fresh user is limited after its capacity
        String token = TestTokens.user(Users.freshUser("after"));
        String id = Uploads.upload(token);
        Poll.until(
                Duration.ofSeconds(20),
                "rate limits enforced again after the faults",
                () -> given().auth()
                                .oauth2(token)
                                .get("/api/v1/uploads/" + id + "/url")
                                .then()
                                .extract()
                                .statusCode()
                        == 429);
    }

    record Client(String token, String id, String download) {}

    private void call(String op, HttpRequest.Builder request, Duration bound) {
        long start = System.nanoTime();
        String where = phase;
        int status;
        String detail = "";
        try {
            HttpResponse<String> answer =
                    http.send(request.timeout(bound.plusSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            status = answer.statusCode();
            if (status >= 500) {
                detail = answer.body().length() > 300 ? answer.body().substring(0, 300) : answer.body();
            }
        } catch (Exception e) {
            status = -1;
            detail = e.toString();
        }
        samples.add(new Sample(where, op, status, System.nanoTime() - start, detail));
        done.incrementAndGet();
    }

    /**
     * Waits, under the load, until the rate limiter decides on Redis again (after a fault its circuit breaker may
     * still be open for its cool-down), so that each fault starts from a Redis in use.
     */
    private void answering() {
        double before = decided(MetricsText.scrape());
        Poll.until(
                Duration.ofSeconds(30),
                "rate limits decided on Redis after phase " + phase,
                () -> decided(MetricsText.scrape()) > before);
    }

    private static double decided(MetricsText metrics) {
        return metrics.value("reelvault_rate_limit_decisions_total", "result", "allowed")
                + metrics.value("reelvault_rate_limit_decisions_total", "result", "limited");
    }

    /** Waits until {@code requests} more requests have completed. */
    private void progress(int requests) {
        int target = done.get() + requests;
        Poll.until(Duration.ofSeconds(60), requests + " requests in phase " + phase, () -> done.get() >= target);
    }

    private void report(Duration deadline) {
        Map<String, List<Sample>> byPhase =
                samples.stream().collect(Collectors.groupingBy(Sample::phase, TreeMap::new, Collectors.toList()));
        System.out.printf(
                "Redis faults under load: %d clients, Redis deadline %d ms; latency per phase (ms)%n",
                CLIENTS, deadline.toMillis());
        for (String name : List.of(
                "baseline", "redis-stopped", "redis-restarted", "proxy-frozen", "proxy-thawed", "connections-reset")) {
            List<Sample> in = byPhase.getOrDefault(name, List.of());
            long[] ms =
                    in.stream().mapToLong(s -> s.nanos() / 1_000_000).sorted().toArray();
            if (ms.length == 0) {
                continue;
            }
            Map<Integer, Long> statuses =
                    in.stream().collect(Collectors.groupingBy(Sample::status, TreeMap::new, Collectors.counting()));
            System.out.printf(
                    "  %-18s n=%4d p50=%5d p99=%5d max=%5d statuses=%s%n",
                    name,
                    ms.length,
                    ms[ms.length / 2],
                    ms[Math.min(ms.length - 1, (int) Math.ceil(ms.length * 0.99) - 1)],
                    ms[ms.length - 1],
                    statuses);
        }
    }
}
