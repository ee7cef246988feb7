package io.reelvault.service.generation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The answer to {@code POST /api/v1/generations}: a new generation ({@code reused: false}), a finished one
 * that answers the request ({@code reused: true, status: completed}, with the prompts' {@code similarity}, 1.0
 * for an exact match), or the pending one an identical request started ({@code reused: true, status: pending}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationCreated(
        String generationId,
        GenerationStatus status,
        boolean reused,
        Double similarity,
        Instant createdAt,
        Instant expiresAt) {}
