package io.reelvault.api.auth;

import io.reelvault.common.DaemonThreads;
import io.reelvault.common.Sha256;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.util.ResourceUtils;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.crypto.SecretKey;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * The bearer-token parser Quarkus' JWT validator ({@code MpJwtValidator}) uses: smallrye-jwt's {@link DefaultJWTParser}
 * for every token it has not seen, and {@link VerifiedTokens} for a token that passed that full verification before
 * (same bytes, same key, before its {@code exp}), so a client's repeated requests do not each pay for an RS256
 * signature check, a base64 decode and a JSON parse.
 *
 * <p><b>The key.</b> smallrye-jwt reads a {@code file:} or classpath key once; a JWKS URL it refreshes itself. This
 * parser reads the configured key sources ({@code mp.jwt.verify.publickey.location},
 * {@code mp.jwt.decrypt.key.location}) every {@value #KEY_CHECK_SECONDS} s on a thread of its own (never on the event
 * loop) and compares their SHA-256 with the last reading: on any change, or when a source cannot be read, every
 * cached token is forgotten and a fresh smallrye-jwt parser takes over, which loads the new key on its first use. A
 * rotated or revoked key therefore stops answering from the cache within that period (and stops verifying
 * altogether, which a file key used to do only at a restart). A source that cannot be read forgets the cached tokens
 * at each reading but keeps the parser. Inline keys ({@code mp.jwt.verify.publickey}) are not
 * watched: they change only with the configuration, at a restart.
 *
 * <p>Only {@link #parse(String)}, the validator's call, is cached; every other method (explicit keys or contexts)
 * goes straight to smallrye-jwt.
 */
@Alternative
@Priority(1)
@Singleton
public class CachingJwtParser implements JWTParser {
    private static final Logger LOG = Logger.getLogger(CachingJwtParser.class);
    /** How often the key sources are read again. */
    static final long KEY_CHECK_SECONDS = 30;
    /**
     * The most tokens remembered. An entry holds the verified principal (the raw token and its parsed claims: a few
     * KiB), so about 10-20 MiB at most; past it a new token evicts an arbitrary one (it is verified again when seen).
     */
    static final int MAX_ENTRIES = 4_096;
    /** The longest a token answers from the cache after its verification, whatever its {@code exp}. */
    static final Duration MAX_AGE = Duration.ofMinutes(10);

    private final JWTAuthContextInfo info;
    private final VerifiedTokens verified;
    private final Function<JWTAuthContextInfo, JWTParser> parsers;
    private final List<String> keySources;
    private final ScheduledExecutorService keyWatch;
    private volatile JWTParser delegate;
    private volatile String keyFingerprint;

    @Inject
    public CachingJwtParser(JWTAuthContextInfo info) {
        this(
                info,
                new VerifiedTokens(MAX_ENTRIES, MAX_AGE.toMillis(), info.getTokenAge(), System::currentTimeMillis),
                CachingJwtParser::freshParser);
        if (!keySources.isEmpty()) {
            keyWatch.scheduleWithFixedDelay(this::checkKeys, 0, KEY_CHECK_SECONDS, TimeUnit.SECONDS);
        }
    }

    /**
     * Tests: a given cache and maker of smallrye-jwt parsers (one now, one more at each key change); the key sources
     * are checked only when {@link #checkKeys} is called.
     */
    CachingJwtParser(
            JWTAuthContextInfo info, VerifiedTokens verified, Function<JWTAuthContextInfo, JWTParser> parsers) {
        this.info = info;
        this.verified = verified;
        this.parsers = parsers;
        this.delegate = parsers.apply(info);
        List<String> sources = new ArrayList<>();
        if (info.getPublicKeyLocation() != null) {
            sources.add(info.getPublicKeyLocation());
        }
        if (info.getDecryptionKeyLocation() != null) {
            sources.add(info.getDecryptionKeyLocation());
        }
        this.keySources = List.copyOf(sources);
        this.keyWatch = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("jwt-key-watch"));
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        if (token == null) {
            return delegate.parse(null);
        }
        var known = verified.find(token);
        if (known.isPresent()) {
            return known.get();
        }
        long epoch = verified.epoch();
        JsonWebToken principal = delegate.parse(token); // throws for any token it refuses: never remembered
        verified.remember(token, principal, epoch);
        return principal;
    }

    /**
     * Reads the key sources and, when their contents differ from the last reading, forgets every cached token and
     * replaces the smallrye-jwt parser so that it loads the key again. The first reading only records the contents.
     * A source that cannot be read (a JWKS endpoint down) forgets the cached tokens too, but keeps the parser, which
     * keeps verifying with the keys it holds, as smallrye-jwt does on its own.
     */
    void checkKeys() {
        String now = fingerprint();
        if (now == null) {
            verified.invalidateAll();
            return;
        }
        String before = keyFingerprint;
        keyFingerprint = now;
        if (before != null && !before.equals(now)) {
            // the new parser first, then the new epoch: a verification the old parser finishes meanwhile was started
            // under the old epoch and is not remembered
            delegate = parsers.apply(info);
            verified.invalidateAll();
            LOG.infof(
                    "the token verification key changed (%s): cached tokens forgotten, the key is loaded again",
                    String.join(", ", keySources));
        }
    }

    /** The SHA-256 of the key sources' contents; null when one cannot be read. */
    private String fingerprint() {
        StringBuilder all = new StringBuilder();
        for (String source : keySources) {
            try {
                all.append(Sha256.hex(ResourceUtils.readResource(source))).append(';');
            } catch (Exception | LinkageError e) {
                LOG.debugf(e, "cannot read the token verification key at %s", source);
                return null;
            }
        }
        return all.toString();
    }

    static JWTParser freshParser(JWTAuthContextInfo info) {
        return new DefaultJWTParser(info, new DefaultJWTCallerPrincipalFactory());
    }

    /** How many tokens are cached now. */
    int cachedTokens() {
        return verified.size();
    }

    @PreDestroy
    void stop() {
        keyWatch.shutdownNow();
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return delegate.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return delegate.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return delegate.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return delegate.parseOnly(token);
    }
}
