package io.reelvault.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client that sends exactly the bytes it is given, on one kept-alive connection (re-opened when the
 * server closes it): request targets with raw NULs, overlong UTF-8 or back-slashes, duplicate or odd headers, bodies
 * that do not match their framing. Java's HttpClient and rest-assured validate or normalise all of these away, so the
 * fuzz tests speak HTTP themselves. Reads Content-Length, chunked and close-delimited answers; every read has a
 * timeout, so a server that never answers fails the test instead of hanging it.
 */
public final class RawHttp implements Closeable {
    private static final int TIMEOUT_MILLIS = 15_000;

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int connections;

    public RawHttp(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** An answer: status, headers (names lower-cased, in order), body. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** How many connections were opened so far (one, unless the server closed some). */
    public int connections() {
        return connections;
    }

    /** {@code METHOD target HTTP/1.1}, the headers given (Host added), and the body with its Content-Length. */
    public static byte[] request(String method, byte[] target, Map<String, String> headers, byte[] body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(256 + (body == null ? 0 : body.length));
        b.writeBytes((method + " ").getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes(target);
        StringBuilder h = new StringBuilder(" HTTP/1.1\r\nHost: localhost\r\n");
        headers.forEach(
                (name, value) -> h.append(name).append(": ").append(value).append("\r\n"));
        if (body != null
                && headers.keySet().stream()
                        .noneMatch(
                                n -> n.equalsIgnoreCase("Content-Length") || n.equalsIgnoreCase("Transfer-Encoding"))) {
            h.append("Content-Length: ").append(body.length).append("\r\n");
        }
        h.append("\r\n");
        b.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            b.writeBytes(body);
        }
        return b.toByteArray();
    }

    /**
     * Sends one request and reads its answer. A reused connection the server had closed in the meantime is
     * re-opened and the request sent again, once.
     */
    public Response exchange(byte[] request, boolean head) throws IOException {
        boolean reused = socket != null;
        try {
            return once(request, head);
        } catch (IOException e) {
            close();
            if (!reused) {
                throw e;
            }
            return once(request, head);
        }
    }

    private Response once(byte[] request, boolean head) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
            connections++;
        }
        out.write(request);
        out.flush();
        String statusLine = line();
        if (statusLine == null) {
            throw new EOFException("the server closed the connection without an answer");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String h = line(); h != null && !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.computeIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).trim());
        }
        Response partial = new Response(status, headers, new byte[0]);
        byte[] body;
        if (head || status == 204 || status == 304 || status / 100 == 1) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(partial.header("transfer-encoding"))) {
            body = chunked();
        } else if (partial.header("content-length") != null) {
            int length = Integer.parseInt(partial.header("content-length"));
            body = in.readNBytes(length);
            if (body.length < length) {
                throw new EOFException("the body ended after " + body.length + " of " + length + " bytes");
            }
        } else {
            body = in.readAllBytes();
            close();
        }
        if ("close".equalsIgnoreCase(partial.header("connection"))) {
            close();
        }
        return new Response(status, headers, body);
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            if (size == null) {
                throw new EOFException("the chunked body ended early");
            }
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                    // trailers: none expected
                }
                return body.toByteArray();
            }
            body.writeBytes(in.readNBytes(n));
            line();
        }
    }

    private String line() throws IOException {
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

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
