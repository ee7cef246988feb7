package io.reelvault.storage;

import java.time.Instant;

/**
 * Capability: the writes a process left unfinished when it died ({@code kill -9}, an OOM kill, a lost node) can be
 * found and removed: the local backend's temp files, S3's multipart uploads. Nothing else ever reaches them: an
 * unfinished write is no object, so neither listings, the upload sweeper nor retention see it, and on S3 its parts
 * are billed until the bucket's lifecycle rule aborts it a day later. Several replicas may share the storage, so
 * a write is only removed once nothing has been written to it since the given instant (and, on the local backend,
 * no process holds its lock): a live write of another replica never looks abandoned.
 */
public interface IncompleteWrites {

    /**
     * Removes every unfinished write of this storage that no process of this one is making and whose last byte was
     * written before {@code inactiveSince}. Blocking.
     *
     * @return how many were removed
     */
    int removeAbandoned(Instant inactiveSince);
}
