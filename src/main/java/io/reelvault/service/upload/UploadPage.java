package io.reelvault.service.upload;

import java.util.List;

/**
 * One page of a user's uploads, oldest first.
 *
 * @param nextAfter the {@code after} value of the next page; null on the last page
 */
public record UploadPage(List<UploadMetadata> items, String nextAfter) {}
