package io.reelvault.service;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.media.ContentSniffer;
import io.reelvault.model.FileType;
import io.reelvault.storage.AdoptableBody;
import io.smallrye.mutiny.Multi;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Watches one body as it streams: fails it with {@code payload_too_large} the moment it passes the
 * limit, and with {@code unsupported_media_type} as soon as its first bytes are known not to be the
 * expected type. Cheap enough for the event loop (the store hashes, on its own threads). Holds only
 * {@link ContentSniffer#HEAD_BYTES} bytes. One instance per body; not reusable.
 */
public final class BodyInspector {
    private final long maxBytes;
    private final FileType expected;
    private final OptionalLong declaredLength;
    private final byte[] head = new byte[ContentSniffer.HEAD_BYTES];
    private int headLength;
    private boolean typeChecked;
    private long size;

    /**
     * @param expected       the type the content must be, or null to skip the magic-byte check
     * @param declaredLength the body's Content-Length when known: the type is then checked no later
     *                       than on the last byte, before it reaches the store. A check left to the
     *                       end of the stream would come too late for a backend that finishes its
     *                       request as soon as the declared bytes are sent (S3 PutObject).
     */
    public BodyInspector(long maxBytes, FileType expected, OptionalLong declaredLength) {
        this.maxBytes = maxBytes;
        this.expected = expected;
        this.declaredLength = declaredLength;
    }

    /**
     * The body, watched. A body the store already holds whole ({@link AdoptableBody}) stays one: its length is checked
     * now, its type on its first bytes by the store that takes it (or, streamed, as any body's).
     */
    public Multi<ByteBuffer> inspect(Multi<ByteBuffer> body) {
        if (body instanceof AdoptableBody whole) {
            if (whole.length() > maxBytes) {
                return Multi.createFrom().failure(tooLarge(maxBytes)); // fails the put, as a streamed body would
            }
            return whole.inspected(watched(whole), head.length, this::checkHead);
        }
        return watched(body);
    }

    private Multi<ByteBuffer> watched(Multi<ByteBuffer> body) {
        return body.onItem().invoke(this::accept).onCompletion().invoke(this::checkType);
    }

    /** The type check of a whole body on its first bytes. */
    private void checkHead(ByteBuffer first) {
        headLength = Math.min(first.remaining(), head.length);
        first.get(head, 0, headLength);
        checkType();
    }

    private void accept(ByteBuffer buffer) {
        size += buffer.remaining();
        if (size > maxBytes) {
            throw tooLarge(maxBytes);
        }
        if (!typeChecked) {
            ByteBuffer view = buffer.duplicate();
            int n = Math.min(view.remaining(), head.length - headLength);
            view.get(head, headLength, n);
            headLength += n;
            if (headLength == head.length || declaredLength.isPresent() && size >= declaredLength.getAsLong()) {
                checkType();
            }
        }
    }

    private void checkType() {
        if (typeChecked || expected == null) {
            return;
        }
        typeChecked = true;
        byte[] sniffed = headLength == head.length ? head : Arrays.copyOf(head, headLength);
        Optional<FileType> actual = ContentSniffer.sniff(sniffed);
        if (actual.isEmpty() || actual.get() != expected) {
            throw new ReelvaultException(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "the content is "
                            + actual.map(t -> "a " + t.name() + " file").orElse("not a recognised file type")
                            + ", not " + expected.mediaType() + " as declared");
        }
    }

    public static ReelvaultException tooLarge(long maxBytes) {
        return new ReelvaultException(
                ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the limit of " + maxBytes + " bytes");
    }
}
