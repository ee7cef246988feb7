package io.reelvault.api;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource method whose request body streams into storage (an upload or a pipeline artifact):
 * {@link ShutdownFilter} refuses it with 503 {@code shutting_down} once shutdown has begun, before the body is
 * read. (The signed-URL PUT of {@code /storage/{key}} is not JAX-RS; {@link StorageRoutes} asks the
 * {@link ShutdownGate} itself.)
 */
@NameBinding
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface StreamedBody {}
