package io.reelvault.service.artifact;

import java.time.Instant;

/**
 * What every artifact's {@code metadata.json} (a generation's, a composition's) says, and what
 * {@link ArtifactDocuments} relies on: whose it is, when it was made, until when it is kept, and its status.
 */
public interface ArtifactDocument {
    String userId();

    Instant createdAt();

    /** Never served at or after this instant. */
    Instant expiresAt();

    Enum<?> status();
}
