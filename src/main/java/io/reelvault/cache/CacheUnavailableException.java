package io.reelvault.cache;

/**
 * The similar-generation cache could not answer: its store failed, missed its deadline, or the circuit breaker
 * is open. Callers treat it as a miss (fail open) and go on without the cache.
 */
public final class CacheUnavailableException extends RuntimeException {
    public CacheUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public CacheUnavailableException(String message) {
        super(message, null);
    }
}
