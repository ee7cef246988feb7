package io.reelvault.service;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.media.ContentSniffer;
import io.reelvault.model.FileType;
import io.smallrye.mutiny.Multi;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Watches one body as it streams: fails it with {@code payload_too_large} the moment it passes the
 * limit, with {@code unsupported_media_type} as soon as its first bytes are known not to be the
 * expected type, and computes its SHA-256 on the way. Holds only {@link ContentSniffer#HEAD_BYTES}
 * bytes. One instance per body; not reusable.
 */
final class BodyInspector {
    private final long maxBytes;
    private final FileType expected;
    private final MessageDigest sha256;
    private final byte[] head = new byte[ContentSniffer.HEAD_BYTES];
    private int headLength;
    private boolean typeChecked;
    private long size;

    /** @param expected the type the content must be, or null to skip the magic-byte check */
    BodyInspector(long maxBytes, FileType expected) {
        this.maxBytes = maxBytes;
        this.expected = expected;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Multi<ByteBuffer> inspect(Multi<ByteBuffer> body) {
        return body.onItem().invoke(this::accept).onCompletion().invoke(this::checkType);
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
            if (headLength == head.length) {
                checkType();
            }
        }
        sha256.update(buffer.duplicate());
    }

    private void checkType() {
        if (typeChecked || expected == null) {
            return;
        }
        typeChecked = true;
        byte[] sniffed = headLength == head.length ? head : java.util.Arrays.copyOf(head, headLength);
        Optional<FileType> actual = ContentSniffer.sniff(sniffed);
        if (actual.isEmpty() || actual.get() != expected) {
            throw new ReelvaultException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the content is "
                    + actual.map(t -> "a " + t.name() + " file").orElse("not a recognised file type")
                    + ", not " + expected.mediaType() + " as declared");
        }
    }

    /** The number of bytes seen. */
    long size() {
        return size;
    }

    /** The hex SHA-256 of the whole body; call once, after the body completed. */
    String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }

    static ReelvaultException tooLarge(long maxBytes) {
        return new ReelvaultException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the limit of " + maxBytes + " bytes");
    }
}
