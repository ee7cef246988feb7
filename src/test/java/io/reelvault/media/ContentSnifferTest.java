package io.reelvault.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.reelvault.model.FileType;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContentSnifferTest {
    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void recognisesEachAllowedType() {
        assertEquals(
                Optional.of(FileType.PNG),
                ContentSniffer.sniff(bytes(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0)));
        assertEquals(Optional.of(FileType.JPEG), ContentSniffer.sniff(bytes(0xFF, 0xD8, 0xFF, 0xE0)));
        assertEquals(Optional.of(FileType.GIF), ContentSniffer.sniff("GIF89a....".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(
                Optional.of(FileType.MP3),
                ContentSniffer.sniff("ID3\u0004\u0000".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(
                Optional.of(FileType.MP3),
                ContentSniffer.sniff(bytes(0xFF, 0xFB, 0x90, 0x64)),
                "MPEG-1 layer III frame");
        assertEquals(
                Optional.of(FileType.WAV),
                ContentSniffer.sniff("RIFF\u0024\u0000\u0000\u0000WAVEfmt ".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(
                Optional.of(FileType.MP4),
                ContentSniffer.sniff(bytes(0, 0, 0, 0x20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm')));
    }

    @Test
    void rejectsLookAlikes() {
        assertEquals(Optional.empty(), ContentSniffer.sniff("just some text".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Optional.empty(), ContentSniffer.sniff(bytes(0x89, 'P', 'N', 'G')), "truncated PNG signature");
        assertEquals(
                Optional.empty(),
                ContentSniffer.sniff("RIFF\u0024\u0000\u0000\u0000AVI ".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(Optional.empty(), ContentSniffer.sniff(bytes(0xFF, 0xFF, 0xFF, 0xFF)), "not a valid MPEG frame");
        assertEquals(Optional.empty(), ContentSniffer.sniff(new byte[0]));
    }
}
