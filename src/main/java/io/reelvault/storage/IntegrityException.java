package io.reelvault.storage;

import io.reelvault.model.ObjectKey;

/**
 * A stored object's bytes no longer match the SHA-256 recorded when they were written (bit rot, a damaged disk, an
 * edit behind the service's back). Raised by a full read in place of its last chunk, so that no reader ever receives
 * the damaged object as complete: a download already under way is cut before its last byte. Counted in
 * {@code reelvault_integrity_failures_total{area}} ({@code metrics.MeteredObjectStore}). Not a {@code
 * ReelvaultException}: before any byte was sent it answers 500 {@code internal_error}, the details in the log.
 */
public final class IntegrityException extends RuntimeException {
    private final ObjectKey key;
    private final String expected;
    private final String actual;

    public IntegrityException(ObjectKey key, String expected, String actual) {
        super("stored object " + key.value() + " is damaged: sha256 recorded " + expected + ", read " + actual);
        this.key = key;
        this.expected = expected;
        this.actual = actual;
    }

    public ObjectKey key() {
        return key;
    }

    /** The lower-case hex SHA-256 recorded when the object was written. */
    public String expected() {
        return expected;
    }

    /** The lower-case hex SHA-256 of the bytes read now. */
    public String actual() {
        return actual;
    }
}
