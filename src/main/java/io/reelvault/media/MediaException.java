package io.reelvault.media;

/**
 * A media task failed. The message never contains the task's source (signed URLs are secrets) nor any
 * signature or credential, holds no line breaks or other control characters, and is at most a few KB: it is
 * safe to store in metadata and to log.
 */
public class MediaException extends RuntimeException {
    /** Why the task failed, for callers that react differently (retry later, give up, count). */
    public enum Reason {
        /** Media work is off (disabled, ffmpeg or ffprobe missing) or the service is shutting down. */
        UNAVAILABLE,
        /** Every worker was busy and the queue full: the task was refused without waiting. */
        BUSY,
        /** The process ran past its deadline and was killed. */
        TIMED_OUT,
        /** The input could not be read or processed, or the process failed otherwise. */
        FAILED
    }

    private final Reason reason;

    public MediaException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
