package io.reelvault.storage;

/**
 * Capability: {@link ObjectStore#head} answers from the file's own metadata on the calling thread (one {@code stat}),
 * with no network round trip and no trip to a worker thread: a head costs a small fraction of a read, so a caller may
 * check a cached copy's ETag against it instead of reading the object again (the local backend with inline small
 * reads). Stores whose heads are requests (S3) do not offer it.
 */
public interface LocalHeads {}
