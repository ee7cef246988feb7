package io.reelvault.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/** The answer to {@code POST /api/v1/generations}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationCreated(String generationId, String status, boolean reused, Instant createdAt, Instant expiresAt) {}
