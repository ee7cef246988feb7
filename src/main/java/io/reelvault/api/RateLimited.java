package io.reelvault.api;

import io.reelvault.service.RateClass;
import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits a resource method per caller with the bucket of its {@link RateClass} ({@code reelvault.rate-limits.*}):
 * {@link RateLimitFilter} answers 429 {@code rate_limited} with {@code Retry-After} before the method runs, so
 * nothing of a refused request (its body included) is read.
 */
@NameBinding
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface RateLimited {
    RateClass value();
}
