package io.reelvault.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reelvault.app.PromptEmbedderProducer;
import io.reelvault.cache.InProcessSimilarCache;
import io.reelvault.cache.MeteredSimilarCache;
import io.reelvault.cache.SimilarCache;
import io.reelvault.redis.CircuitBreaker;
import io.reelvault.redis.RedisCalls;
import io.reelvault.redis.RedisSimilarCache;
import io.reelvault.similarity.LshIndex;
import io.reelvault.similarity.PromptEmbedder;
import io.reelvault.similarity.PromptNormalizer;
import io.reelvault.similarity.SimilarityThreshold;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.RedisOptions;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The similar-cache benchmark (not a test, never run by Surefire; see {@code bench/cache-lookup.sh}, which runs
 * {@link #main} from the test classpath): fills a {@link SimilarCache} (on Redis when {@code REELVAULT_REDIS_URL} is
 * set, else in-process) with synthetic entries under one parameter fingerprint (the worst case: every entry shares
 * the lookup's buckets space), and at each requested size measures lookups with {@code concurrency} in flight: half
 * near-duplicates of stored prompts (reordered, a filler word added: not the exact key, so they go through the LSH
 * candidates), half unrelated prompts. Prompts are 10 to 20 words of a seeded vocabulary of 4000 pronounceable
 * pseudo-words. Vectors are computed before the timing; a lookup's time is the whole {@link SimilarCache#lookup}
 * call (bucket hashing, one round trip, cosine re-check). Prints one JSON line per size.
 *
 * <p>The cache is built as the service builds it ({@code app.SimilarCacheProducer}), with the service's embedder
 * ({@link PromptEmbedderProducer}), the service's default settings ({@value #TIMEOUT_MILLIS} ms Redis deadline, a
 * breaker opening after {@value #BREAKER_FAILURES} failures for {@value #BREAKER_COOL_DOWN_SECONDS} s,
 * {@value #MAX_CANDIDATES} candidates, {@value #MAX_ENTRIES} entries in-process) and the client's pool queue of
 * {@code application.properties}.
 */
public class CacheBench {
    static final String USAGE =
            "usage: CacheBench [--entries 10000,100000] [--lookups 20000] [--rounds 3] [--concurrency 8]";
    static final long TIMEOUT_MILLIS = 150;
    static final int BREAKER_FAILURES = 5;
    static final long BREAKER_COOL_DOWN_SECONDS = 5;
    static final int MAX_CANDIDATES = 64;
    static final int MAX_ENTRIES = 100_000;
    static final int MAX_POOL_WAITING = 1024;

    private static final String[] ONSETS = {
        "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr", "pl"
    };
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ou"};
    private static final String FINGERPRINT = "pf1:bench-" + Long.toHexString(System.nanoTime());

    private final SimilarCache cache;
    private final PromptEmbedder embedder;
    private final Optional<RedisCalls> redis;

    /**
     * @param cache    the cache measured
     * @param embedder the embedder of its vectors
     * @param redis    the Redis it runs on, for its memory figures; empty in-process
     */
    CacheBench(SimilarCache cache, PromptEmbedder embedder, Optional<RedisCalls> redis) {
        this.cache = cache;
        this.embedder = embedder;
        this.redis = redis;
    }

    /** Exit code 0 when the run completed, 1 when it failed, 2 for unusable arguments. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<Integer> sizes = List.of(10_000, 100_000);
        int lookups = 20_000;
        int rounds = 3;
        int concurrency = 8;
        try {
            for (int i = 0; i < args.length; i += 2) {
                String value = i + 1 < args.length ? args[i + 1] : "";
                switch (args[i]) {
                    case "--entries" ->
                        sizes = Arrays.stream(value.split(","))
                                .map(Integer::parseInt)
                                .sorted()
                                .toList();
                    case "--lookups" -> lookups = Integer.parseInt(value);
                    case "--rounds" -> rounds = Integer.parseInt(value);
                    case "--concurrency" -> concurrency = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (sizes.isEmpty() || sizes.get(0) < 1 || lookups < 1 || rounds < 1 || concurrency < 1) {
                throw new IllegalArgumentException("sizes, lookups, rounds and concurrency must be positive");
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        PromptEmbedder embedder = new PromptEmbedderProducer().promptEmbedder();
        LshIndex lsh = new LshIndex(embedder.dimensions());
        Optional<String> url =
                Optional.ofNullable(System.getenv("REELVAULT_REDIS_URL")).filter(u -> !u.isBlank());
        Vertx vertx = url.isPresent() ? Vertx.vertx() : null;
        try {
            Optional<RedisCalls> redis = url.map(u -> new RedisCalls(
                    Redis.createClient(
                            vertx, new RedisOptions().setConnectionString(u).setMaxPoolWaiting(MAX_POOL_WAITING)),
                    Duration.ofMillis(TIMEOUT_MILLIS)));
            redis.ifPresent(RedisCalls::warmUp);
            SimilarCache cache = redis.<SimilarCache>map(calls -> new RedisSimilarCache(
                            calls,
                            embedder,
                            lsh,
                            MAX_CANDIDATES,
                            new CircuitBreaker(
                                    "similar-generation cache",
                                    BREAKER_FAILURES,
                                    Duration.ofSeconds(BREAKER_COOL_DOWN_SECONDS)),
                            Clock.systemUTC()))
                    .orElseGet(() ->
                            new InProcessSimilarCache(embedder, lsh, MAX_ENTRIES, MAX_CANDIDATES, Clock.systemUTC()));
            return new CacheBench(new MeteredSimilarCache(cache, new SimpleMeterRegistry()), embedder, redis)
                    .run(sizes, lookups, rounds, concurrency, out);
        } catch (Exception e) {
            err.println("cache bench failed: " + e);
            return 1;
        } finally {
            if (vertx != null) {
                vertx.closeAndAwait();
            }
        }
    }

    /**
     * @param sizes       entry counts to measure at, ascending
     * @param lookups     timed lookups per round
     * @param rounds      rounds per size (each line gives every round's figures)
     * @param concurrency threads looking up (and filling) at once
     */
    int run(List<Integer> sizes, int lookups, int rounds, int concurrency, PrintStream out) throws Exception {
        Random random = new Random(42);
        List<String> vocabulary = vocabulary(random, 4000);
        List<String> stored = new ArrayList<>();
        for (int size : sizes) {
            long fillStart = System.nanoTime();
            int from = stored.size();
            List<String> batch = new ArrayList<>();
            for (int i = from; i < size; i++) {
                batch.add(prompt(random, vocabulary));
            }
            fill(batch, from, concurrency);
            stored.addAll(batch);
            double fillSeconds = (System.nanoTime() - fillStart) / 1e9;

            int total = lookups * rounds + Math.min(lookups, 2000);
            List<String> prompts = new ArrayList<>(total);
            for (int i = 0; i < total; i++) {
                prompts.add(
                        i % 2 == 0
                                ? nearDuplicate(random, stored.get(random.nextInt(stored.size())))
                                : prompt(random, vocabulary));
            }
            long embedStart = System.nanoTime();
            List<float[]> vectors = prompts.stream()
                    .map(p -> embedder.embed(PromptNormalizer.normalize(p)))
                    .toList();
            double embedMicros = (System.nanoTime() - embedStart) / 1e3 / total;
            List<String> keys = prompts.stream().map(PromptNormalizer::exactKey).toList();

            int warm = total - lookups * rounds;
            measure(concurrency, keys.subList(0, warm), vectors.subList(0, warm)); // JIT, connections
            List<String> roundJson = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                int start = warm + r * lookups;
                Result result = measure(
                        concurrency, keys.subList(start, start + lookups), vectors.subList(start, start + lookups));
                roundJson.add(result.json());
            }
            out.printf(
                    Locale.ROOT,
                    "{\"entries\":%d,\"fill_seconds\":%.2f,\"embed_micros\":%.1f,\"concurrency\":%d,"
                            + "\"redis_used_memory_bytes\":%d,\"redis_keys\":%d,\"rounds\":[%s]}%n",
                    size,
                    fillSeconds,
                    embedMicros,
                    concurrency,
                    info("used_memory"),
                    dbsize(),
                    String.join(",", roundJson));
            out.flush();
        }
        return 0;
    }

    private void fill(List<String> prompts, int firstIndex, int concurrency) throws InterruptedException {
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Instant expires = Instant.now().plus(Duration.ofHours(2));
        for (int i = 0; i < prompts.size() && failed.get() == null; i++) {
            String prompt = prompts.get(i);
            SimilarCache.Entry entry = new SimilarCache.Entry(
                    "gen_bench_" + (firstIndex + i),
                    FINGERPRINT,
                    PromptNormalizer.exactKey(prompt),
                    embedder.embed(PromptNormalizer.normalize(prompt)),
                    expires);
            inFlight.acquire();
            // filling is not measured: a put that missed its deadline on a busy machine is tried again (past an open
            // breaker's cool-down) rather than ending the run
            cache.put(entry)
                    .onFailure()
                    .retry()
                    .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(3))
                    .atMost(6)
                    .subscribe()
                    .with(ok -> inFlight.release(), e -> {
                        failed.set(e);
                        inFlight.release();
                    });
        }
        inFlight.acquire(concurrency);
        if (failed.get() != null) {
            throw new IllegalStateException("filling failed: " + failed.get(), failed.get());
        }
    }

    /**
     * Keeps {@code concurrency} lookups in flight, as the service does (its lookups are asynchronous calls on the
     * event loop, not threads waiting), and times each from its call to its answer.
     */
    private Result measure(int concurrency, List<String> keys, List<float[]> vectors) throws InterruptedException {
        int n = keys.size();
        long[] nanos = new long[n];
        AtomicInteger exact = new AtomicInteger();
        AtomicInteger similar = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        Semaphore inFlight = new Semaphore(concurrency);
        CountDownLatch answered = new CountDownLatch(n);
        long begin = System.nanoTime();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            int index = i;
            long start = System.nanoTime();
            cache.lookup(FINGERPRINT, keys.get(i), vectors.get(i), SimilarityThreshold.DEFAULT.value())
                    .subscribe()
                    .with(
                            hit -> {
                                nanos[index] = System.nanoTime() - start;
                                hit.ifPresent(h ->
                                        (h.kind() == SimilarCache.Hit.Kind.EXACT ? exact : similar).incrementAndGet());
                                inFlight.release();
                                answered.countDown();
                            },
                            failure -> {
                                nanos[index] = System.nanoTime() - start;
                                failures.incrementAndGet();
                                inFlight.release();
                                answered.countDown();
                            });
        }
        if (!answered.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("lookups unanswered after 5 minutes");
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Result(
                n / seconds,
                percentile(sorted, 0.50),
                percentile(sorted, 0.99),
                percentile(sorted, 1.0),
                exact.get(),
                similar.get(),
                failures.get(),
                n);
    }

    private record Result(
            double perSecond, double p50, double p99, double max, int exact, int similar, int failures, int n) {
        String json() {
            return String.format(
                    Locale.ROOT,
                    "{\"lookups\":%d,\"per_second\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
                            + "\"exact\":%d,\"similar\":%d,\"failures\":%d}",
                    n,
                    perSecond,
                    p50,
                    p99,
                    max,
                    exact,
                    similar,
                    failures);
        }
    }

    private static double percentile(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private long info(String field) {
        return redis.map(calls -> {
                    Response info = calls.call(Request.cmd(Command.INFO).arg("memory"));
                    for (String line : info.toString().split("\r?\n")) {
                        if (line.startsWith(field + ":")) {
                            return Long.parseLong(
                                    line.substring(field.length() + 1).trim());
                        }
                    }
                    return -1L;
                })
                .orElse(-1L);
    }

    private long dbsize() {
        return redis.map(calls -> calls.call(Request.cmd(Command.DBSIZE)).toLong())
                .orElse(-1L);
    }

    private static List<String> vocabulary(Random random, int size) {
        Set<String> words = new LinkedHashSet<>();
        while (words.size() < size) {
            StringBuilder word = new StringBuilder();
            for (int s = 0, n = 2 + random.nextInt(2); s < n; s++) {
                word.append(ONSETS[random.nextInt(ONSETS.length)]).append(VOWELS[random.nextInt(VOWELS.length)]);
            }
            words.add(word.toString());
        }
        return List.copyOf(words);
    }

    private static String prompt(Random random, List<String> vocabulary) {
        int n = 10 + random.nextInt(11);
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < n; i++) {
            prompt.append(i == 0 ? "" : " ").append(vocabulary.get(random.nextInt(vocabulary.size())));
        }
        return prompt.toString();
    }

    /** The same words in another order, with a filler word: cosine 1 with the original, another exact key. */
    private static String nearDuplicate(Random random, String prompt) {
        List<String> words = new ArrayList<>(List.of(prompt.split(" ")));
        Collections.shuffle(words, random);
        words.add(random.nextInt(words.size()), "please");
        return String.join(" ", words);
    }
}
