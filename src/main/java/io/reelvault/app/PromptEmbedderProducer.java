package io.reelvault.app;

import io.reelvault.similarity.HashedNgramEmbedder;
import io.reelvault.similarity.PromptEmbedder;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The one place the {@link PromptEmbedder} is chosen: {@link HashedNgramEmbedder} of its default dimensions. The
 * similar cache (its vectors and index), the generation workflow (request keys, entries put) and the cache bench all
 * take this one, so that the vectors they compare are always the same embedder's.
 */
@Dependent
public class PromptEmbedderProducer {

    @Produces
    @Singleton
    public PromptEmbedder promptEmbedder() {
        return new HashedNgramEmbedder();
    }
}
