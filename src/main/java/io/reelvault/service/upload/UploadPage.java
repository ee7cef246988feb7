package io.reelvault.service.upload;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of a user's uploads, oldest first.
 *
 * @param nextAfter the {@code after} value of the next page; absent (null here) on the last page
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UploadPage(List<UploadMetadata> items, String nextAfter) {}
