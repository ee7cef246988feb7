package io.reelvault.storage;

import io.reelvault.model.ObjectKey;
import java.time.Instant;

/**
 * What a store knows about one stored object.
 *
 * @param key          the object's key
 * @param size         its length in bytes, {@code >= 0}
 * @param lastModified when the current version was written (UTC instant, second precision or better)
 * @param etag         an opaque validator, quoted as in HTTP ({@code "..."}); changes whenever the object is rewritten
 * @param contentType  the stored media type; {@code application/octet-stream} when unknown, never null
 */
public record ObjectInfo(ObjectKey key, long size, Instant lastModified, String etag, String contentType) {}
