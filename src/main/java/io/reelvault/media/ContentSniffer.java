package io.reelvault.media;

import io.reelvault.model.FileType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Identifies a file's type from its first bytes (magic numbers), never from its name or declared
 * type. Needs at most {@link #HEAD_BYTES} bytes; fewer (a tiny file) simply match less.
 */
public final class ContentSniffer {
    /** How many leading bytes {@link #sniff} looks at. */
    public static final int HEAD_BYTES = 16;

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] GIF87 = ascii("GIF87a");
    private static final byte[] GIF89 = ascii("GIF89a");
    private static final byte[] ID3 = ascii("ID3");
    private static final byte[] RIFF = ascii("RIFF");
    private static final byte[] WAVE = ascii("WAVE");
    private static final byte[] FTYP = ascii("ftyp");

    private ContentSniffer() {}

    /** The type whose signature {@code head} starts with, if any. */
    public static Optional<FileType> sniff(byte[] head) {
        if (startsWith(head, 0, PNG)) {
            return Optional.of(FileType.PNG);
        }
        if (startsWith(head, 0, JPEG)) {
            return Optional.of(FileType.JPEG);
        }
        if (startsWith(head, 0, GIF87) || startsWith(head, 0, GIF89)) {
            return Optional.of(FileType.GIF);
        }
        if (startsWith(head, 0, ID3) || isMpegLayer3FrameSync(head)) {
            return Optional.of(FileType.MP3);
        }
        if (startsWith(head, 0, RIFF) && startsWith(head, 8, WAVE)) {
            return Optional.of(FileType.WAV);
        }
        if (startsWith(head, 4, FTYP)) {
            return Optional.of(FileType.MP4);
        }
        return Optional.empty();
    }

    /** An MPEG audio frame header: 11 sync bits, a valid version, layer III, a valid bitrate and sample rate. */
    private static boolean isMpegLayer3FrameSync(byte[] h) {
        if (h.length < 3 || (h[0] & 0xFF) != 0xFF || (h[1] & 0xE0) != 0xE0) {
            return false;
        }
        int version = (h[1] >> 3) & 0x3;
        int layer = (h[1] >> 1) & 0x3;
        int bitrate = (h[2] >> 4) & 0xF;
        int sampleRate = (h[2] >> 2) & 0x3;
        return version != 1 && layer == 1 && bitrate != 0xF && bitrate != 0 && sampleRate != 3;
    }

    private static boolean startsWith(byte[] data, int offset, byte[] magic) {
        return data.length >= offset + magic.length
                && Arrays.equals(data, offset, offset + magic.length, magic, 0, magic.length);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
