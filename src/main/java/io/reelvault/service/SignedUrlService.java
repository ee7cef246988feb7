package io.reelvault.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.UrlPurpose;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.SignedUrls;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/** Hands out signed URLs by purpose (expiry from {@link UrlPurpose}) and counts them. */
@ApplicationScoped
public class SignedUrlService {
    private final SignedUrls signer;
    private final Map<UrlPurpose, Counter> issued = new EnumMap<>(UrlPurpose.class);
    private final Clock clock;

    public SignedUrlService(ObjectStore store, MeterRegistry registry, Clock clock) {
        this.signer = store.capability(SignedUrls.class).orElse(null);
        this.clock = clock;
        for (UrlPurpose p : UrlPurpose.values()) {
            issued.put(
                    p,
                    Counter.builder(StorageMetrics.SIGNED_URLS)
                            .tag("purpose", p.label())
                            .description("Signed URLs handed out, by purpose")
                            .register(registry));
        }
    }

    /**
     * @param headers bound by the signature: a GET URL's response headers (e.g. Content-Disposition), a PUT
     *                URL's required Content-Type and Content-Length; may be empty
     */
    public SignedUrlView sign(UrlPurpose purpose, ObjectKey key, Map<String, String> headers) {
        return sign(purpose, key, headers, null);
    }

    /**
     * As {@link #sign(UrlPurpose, ObjectKey, Map)}, but the URL dies no later than {@code notAfter} (the
     * object's expiry), so that a URL never outlives what it points to.
     *
     * @param notAfter null for no cap; {@code expired} when already past
     */
    public SignedUrlView sign(UrlPurpose purpose, ObjectKey key, Map<String, String> headers, Instant notAfter) {
        if (signer == null) {
            throw new ReelvaultException(ErrorCode.STORAGE_UNAVAILABLE, "this storage backend cannot sign URLs");
        }
        Duration expiresIn = purpose.expiry();
        if (notAfter != null) {
            Instant now = clock.instant();
            if (!now.isBefore(notAfter)) {
                throw new ReelvaultException(ErrorCode.EXPIRED, "the object has passed its retention");
            }
            // whole seconds, rounded up: a URL handed out in the last second lives that second
            Duration left = Duration.ofSeconds((Duration.between(now, notAfter).toMillis() + 999) / 1000);
            expiresIn = left.compareTo(expiresIn) < 0 ? left : expiresIn;
        }
        SignedUrls.SignedUrl url = signer.sign(purpose.method(), key, expiresIn, headers);
        issued.get(purpose).increment();
        return new SignedUrlView(url.location(), url.expiresIn().toSeconds(), purpose.method(), url.requiredHeaders());
    }
}
