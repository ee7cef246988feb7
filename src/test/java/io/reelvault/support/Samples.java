package io.reelvault.support;

import io.reelvault.common.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

/** Small files with real magic bytes. */
public final class Samples {
    private Samples() {}

    public static byte[] png(int size) {
        return withHeader(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, size);
    }

    public static byte[] jpeg(int size) {
        return withHeader(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0}, size);
    }

    public static byte[] mp3(int size) {
        return withHeader("ID3".getBytes(StandardCharsets.US_ASCII), size);
    }

    public static byte[] wav(int size) {
        return withHeader("RIFF\u0024\u0000\u0000\u0000WAVEfmt ".getBytes(StandardCharsets.ISO_8859_1), size);
    }

    public static byte[] gif(int size) {
        return withHeader("GIF89a".getBytes(StandardCharsets.US_ASCII), size);
    }

    /** Starts like an ISO-BMFF (MP4) file: an {@code ftyp} box; the rest is noise, so it does not play. */
    public static byte[] mp4(int size) {
        return withHeader(
                new byte[] {
                    0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'i', 's', 'o', 'm', 'm', 'p',
                    '4', '1'
                },
                size);
    }

    private static byte[] withHeader(byte[] header, int size) {
        byte[] body = new byte[Math.max(size, header.length)];
        new Random(size).nextBytes(body);
        System.arraycopy(header, 0, body, 0, header.length);
        return body;
    }

    public static String sha256(byte[] data) {
        return HexFormat.of().formatHex(Sha256.newDigest().digest(data));
    }

    /** {@code json} padded with spaces (still valid JSON) to exactly {@code size} bytes. */
    public static byte[] paddedJson(String json, int size) {
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) ' ');
        System.arraycopy(head, 0, body, 0, head.length);
        return body;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
