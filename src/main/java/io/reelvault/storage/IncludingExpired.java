package io.reelvault.storage;

import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Qualifies the {@link ObjectStore} that still sees objects past their retention: the metered backend
 * without the {@link RetentionGuard}. Only code that must find expired objects injects it (the local
 * lifecycle sweeper, scans that count or delete everything); everything else injects the plain,
 * guarded {@code ObjectStore}, which never serves an expired object.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE})
public @interface IncludingExpired {}
