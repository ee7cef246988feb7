package io.reelvault.support;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * An HTTP/1.1 client that sends exactly the bytes it is given, on one kept-alive {@link RawConnection} (re-opened when
 * the server closes it): request targets with raw NULs, overlong UTF-8 or back-slashes, duplicate or odd headers,
 * bodies that do not match their framing. Java's HttpClient and rest-assured validate or normalise all of these away,
 * so the fuzz tests speak HTTP themselves. Reads Content-Length, chunked and close-delimited answers; every read has a
 * timeout, so a server that never answers fails the test instead of hanging it.
 *
 * <p>Unlike a bare {@link RawConnection}, it hides a connection the server closed between two requests (the fuzz
 * tests count on the next request being answered, not on what became of the connection); the client-fault tests,
 * which must see exactly that, use a {@link RawConnection}.
 */
public final class RawHttp implements Closeable {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final String host;
    private final int port;
    private RawConnection connection;
    private int connections;

    public RawHttp(String host, int port) {
        this.host = host;
        this.port = port;
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
    public RawAnswer exchange(byte[] request, boolean head) throws IOException {
        boolean reused = connection != null;
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

    private RawAnswer once(byte[] request, boolean head) throws IOException {
        if (connection == null) {
            connection = RawConnection.connect(host, port, TIMEOUT);
            connections++;
        }
        connection.send(request);
        RawAnswer answer = connection.exchangeAnswer(head);
        if (answer == null) {
            throw new EOFException("the server closed the connection without an answer");
        }
        if (answer.delimitedByClose(head) || "close".equalsIgnoreCase(answer.header("connection"))) {
            close();
        }
        return answer;
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
