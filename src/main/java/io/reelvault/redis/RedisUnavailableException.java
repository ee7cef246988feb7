package io.reelvault.redis;

/**
 * A Redis call failed: refused, unreachable, an error reply, or no answer within {@code reelvault.redis.timeout}.
 * Its message never holds the Redis URL's credentials.
 */
public final class RedisUnavailableException extends RuntimeException {
    RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
