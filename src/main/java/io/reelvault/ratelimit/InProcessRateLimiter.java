package io.reelvault.ratelimit;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@link RateLimiter} of this process alone (no Redis configured): each replica limits on its own. The same
 * bucket math as {@link RedisRateLimiter}'s script, on {@link System#nanoTime()}.
 *
 * <p><b>Bounded.</b> A bucket that has refilled completely is the same as no bucket, so it can be dropped. A
 * cleanup, run by the calls themselves (no thread of its own), drops every such bucket: every
 * {@value #CLEANUP_INTERVAL_MILLIS} ms, and at most every {@value #OVERFULL_SPACING_MILLIS} ms while the map holds
 * more than {@code maxBuckets}. If still too many buckets are partly drained (more keys active at once than
 * {@code maxBuckets}), arbitrary ones are dropped down to {@code maxBuckets} too, which gives those keys a full
 * bucket again (a few extra calls, never a wrong refusal). Between cleanups the map may exceed {@code maxBuckets}
 * by the buckets created meanwhile.
 */
public final class InProcessRateLimiter implements RateLimiter {
    static final long CLEANUP_INTERVAL_MILLIS = 10_000;
    static final long OVERFULL_SPACING_MILLIS = 100;
    /** The default bound: about 100 bytes each, some 10 MB at most. */
    public static final int DEFAULT_MAX_BUCKETS = 100_000;

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final int maxBuckets;
    private final LongSupplier nanoClock;
    private final AtomicLong lastCleanup;

    public InProcessRateLimiter() {
        this(DEFAULT_MAX_BUCKETS, System::nanoTime);
    }

    /**
     * @param maxBuckets the bound on buckets kept (see the class comment)
     * @param nanoClock  a monotonic clock in nanoseconds ({@link System#nanoTime()}, or a test's)
     */
    public InProcessRateLimiter(int maxBuckets, LongSupplier nanoClock) {
        if (maxBuckets < 1) {
            throw new IllegalArgumentException("maxBuckets must be at least 1");
        }
        this.maxBuckets = maxBuckets;
        this.nanoClock = nanoClock;
        this.lastCleanup = new AtomicLong(nanoClock.getAsLong());
    }

    /** The state of one bucket at {@code at} (nanoTime); immutable, replaced on every call. */
    private record Bucket(double tokens, long at, long fullAt) {}

    @Override
    public Uni<Decision> acquire(String bucketKey, Limit limit) {
        return Uni.createFrom().item(acquireNow(bucketKey, limit));
    }

    /** {@link #acquire} without the Uni: never blocks beyond a map update. */
    public Decision acquireNow(String bucketKey, Limit limit) {
        long now = nanoClock.getAsLong();
        Decision[] decision = new Decision[1];
        buckets.compute(bucketKey, (key, bucket) -> {
            double tokens = limit.capacity();
            if (bucket != null) {
                long elapsed = Math.max(0, now - bucket.at());
                tokens = Math.min(limit.capacity(), bucket.tokens() + elapsed / 1e9 * limit.refillPerSecond());
            }
            if (tokens >= 1) {
                tokens -= 1;
                decision[0] = Decision.allowed((long) Math.floor(tokens));
            } else {
                decision[0] = Decision.limited(
                        Duration.ofNanos((long) Math.ceil((1 - tokens) / limit.refillPerSecond() * 1e9)));
            }
            long toFull = (long) Math.ceil((limit.capacity() - tokens) / limit.refillPerSecond() * 1e9);
            return new Bucket(tokens, now, now + toFull);
        });
        maybeCleanUp(now);
        return decision[0];
    }

    /** Buckets currently kept. */
    public int size() {
        return buckets.size();
    }

    private void maybeCleanUp(long now) {
        long last = lastCleanup.get();
        long since = now - last;
        boolean due = since >= CLEANUP_INTERVAL_MILLIS * 1_000_000
                || since >= OVERFULL_SPACING_MILLIS * 1_000_000 && buckets.size() > maxBuckets;
        if (due && lastCleanup.compareAndSet(last, now)) { // one thread cleans up, the others go on
            cleanUp(now);
        }
    }

    /** Drops full buckets, then arbitrary ones while more than {@code maxBuckets} remain. */
    void cleanUp(long now) {
        buckets.entrySet().removeIf(e -> now - e.getValue().fullAt() >= 0);
        int excess = buckets.size() - maxBuckets;
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator();
                excess > 0 && it.hasNext();
                excess--) {
            it.next();
            it.remove();
        }
    }
}
