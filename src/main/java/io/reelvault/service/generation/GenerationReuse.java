package io.reelvault.service.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.reelvault.cache.SimilarCache;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.GenerationId;
import io.reelvault.model.UserId;
import io.reelvault.similarity.ParameterFingerprint;
import io.reelvault.similarity.PromptEmbedder;
import io.reelvault.similarity.PromptNormalizer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Cache-aside reuse of finished generations: a request's key (parameter fingerprint, normalised
 * prompt, prompt embedding), the lookup with its check against the stored metadata, single-flight
 * claims, and the cache's upkeep when a generation completes or goes. The cache failing never fails
 * a request: its errors count as {@code error} lookups and behave as misses.
 */
@ApplicationScoped
public class GenerationReuse {
    private static final Logger LOG = Logger.getLogger(GenerationReuse.class);

    private final SimilarCache cache;
    private final ParameterFingerprint fingerprints;
    private final PromptEmbedder embedder;
    private final double threshold;
    private final ReelvaultConfig.CacheScope scope;
    private final Duration pendingTimeout;
    private final Map<String, Counter> lookups = new HashMap<>();
    private final Counter avoidedByReuse;
    private final Counter avoidedInFlight;

    public GenerationReuse(
            SimilarCache cache,
            PromptEmbedder embedder,
            ObjectMapper json,
            MeterRegistry registry,
            ReelvaultConfig config) {
        this.cache = cache;
        this.embedder = embedder;
        this.threshold = config.cache().threshold();
        this.scope = config.cache().scope();
        this.pendingTimeout = config.pipeline().pendingTimeout();
        this.fingerprints =
                new ParameterFingerprint(defaults(json, config.pipeline().parameterDefaults()));
        for (String result : new String[] {"exact", "similar", "miss", "error"}) {
            lookups.put(
                    result,
                    Counter.builder(StorageMetrics.SIMILAR_CACHE_LOOKUPS)
                            .tag("result", result)
                            .description("Similar-generation cache lookups by result")
                            .register(registry));
        }
        this.avoidedByReuse = Counter.builder(StorageMetrics.GENERATIONS_AVOIDED)
                .tag("reason", "reused")
                .description("Generation requests answered without a new generation")
                .register(registry);
        this.avoidedInFlight = Counter.builder(StorageMetrics.GENERATIONS_AVOIDED)
                .tag("reason", "in_flight")
                .description("Generation requests answered without a new generation")
                .register(registry);
    }

    private static Map<String, JsonNode> defaults(ObjectMapper json, Optional<String> text) {
        if (text.isEmpty() || text.get().isBlank()) {
            return Map.of();
        }
        try {
            JsonNode node = json.readTree(text.get());
            if (!node.isObject()) {
                throw new IllegalStateException("REELVAULT_PIPELINE_PARAMETER_DEFAULTS must be a JSON object");
            }
            Map<String, JsonNode> out = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                out.put(e.getKey(), e.getValue());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("REELVAULT_PIPELINE_PARAMETER_DEFAULTS is not JSON", e);
        }
    }

    /** What a request is compared by. */
    public record RequestKey(String fingerprint, String promptKey, float[] embedding) {}

