package io.reelvault.model;

import java.time.Duration;

/**
 * Why a signed URL is handed out, and so how long it lives (DESIGN.md's table; the one place
 * these expiries are defined).
 */
public enum UrlPurpose {
    /** A direct user upload (PUT with a fixed Content-Type and size): 15 minutes. */
    USER_UPLOAD("upload", "PUT", Duration.ofMinutes(15)),
    /** Viewing a clip, thumbnail or an upload (GET): 1 hour. */
    PREVIEW("preview", "GET", Duration.ofHours(1)),
    /** Downloading a final video as an attachment (GET): 6 hours. */
    DOWNLOAD("download", "GET", Duration.ofHours(6)),
    /** Internal processing files read or written by pipeline workers: 30 minutes. */
    PROCESSING("processing", "GET", Duration.ofMinutes(30));

    private final String label;
    private final String method;
    private final Duration expiry;

    UrlPurpose(String label, String method, Duration expiry) {
        this.label = label;
        this.method = method;
        this.expiry = expiry;
    }

    /** The metric label, e.g. {@code preview}. */
    public String label() {
        return label;
    }

    /** The HTTP method the URL is signed for (processing URLs may also be signed for PUT). */
    public String method() {
        return method;
    }

    public Duration expiry() {
        return expiry;
    }
}
