package io.reelvault.api.auth;

import io.reelvault.common.Sha256;
import jakarta.json.JsonNumber;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * A bounded memory of bearer tokens that passed full verification, so that a client sending the same token again
 * skips the signature check. The key is the SHA-256 of the raw token (the token itself is never kept as a key nor
 * logged); the value is the verified principal. An entry answers only
 *
 * <ul>
 *   <li>before the token's {@code exp} (exactly: the verifier's clock-skew leeway is not extended to cached tokens),
 *       before {@code iat} plus the configured maximum token age when there is one, and before its verification
 *       plus {@code maxAge};
 *   <li>while the verification key is the one it was verified with: {@link #invalidateAll} (called when the key
 *       changes) starts a new key epoch and forgets every entry, and an entry verified under an older epoch is
 *       never stored.
 * </ul>
 *
 * <p>Only what verification accepted is stored ({@link #remember}); a token that is refused is never remembered, and
 * a different token (another signature, another claim) has another hash, so it is verified in full. A token whose
 * {@code nbf} is still ahead, or without {@code exp}, is not stored. The number of entries is bounded: a full map
 * first drops what has expired, then arbitrary entries, so memory does not grow with users or tokens.
 *
 * <p>Thread-safe and non-blocking (a lookup is a hash and a map read): it runs on the event loop.
 */
public final class VerifiedTokens {
    private static final MessageDigest SHA256 = Sha256.newDigest();
    private final int maxEntries;
    private final long maxAgeMillis;
    private final Long tokenAgeSecs;
    private final LongSupplier clockMillis;
    private final Map<ByteBuffer, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong epoch = new AtomicLong();

    private record Entry(JsonWebToken token, long expiresAtMillis, long epoch) {}

    /**
     * @param maxEntries the bound (at least 1)
     * @param maxAgeMillis the longest an entry answers after its verification, whatever the token's {@code exp}
     * @param tokenAgeSecs the verifier's maximum token age after {@code iat} ({@code mp.jwt.verify.token.age}), or
     *     null when there is none
     * @param clockMillis the time, in epoch milliseconds
     */
    public VerifiedTokens(int maxEntries, long maxAgeMillis, Long tokenAgeSecs, LongSupplier clockMillis) {
        if (maxEntries < 1 || maxAgeMillis < 1) {
            throw new IllegalArgumentException("maxEntries and maxAgeMillis must be positive");
        }
        this.maxEntries = maxEntries;
        this.maxAgeMillis = maxAgeMillis;
        this.tokenAgeSecs = tokenAgeSecs;
        this.clockMillis = clockMillis;
    }

    /** The current key epoch: pass it to {@link #remember} for a verification that starts now. */
    public long epoch() {
        return epoch.get();
    }

    /** The verified principal of this raw token, when it was remembered and still holds. */
    public Optional<JsonWebToken> find(String rawToken) {
        ByteBuffer key = key(rawToken);
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (entry.epoch != epoch.get() || clockMillis.getAsLong() >= entry.expiresAtMillis) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.token);
    }

    /**
     * Remembers a token that verification has just accepted. {@code epochAtStart}: {@link #epoch()} read before the
     * verification began; when the key changed meanwhile the token is not stored.
     */
    public void remember(String rawToken, JsonWebToken verified, long epochAtStart) {
        long now = clockMillis.getAsLong();
        long expiresAt = expiresAt(verified, now);
        if (expiresAt <= now || epochAtStart != epoch.get()) {
            return;
        }
        if (entries.size() >= maxEntries) {
            makeRoom(now);
        }
        entries.put(key(rawToken), new Entry(verified, expiresAt, epochAtStart));
        if (epochAtStart != epoch.get()) {
            entries.clear(); // the key changed while this entry went in
        }
    }

    /** Forgets every entry and starts a new key epoch: the verification key changed. */
    public void invalidateAll() {
        epoch.incrementAndGet();
        entries.clear();
    }

    /** How many entries are held (expired ones included until they are looked up or evicted). */
    public int size() {
        return entries.size();
    }

    /** When the entry of this token stops answering; {@code Long.MIN_VALUE} when it must not be stored at all. */
    private long expiresAt(JsonWebToken token, long now) {
        long exp = seconds(token.getClaim("exp"));
        if (exp <= 0) {
            return Long.MIN_VALUE;
        }
        long nbf = seconds(token.getClaim("nbf"));
        if (nbf * 1000 > now) {
            return Long.MIN_VALUE;
        }
        long at = Math.min(exp * 1000, now + maxAgeMillis);
        if (tokenAgeSecs != null) {
            long iat = seconds(token.getClaim("iat"));
            if (iat <= 0) {
                return Long.MIN_VALUE;
            }
            at = Math.min(at, (iat + tokenAgeSecs) * 1000);
        }
        return at;
    }

    /** Drops expired entries, then arbitrary ones, until there is room for one more. */
    private void makeRoom(long now) {
        long current = epoch.get();
        entries.values().removeIf(e -> e.expiresAtMillis <= now || e.epoch != current);
        Iterator<ByteBuffer> keys = entries.keySet().iterator();
        while (entries.size() >= maxEntries && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }

    /** A numeric date claim in seconds (as smallrye-jwt hands it: a Number or a JSON number); 0 when absent. */
    private static long seconds(Object claim) {
        if (claim instanceof Number n) {
            return n.longValue();
        }
        if (claim instanceof JsonNumber n) {
            return n.longValue();
        }
        return 0;
    }

    /** The SHA-256 of the token's bytes (a clone of a ready digest: no provider lookup per request). */
    private static ByteBuffer key(String rawToken) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            digest = Sha256.newDigest();
        }
        return ByteBuffer.wrap(digest.digest(rawToken.getBytes(StandardCharsets.UTF_8)));
    }
}
