package io.reelvault.storage;

import io.reelvault.model.ObjectKey;

/**
 * A stored object's bytes no longer match the checksum recorded when they were written (its CRC32C, or its SHA-256
 * when it has no CRC32C) (bit rot, a damaged disk, an
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
        super("stored object " + key.value() + " is damaged: recorded " + expected + ", read " + actual);
        this.key = key;
        this.expected = expected;
        this.actual = actual;
    }

    public ObjectKey key() {
        return key;
    }

    /** The checksum recorded when the object was written: lower-case hex SHA-256, or {@code crc32c:} and 8 hex digits. */
    public String expected() {
        return expected;
    }

    /** The same checksum of the bytes read now. */
    public String actual() {
        return actual;
    }
}
