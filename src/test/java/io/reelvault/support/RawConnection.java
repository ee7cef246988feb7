package io.reelvault.support;

import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as the test writes it: a Content-Length that lies, a body that runs past
 * it, a client that vanishes halfway with a reset or a FIN. Answers are read as {@link SlowUpload.Response}s.
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
        this.in = socket.getInputStream();
    }

    /** A connection to the application under test; reads wait up to {@code timeout}. */
    public static RawConnection connect(Duration timeout) throws IOException {
        Socket socket = new Socket("localhost", RestAssured.port);
        socket.setSoTimeout((int) timeout.toMillis());
        socket.setTcpNoDelay(true);
        return new RawConnection(socket);
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
    public SlowUpload.Response response() throws IOException {
        String status;
        try {
            status = line();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            return null;
        }
        if (status == null) {
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(); h != null && !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.put(
                    h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    h.substring(colon + 1).trim());
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
                body.write(in.readNBytes(n));
                line();
            }
            line();
        }
        return new SlowUpload.Response(code, headers, body.toString(StandardCharsets.UTF_8));
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

    private String line() throws IOException {
        return HttpLines.read(in);
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
