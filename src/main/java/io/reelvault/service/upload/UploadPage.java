package io.reelvault.service.upload;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of a user's uploads, oldest first.
 *
 * @param nextAfter the {@code after} value of the next page; absent (null here) on the last page
 */
public record UploadPage(
        List<UploadMetadata> items,
        @JsonInclude(JsonInclude.Include.NON_NULL) String nextAfter) {}
