package io.reelvault.support;

import io.restassured.RestAssured;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP/1.1 connection over a plain socket, byte for byte as the test writes it: a Content-Length that lies, a body
 * that runs past it, a client that vanishes halfway with a reset or a FIN. Nothing is retried or re-opened: what the
 * server does to the connection is what the test sees. Answers are read as {@link RawAnswer}s. The raw-HTTP test
 * clients are built on it: {@link SlowUpload} (a body sent when the test wants) and {@link RawHttp} (the fuzz tests'
 * kept-alive client, which re-opens a connection the server closed).
 */
public final class RawConnection implements AutoCloseable {

    /** How a client vanishes. */
    public enum Abort {
        /** A reset: {@code SO_LINGER} 0, then close (the kernel sends RST, nothing more is read or sent). */
        RST,
        /** A FIN with the socket still open for reading: {@code shutdownOutput()}, the server may still answer. */
        HALF_CLOSE,
        /** A FIN and gone: {@code close()}. */
        CLOSE
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }

    /** A connection to the application under test; reads wait up to {@code timeout}. */
    public static RawConnection connect(Duration timeout) throws IOException {
        return connect("localhost", RestAssured.port, timeout);
    }

    /** A connection to {@code host:port}; connecting and every read wait up to {@code timeout}. */
    public static RawConnection connect(String host, int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        socket.setSoTimeout((int) timeout.toMillis());
        socket.setTcpNoDelay(true);
        return new RawConnection(socket);
    }

    /** From now on reads wait up to {@code timeout}. */
    public RawConnection readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    /** Whether bytes of an answer have arrived, without waiting. */
    public boolean answerWaiting() throws IOException {
        return in.available() > 0;
    }

    /** A request head: the request line, {@code Host}, the given headers in order, and the empty line. */
    public static byte[] head(String method, String pathAndQuery, Map<String, String> headers) {
        StringBuilder head = new StringBuilder(method + " " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\n");
        headers.forEach(
                (name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        return head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Headers in the order given (name, value, name, value, ...). */
    public static Map<String, String> headers(String... namesAndValues) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    /** {@code body} in chunks of {@code chunkSize}, without the last chunk ({@link #LAST_CHUNK}). */
    public static byte[] chunks(byte[] body, int chunkSize) {
        ByteArrayOutputStream encoded = new ByteArrayOutputStream(body.length + body.length / chunkSize * 12 + 16);
        for (int from = 0; from < body.length; from += chunkSize) {
            int n = Math.min(chunkSize, body.length - from);
            encoded.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            encoded.write(body, from, n);
            encoded.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return encoded.toByteArray();
    }

    /** The end of a chunked body. */
    public static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    public RawConnection send(byte[] bytes) throws IOException {
        return send(bytes, 0, bytes.length);
    }

    public RawConnection send(byte[] bytes, int from, int to) throws IOException {
        out.write(bytes, from, to - from);
        out.flush();
        return this;
    }

    /** The client vanishes as {@code how} says. */
    public void abort(Abort how) throws IOException {
        switch (how) {
            case RST -> {
                socket.setSoLinger(true, 0);
                socket.close();
            }
            case HALF_CLOSE -> socket.shutdownOutput();
            case CLOSE -> socket.close();
        }
    }

    /** The next answer on the connection, or null when the server closed (or reset) it instead. */
    public RawAnswer response() throws IOException {
        String status;
        try {
            status = RawAnswer.line(in);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            return null;
        }
        return status == null ? null : RawAnswer.readAfter(status, in, false, false);
    }

    /**
     * The answer to a request just sent, as a kept-alive client reads it: {@code head} for a HEAD request (no body);
     * a body without Content-Length and not chunked runs until the server closes the connection. Null when the
     * server closed the connection without an answer.
     */
    RawAnswer exchangeAnswer(boolean head) throws IOException {
        String status = RawAnswer.line(in);
        return status == null ? null : RawAnswer.readAfter(status, in, head, true);
    }

    /** Whether the server closes the connection within the read timeout (whatever it still sends is skipped). */
    public boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // skip
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // gone already
        }
    }
}
