package io.reelvault.service.artifact;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of a metadata query.
 *
 * @param nextAfter  pass as {@code after} to continue; absent (null here) when the listing is exhausted. A page may hold
 *                   fewer than {@code limit} items and still have a {@code nextAfter}: each request examines a
 *                   bounded number of objects (see {@link MetadataQuery}).
 * @param examined   objects listed and metadata documents read to answer this page
 */
public record MetadataPage<T>(
        List<T> items,
        @JsonInclude(JsonInclude.Include.NON_NULL) String nextAfter,
        Examined examined) {
    public record Examined(long objectsListed, long metadataRead) {}
}