    /**
     * The request's key; {@code invalid_request} when the parameters cannot be canonicalised. With the scope
     * {@code user} the owner is part of the fingerprint: lookups and single-flight claims only ever meet the same
     * owner's generations, whichever cache (in-process or Redis) holds them.
     */
    public RequestKey key(UserId owner, String prompt, JsonNode parameters) {
        String fingerprint;
        try {
            fingerprint = fingerprints.fingerprint(parameters);
        } catch (IllegalArgumentException e) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "parameters: " + e.getMessage());
        }
        if (scope == ReelvaultConfig.CacheScope.USER) {
            fingerprint = ParameterFingerprint.scoped(fingerprint, owner.value());
        }
        return new RequestKey(
                fingerprint, PromptNormalizer.exactKey(prompt), embedder.embed(PromptNormalizer.normalize(prompt)));
    }

    /** A finished generation that answers the request. */
    public record Reused(GenerationMetadata generation, double similarity) {}

    /**
     * Looks the request up. A hit counts only when its generation is still there, completed and unexpired
     * ({@code check}); otherwise its entry is evicted and the lookup counts as a miss.
     */
    public Uni<Optional<Reused>> find(RequestKey key, Function<GenerationId, Uni<Optional<GenerationMetadata>>> check) {
        return cache.lookup(key.fingerprint(), key.promptKey(), key.embedding(), threshold)
                .onFailure()
                .recoverWithItem(e -> {
                    count("error"); // behaves as a miss, counted once as an error
                    return null;
                })
                .chain(hit -> {
                    if (hit == null) {
                        return Uni.createFrom().item(Optional.<Reused>empty());
                    }
                    if (hit.isEmpty()) {
                        count("miss");
                        return Uni.createFrom().item(Optional.<Reused>empty());
                    }
                    GenerationId id = GenerationId.parse(hit.get().generationId());
                    return check.apply(id).chain(found -> {
                        if (found.isPresent() && found.get().completed()) {
                            count(hit.get().kind() == SimilarCache.Hit.Kind.EXACT ? "exact" : "similar");
                            avoidedByReuse.increment();
                            return Uni.createFrom()
                                    .item(Optional.of(
                                            new Reused(found.get(), hit.get().similarity())));
                        }
                        count("miss");
                        return quietly(cache.remove(id.value()), "evict " + id).replaceWith(Optional.<Reused>empty());
                    });
                });
    }

    private void count(String result) {
        lookups.get(result).increment();
    }

    /**
     * Claims the request for {@code id} while it is generated. Empty when this request won (or the cache is
     * down: then there is no single flight, but also no failure); else the id of the pending generation that
     * holds it.
     */
    public Uni<Optional<GenerationId>> claim(RequestKey key, GenerationId id) {
        return cache.claim(key.fingerprint(), key.promptKey(), id.value(), pendingTimeout)
                .map(holder -> holder.equals(id.value())
                        ? Optional.<GenerationId>empty()
                        : Optional.of(GenerationId.parse(holder)))
                .onFailure()
                .recoverWithItem(e -> Optional.empty())
                .invoke(holder -> holder.ifPresent(h -> avoidedInFlight.increment()));
    }

    /** The generation is completed: reusable from now until its expiry; its claim is released. */
    public Uni<Void> completed(GenerationMetadata meta) {
        if (meta.fingerprint() == null) {
            return Uni.createFrom().voidItem(); // made with ?reuse=false before keys were recorded
        }
        float[] embedding = embedder.embed(PromptNormalizer.normalize(meta.prompt()));
        return quietly(
                        cache.put(new SimilarCache.Entry(
                                meta.generationId(),
                                meta.fingerprint(),
                                meta.promptKey(),
                                embedding,
                                meta.expiresAt())),
                        "cache " + meta.generationId())
                .chain(() -> release(meta));
    }

    /** The generation is gone (deleted or failed): never reused, and its claim released. */
    public Uni<Void> removed(GenerationMetadata meta) {
        return quietly(cache.remove(meta.generationId()), "evict " + meta.generationId())
                .chain(() -> release(meta));
    }

    /** Releases the request's claim if this generation holds it. */
    public Uni<Void> release(GenerationMetadata meta) {
        if (meta.fingerprint() == null) {
            return Uni.createFrom().voidItem();
        }
        return quietly(
                cache.release(meta.fingerprint(), meta.promptKey(), meta.generationId()),
                "release " + meta.generationId());
    }

    private static Uni<Void> quietly(Uni<Void> call, String what) {
        return call.onFailure().recoverWithUni(e -> {
            LOG.debugf("cache %s skipped: %s", what, e.toString());
            return Uni.createFrom().voidItem();
        });
    }
}
