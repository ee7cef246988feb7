package io.reelvault.service;

import java.util.Locale;

/** The classes of calls limited per caller, each with its own bucket and limits ({@code reelvault.rate-limits.*}). */
public enum RateClass {
    /** Calls that take a body into storage: uploads and artifact PUTs. */
    UPLOAD,
    /** Calls that hand out signed URLs: presign, url, download, and the generation views with preview URLs. */
    URL,
    /**
     * Listings ({@code GET /api/v1/uploads}, {@code /generations}, {@code /compositions}): one page lists up to
     * 1000 items and may read as many documents, so they have a bucket of their own, smaller than a single read's.
     */
    LIST;

    /** {@code upload}, {@code url} or {@code list}: the config group, the metric label and the bucket key's first part. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
