package io.reelvault.service.artifact;

import io.reelvault.storage.PutResult;

/**
 * One stored artifact as recorded in metadata.
 *
 * @param sizeBytes its length in bytes
 * @param sha256    lower-case hex SHA-256 of its content
 */
public record StoredArtifact(String key, long sizeBytes, String sha256) {
    public static StoredArtifact of(PutResult stored) {
        return new StoredArtifact(stored.info().key().value(), stored.info().size(), stored.sha256());
    }
}
