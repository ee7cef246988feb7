package io.reelvault.service;

import java.util.Locale;

/** The classes of calls limited per caller, each with its own bucket and limits ({@code reelvault.rate-limits.*}). */
public enum RateClass {
    /** Calls that take a body into storage: uploads and artifact PUTs. */
    UPLOAD,
    /** Calls that hand out signed URLs: presign, url, download, and the generation views with preview URLs. */
    URL;

    /** {@code upload} or {@code url}: the config group, the metric label and the bucket key's first part. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
