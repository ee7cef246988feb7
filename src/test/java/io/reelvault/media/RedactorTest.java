package io.reelvault.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RedactorTest {
    static final String SOURCE =
            "http://vault.local/storage/generations/gen_1/clips/clip_001.mp4?X-Expires=99&X-Signature=secret123";

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void replacesTheSourceAndItsQuery() {
        Redactor redactor = new Redactor(SOURCE, Path.of("/tmp/work/compressed-1.mp4"));
        String clean = redactor.clean(
                utf8(SOURCE + ": Server returned 403 Forbidden\n"
                        + "Opening X-Expires=99&X-Signature=secret123 again\n"
                        + "/tmp/work/compressed-1.mp4: No space left on device\n"),
                false);
        assertEquals(
                "<input>: Server returned 403 Forbidden | Opening <query> again | <output>: No space left on device",
                clean);
    }

    @Test
    void redactsSignaturesAndCredentialsOfAnyUrl() {
        String clean = new Redactor(SOURCE, null)
                .clean(
                        utf8(
                                "redirected to https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4"
                                        + "&X-Amz-Credential=AKIA%2F2024&X-Amz-Security-Token=tok&X-Amz-Signature=abc123 and x-signature=def"),
                        false);
        assertFalse(
                clean.contains("AKIA") || clean.contains("tok&") || clean.contains("abc123") || clean.contains("def"),
                clean);
        assertTrue(
                clean.contains("X-Amz-Algorithm=AWS4&X-Amz-Credential=<redacted>&X-Amz-Security-Token=<redacted>"
                        + "&X-Amz-Signature=<redacted>"),
                clean);
    }

    @Test
    void dropsThePartialFirstLineOfATruncatedTail() {
        String tail = SOURCE.substring(SOURCE.length() - 20) + ": Connection refused\nlast line\n";
        assertEquals("last line", new Redactor(SOURCE, null).clean(utf8(tail), true));
        assertEquals("", new Redactor(SOURCE, null).clean(utf8("Signature=secret123 no break"), true));
    }

    @Test
    void keepsNoControlCharactersAndAtMostMaxChars() {
        String clean = new Redactor("s", null).clean(utf8("a\u0007b\u202Ec\r\n\r\nd" + "x".repeat(5000)), false);
        assertTrue(clean.startsWith("x"), "only the last characters are kept");
        assertEquals(Redactor.MAX_CHARS, clean.length());
        assertEquals("a b c | d", new Redactor("s", null).clean(utf8("a\u0007b\u202Ec\r\n\r\nd"), false));
    }

    @Test
    void outputTailKeepsTheLastBytes() throws IOException {
        byte[] data = new byte[10_000];
        Arrays.fill(data, (byte) 'a');
        data[data.length - 1] = 'z';
        OutputTail tail = OutputTail.read(new ByteArrayInputStream(data), 100);
        assertTrue(tail.truncated());
        assertEquals(100, tail.bytes().length);
        assertEquals('z', tail.bytes()[99]);
        OutputTail whole = OutputTail.read(new ByteArrayInputStream(utf8("short")), 100);
        assertFalse(whole.truncated());
        assertEquals("short", new String(whole.bytes(), StandardCharsets.UTF_8));
    }
}
