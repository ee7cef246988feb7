package io.reelvault.storage;

/**
 * What a completed {@link ObjectStore#put} stored.
 *
 * @param info   the stored object
 * @param sha256 lower-case hex SHA-256 of exactly the bytes stored, computed while they were written
 *               (off the caller's thread), never null
 */
public record PutResult(ObjectInfo info, String sha256) {}
