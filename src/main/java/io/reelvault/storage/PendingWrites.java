package io.reelvault.storage;

/**
 * Capability: the writes still streaming when the service stops can be aborted at once, each leaving neither an
 * object nor a temp file (local backend) nor a multipart upload (S3) behind. Used at the end of a graceful
 * shutdown: whatever is still being written then was cut off by the grace period ({@code quarkus.shutdown.timeout}).
 */
public interface PendingWrites {

    /**
     * Aborts every write in progress and makes later writes fail with {@code shutting_down}. A write that already
     * committed stays whole; an aborted one fails with {@code shutting_down}. Blocking; idempotent.
     *
     * @return how many writes were aborted
     */
    int abortAll();
}
