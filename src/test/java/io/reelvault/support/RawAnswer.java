package io.reelvault.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 answer as the clients that speak HTTP themselves ({@link RawConnection}, {@link RawHttp},
 * {@link SlowUpload}) read it off the socket: status, headers (names lower-cased, in order), body. The one reader of
 * answers for all three: Content-Length, chunked and (when asked) close-delimited bodies; lines are read as the bytes
 * came (ISO-8859-1, only the line's CR LF removed).
 */
public record RawAnswer(int status, Map<String, List<String>> headers, byte[] body) {
    private static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]+)\"");

    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? null : values.get(0);
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The problem's {@code code}, or null. */
    public String code() {
        Matcher m = CODE.matcher(text());
        return m.find() ? m.group(1) : null;
    }

    /** Whether the body ran until the server closed the connection (no Content-Length, not chunked). */
    boolean delimitedByClose(boolean head) {
        return !bodyless(status, head)
                && header("content-length") == null
                && !"chunked".equalsIgnoreCase(header("transfer-encoding"));
    }

    @Override
    public String toString() {
        return "RawAnswer[status=" + status + ", headers=" + headers + ", body=" + text() + "]";
    }

    /**
     * The answer whose status line was just read. A body without Content-Length and not chunked is read up to the
     * end of the stream when {@code untilClose}, else taken as empty.
     */
    /** Where the blank line that ends an HTTP head ({@code \r\n\r\n}) begins in {@code bytes}, or -1. */
    public static int headEnd(byte[] bytes) {
        outer:
        for (int i = 0; i + 4 <= bytes.length; i++) {
            for (int j = 0; j < 4; j++) {
                if (bytes[i + j] != "\r\n\r\n".charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static RawAnswer readAfter(String statusLine, InputStream in, boolean head, boolean untilClose) throws IOException {
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.computeIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).trim());
        }
        RawAnswer partial = new RawAnswer(status, headers, new byte[0]);
        byte[] body;
        if (bodyless(status, head)) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(partial.header("transfer-encoding"))) {
            body = chunked(in);
        } else if (partial.header("content-length") != null) {
            int length = Integer.parseInt(partial.header("content-length"));
            body = in.readNBytes(length);
            if (body.length < length) {
                throw new EOFException("the body ended after " + body.length + " of " + length + " bytes");
            }
        } else {
            body = untilClose ? in.readAllBytes() : new byte[0];
        }
        return new RawAnswer(status, headers, body);
    }

    private static boolean bodyless(int status, boolean head) {
        return head || status == 204 || status == 304 || status / 100 == 1;
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                throw new EOFException("the chunked body ended early");
            }
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                    // trailers: none expected
                }
                return body.toByteArray();
            }
            body.writeBytes(in.readNBytes(n));
            line(in);
        }
    }

    /** The next line without its CR LF; null at the end of the stream. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }
}
