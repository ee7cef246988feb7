package io.reelvault.redis;

import io.reelvault.cache.CacheUnavailableException;
import io.reelvault.cache.CandidateRanking;
import io.reelvault.cache.SimilarCache;
import io.reelvault.common.Sha256;
import io.reelvault.similarity.LshIndex;
import io.reelvault.similarity.PromptEmbedder;
import io.reelvault.similarity.SimilarityThreshold;
import io.reelvault.similarity.VectorCodec;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link SimilarCache} shared by every replica using one Redis (7.0 or later: {@code SET ... PXAT},
 * {@code PEXPIRETIME}, {@code SET NX GET}).
 *
 * <p><b>Keys.</b> With {@code base = rv:sc:{index}:}, where {@code index} is a digest of the embedder's and the LSH
 * index's ids (e.g. of {@code hng1-d1024} and {@code lsh1-d1024-b40-r20-s7265656c7661756c}), so that vectors or
 * buckets of another embedder or index are never compared, and {@code scope} a 120-bit digest of the parameter
 * fingerprint (both base64url; short, because every entry has 40 bucket memberships: at 100k entries each byte of
 * a bucket key name costs about 4 MB of Redis memory):
 * <pre>
 * base{scope}:x:{promptKey}     string  the generation id (exact match)
 * base{scope}:b{band}:{hex}     zset    generation ids in that LSH bucket (one per band, 40 per entry), scored by
 *                                        their entry's expiry (epoch ms)
 * base e:{generationId}         hash    v (vector, {@link VectorCodec}), f (scope), p (promptKey),
 *                                        b (its bucket names, space-separated), t (expiry, epoch ms)
 * rv:sc:claim:{fingerprint}:{promptKey}  string  the generation id holding the single-flight claim
 * </pre>
 * The entry hash and exact key expire at the entry's {@code expiresAt} ({@code PXAT}); a bucket expires with its
 * longest-lived member. Buckets are sorted sets scored by their members' expiry, so that a lookup skips members
 * whose entry has expired without reading the entry, and a put into a bucket drops them; a lookup drops them too from
 * the buckets it read (at most {@value #STALE_REMOVALS_PER_LOOKUP} buckets per lookup). Small sorted sets are
 * listpacks in Redis 7, about half the memory of small sets of strings.
 *
 * <p><b>Lookup: one round trip.</b> Scripts run by their SHA-1 ({@link LuaScript}). The lookup script GETs the
 * exact key; on a miss it reads the query's 40 buckets, ranks the members by the number of buckets they share with
 * the query (more shared bands, higher cosine; the order of {@link CandidateRanking#mostShared}), and returns the
 * vectors of the best {@code maxCandidates}. The client re-checks each candidate's exact cosine
 * ({@link CandidateRanking}): the index can cost a miss, never a wrong hit. A bucket of more than {@value #LARGE_BUCKET_FACTOR} × maxCandidates members (a
 * crowd of near-identical prompts) is sampled rather than read whole, which bounds a lookup's work.
 *
 * <p><b>Failures.</b> Every call has the deadline of {@link RedisCalls}; every failure and a breaker that is open
 * fail the Uni with {@link CacheUnavailableException}. The scripts compute key names from stored fields, so they
 * need a single Redis (or Sentinel), not Redis Cluster.
 */
public final class RedisSimilarCache implements SimilarCache {
    static final int STALE_REMOVALS_PER_LOOKUP = 16;
    static final int LARGE_BUCKET_FACTOR = 4;
    static final String CLAIM_PREFIX = "rv:sc:claim:";

    /** Redis' clock in epoch milliseconds: the clock of PXAT, so a member expires with its entry hash. */
    private static final String NOW = """
            local function NOW()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            """;
    /** Removes the index entries of the entry hash KEYS[1] (generation ARGV[1]) under base ARGV[2]. */
    private static final String UNINDEX = """
            local function unindex(entry, id, base)
              local e = redis.call('HMGET', entry, 'f', 'p', 'b')
              if not e[1] then return 0 end
              local scope = base .. e[1] .. ':'
              local x = scope .. 'x:' .. e[2]
              if redis.call('GET', x) == id then redis.call('DEL', x) end
              if e[3] then
                for b in string.gmatch(e[3], '%S+') do redis.call('ZREM', scope .. b, id) end
              end
              redis.call('DEL', entry)
              return 1
            end
            """;

    static final LuaScript REMOVE = LuaScript.of(UNINDEX + "return unindex(KEYS[1], ARGV[1], ARGV[2])");
    /** KEYS: entry, exact, buckets...; ARGV: id, expiresAt ms, vector, fingerprint, promptKey, bucket names, base. */
    static final LuaScript PUT = LuaScript.of(NOW + UNINDEX + """
            unindex(KEYS[1], ARGV[1], ARGV[7])
            local at = tonumber(ARGV[2])
            redis.call('HSET', KEYS[1], 'v', ARGV[3], 'f', ARGV[4], 'p', ARGV[5], 'b', ARGV[6], 't', ARGV[2])
            redis.call('PEXPIREAT', KEYS[1], at)
            redis.call('SET', KEYS[2], ARGV[1], 'PXAT', at)
            local now = NOW()
            for i = 3, #KEYS do
              redis.call('ZADD', KEYS[i], at, ARGV[1])
              redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) -- members whose entries have expired
              if redis.call('PEXPIRETIME', KEYS[i]) < at then redis.call('PEXPIREAT', KEYS[i], at) end
            end
            return 1
            """);
    /** KEYS: exact, buckets...; ARGV: max candidates, entry prefix, stale removals, large bucket size. */
    static final LuaScript LOOKUP = LuaScript.of(NOW + """
            local id = redis.call('GET', KEYS[1])
            if id then return {'x', id} end
            local out = {'c'}
            local max = tonumber(ARGV[1])
            local large = tonumber(ARGV[4])
            local now = NOW()
            local count, order = {}, {}
            local taken, stale, staleMax = 0, 0, tonumber(ARGV[3])
            for i = 2, #KEYS do
              -- the whole bucket when it holds at most 'large' members, else a sample of that many
              local members = redis.call('ZRANDMEMBER', KEYS[i], large, 'WITHSCORES')
              local expired = false
              for j = 1, #members, 2 do
                local m = members[j]
                if tonumber(members[j + 1]) > now then
                  local c = count[m]
                  if c then count[m] = c + 1 else count[m] = 1; order[#order + 1] = m end
                else
                  expired = true
                end
              end
              if expired and stale < staleMax then
                stale = stale + 1
                redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
              end
            end
            if #order > max then
              table.sort(order, function(a, b)
                local ca, cb = count[a], count[b]
                if ca ~= cb then return ca > cb end
                return a < b
              end)
            end
            for _, m in ipairs(order) do
              if taken >= max then break end
              local v = redis.call('HGET', ARGV[2] .. m, 'v')
              if v then
                out[#out + 1] = m
                out[#out + 1] = v
                taken = taken + 1
              elseif stale < staleMax then
                stale = stale + 1
                for i = 2, #KEYS do redis.call('ZREM', KEYS[i], m) end
              end
            end
            return out
            """);

    private final RedisCalls redis;
    private final LshIndex lsh;
    private final int dimensions;
    private final String base;
    private final int maxCandidates;
    private final CircuitBreaker breaker;
    private final Clock clock;

    /**
     * @param redis         the calls, each with its deadline
     * @param embedder      the embedder of the vectors (its id scopes the keys, its dimensions the vectors)
     * @param lsh           the bucket index (built once: it holds MBs of hyperplanes)
     * @param maxCandidates vectors a lookup reads at most, at least 1
     * @param breaker       the circuit breaker of this store
     */
    public RedisSimilarCache(
            RedisCalls redis,
            PromptEmbedder embedder,
            LshIndex lsh,
            int maxCandidates,
            CircuitBreaker breaker,
            Clock clock) {
        if (maxCandidates < 1) {
            throw new IllegalArgumentException("REELVAULT_CACHE_MAX_CANDIDATES must be at least 1");
        }
        this.redis = redis;
        this.lsh = lsh;
        this.dimensions = embedder.dimensions();
        this.base = "rv:sc:" + digest(embedder.id() + "|" + lsh.id(), 6) + ":";
        this.maxCandidates = maxCandidates;
        this.breaker = breaker;
        this.clock = clock;
    }

    /** The prefix of this store's entry and index keys. */
    public String base() {
        return base;
    }

    boolean breakerOpen() {
        return breaker.isOpen();
    }

    @Override
    public Uni<Optional<Hit>> lookup(String fingerprint, String promptKey, float[] embedding, double threshold) {
        SimilarityThreshold.check(threshold);
        checkVector(embedding);
        return breaker.call(() -> lookupCall(fingerprint, promptKey, embedding))
                .map(answer -> best(answer, embedding, threshold));
    }

    /** The script call: the buckets are computed only once the breaker lets the call through. */
    private Uni<Response> lookupCall(String fingerprint, String promptKey, float[] embedding) {
        List<String> buckets = buckets(embedding);
        List<String> keys = indexKeys(new ArrayList<>(1 + buckets.size()), scope(fingerprint), promptKey, buckets);
        return redis.eval(
                LOOKUP,
                keys,
                List.of(maxCandidates, base + "e:", STALE_REMOVALS_PER_LOOKUP, LARGE_BUCKET_FACTOR * maxCandidates));
    }

    private Optional<Hit> best(Response answer, float[] embedding, double threshold) {
        if (answer == null || answer.size() == 0) {
            return Optional.empty();
        }
        if ("x".equals(answer.get(0).toString())) {
            return Optional.of(new Hit(answer.get(1).toString(), Hit.Kind.EXACT, 1.0));
        }
        CandidateRanking ranking = new CandidateRanking(threshold);
        for (int i = 1; i + 1 < answer.size(); i += 2) {
            double cosine;
            try {
                cosine = VectorCodec.cosine(embedding, answer.get(i + 1).toBytes());
            } catch (IllegalArgumentException e) {
                continue; // not ours: never a hit
            }
            ranking.offer(answer.get(i).toString(), cosine);
        }
        return ranking.best();
    }

    @Override
    public Uni<Void> put(Entry entry) {
        checkVector(entry.embedding());
        long at = entry.expiresAt().toEpochMilli();
        if (at <= clock.millis()) {
            return remove(entry.generationId()); // already expired: it must not answer any more
        }
        return breaker.call(() -> putCall(entry, at)).replaceWithVoid();
    }

    private Uni<Response> putCall(Entry entry, long at) {
        List<String> buckets = buckets(entry.embedding());
        String scopeId = scopeId(entry.fingerprint());
        List<String> keys = new ArrayList<>(2 + buckets.size());
        keys.add(entryKey(entry.generationId()));
        indexKeys(keys, base + scopeId + ":", entry.promptKey(), buckets);
        return redis.eval(
                PUT,
                keys,
                List.of(
                        entry.generationId(),
                        at,
                        VectorCodec.encode(entry.embedding()),
                        scopeId,
                        entry.promptKey(),
                        String.join(" ", buckets),
                        base));
    }

    @Override
    public Uni<Void> remove(String generationId) {
        List<String> keys = List.of(entryKey(generationId));
        return breaker.call(() -> redis.eval(REMOVE, keys, List.of(generationId, base)))
                .replaceWithVoid();
    }

    @Override
    public Uni<String> claim(String fingerprint, String promptKey, String generationId, Duration ttl) {
        long millis = Math.max(1, ttl.toMillis());
        Request request = Request.cmd(Command.SET)
                .arg(claimKey(fingerprint, promptKey))
                .arg(generationId)
                .arg("NX")
                .arg("PX")
                .arg(millis)
                .arg("GET");
        return breaker.call(() -> redis.send(request)).map(holder -> holder == null ? generationId : holder.toString());
    }

    @Override
    public Uni<Void> release(String fingerprint, String promptKey, String generationId) {
        List<String> keys = List.of(claimKey(fingerprint, promptKey));
        return breaker.call(() -> redis.eval(LuaScript.COMPARE_AND_DELETE, keys, List.of(generationId)))
                .replaceWithVoid();
    }

    /** The prefix of the exact and bucket keys of {@code fingerprint}. */
    String scope(String fingerprint) {
        return base + scopeId(fingerprint) + ":";
    }

    /** 120 bits of the fingerprint's SHA-256: collisions are out of reach, and 20 characters instead of 68. */
    private static String scopeId(String fingerprint) {
        return digest(Objects.requireNonNull(fingerprint, "fingerprint"), 15);
    }

    /** The first {@code bytes} bytes of the SHA-256 of {@code text}, base64url without padding. */
    private static String digest(String text, int bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(Sha256.bytes(text), bytes));
    }

    String exactKey(String fingerprint, String promptKey) {
        return exactKeyIn(scope(fingerprint), promptKey);
    }

    private static String exactKeyIn(String scope, String promptKey) {
        return scope + "x:" + Objects.requireNonNull(promptKey, "promptKey");
    }

    /** The vector's LSH buckets; none for the zero vector (an empty prompt), which only the exact key finds. */
    private List<String> buckets(float[] vector) {
        return VectorCodec.isZero(vector) ? List.of() : lsh.bucketKeys(vector);
    }

    /** Adds the exact key of {@code promptKey} and the keys of {@code buckets} under {@code scope} to {@code keys}. */
    private static List<String> indexKeys(List<String> keys, String scope, String promptKey, List<String> buckets) {
        keys.add(exactKeyIn(scope, promptKey));
        for (String bucket : buckets) {
            keys.add(scope + bucket);
        }
        return keys;
    }

    String entryKey(String generationId) {
        return base + "e:" + Objects.requireNonNull(generationId, "generationId");
    }

    static String claimKey(String fingerprint, String promptKey) {
        return CLAIM_PREFIX + fingerprint + ":" + promptKey;
    }

    private void checkVector(float[] embedding) {
        if (embedding.length != dimensions) {
            throw new IllegalArgumentException(
                    "a vector of " + embedding.length + " dimensions for a cache of " + dimensions);
        }
    }
}
