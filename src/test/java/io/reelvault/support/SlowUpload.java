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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 request over a plain socket whose body the test sends when it wants: a client that trickles, stalls
 * or vanishes, as an attacker's would. With {@code Expect: 100-continue} the server's go-ahead is awaited first,
 * which tells the test the request passed every check made before the body is read.
 */
public final class SlowUpload implements AutoCloseable {
    private static final String BOUNDARY = "slowuploadboundary0123456789";

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final boolean chunked;
    private Response response;

    /** An answer: status, headers (lower-case names) and body. */
    public record Response(int status, Map<String, String> headers, String body) {
        /** The problem's {@code code}, or null. */
        public String code() {
            Matcher m = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]+)\"").matcher(body);
            return m.find() ? m.group(1) : null;
        }
    }

    private SlowUpload(Socket socket, boolean chunked) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
        this.chunked = chunked;
    }

    /**
     * Sends the request line and headers. A null {@code contentLength} sends the body chunked.
     *
     * @param waitForContinue whether to send {@code Expect: 100-continue} and wait for the go-ahead (up to
     *                        {@code wait}); when the server answers instead, {@link #response} holds the answer
     */
    public static SlowUpload open(
            String method,
            String pathAndQuery,
            String token,
            String contentType,
            Long contentLength,
            boolean waitForContinue,
            Duration wait)
            throws IOException {
        Socket socket = new Socket("localhost", RestAssured.port);
        socket.setSoTimeout((int) wait.toMillis());
        SlowUpload upload = new SlowUpload(socket, contentLength == null);
        StringBuilder head = new StringBuilder(method + " " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\n");
        if (token != null) {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        head.append("Content-Type: ").append(contentType).append("\r\n");
        head.append(
                contentLength == null ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + contentLength + "\r\n");
        if (waitForContinue) {
            head.append("Expect: 100-continue\r\n");
        }
        head.append("\r\n");
        upload.out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        upload.out.flush();
        if (waitForContinue) {
            Response first = upload.readResponse();
            if (first.status() != 100) {
                upload.response = first;
            }
        }
        return upload;
    }

    /** A chunked raw upload of {@code filename} as {@code type}, once the server said to go ahead. */
    public static SlowUpload raw(String token, String filename, String type) throws IOException {
        return open("POST", "/api/v1/uploads?filename=" + filename, token, type, null, true, Duration.ofSeconds(30));
    }

    /** A chunked multipart form upload: the preamble of the part {@code file} is sent, its bytes follow. */
    public static SlowUpload multipart(String token, String filename, String type) throws IOException {
        SlowUpload upload = open(
                "POST",
                "/api/v1/uploads",
                token,
                "multipart/form-data; boundary=" + BOUNDARY,
                null,
                true,
                Duration.ofSeconds(30));
        if (upload.response == null) {
            upload.send(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                            + "\"\r\nContent-Type: " + type + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        return upload;
    }

    /** The closing boundary of a {@link #multipart} upload, to send before {@link #finish()}. */
    public static byte[] multipartEnd() {
        return ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Whether the server answered before the body was sent (a refusal from the headers). */
    public Response earlyResponse() {
        return response;
    }

    /** Sends bytes of the body (one chunk when chunked). */
    public synchronized SlowUpload send(byte[] data) throws IOException {
        if (chunked) {
            out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        } else {
            out.write(data);
        }
        out.flush();
        return this;
    }

    /** Ends a chunked body. */
    public synchronized SlowUpload finish() throws IOException {
        if (chunked) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        return this;
    }

    /** The answer, waiting up to {@code timeout} for it. */
    public Response response(Duration timeout) throws IOException {
        if (response == null) {
            socket.setSoTimeout((int) timeout.toMillis());
            response = readResponse();
        }
        return response;
    }

    /** Whether an answer has arrived, without waiting. */
    public boolean answered() throws IOException {
        return response != null || in.available() > 0;
    }

    /** Whether the server closed the connection (waiting up to {@code timeout} for it). */
    public boolean closedByServer(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private Response readResponse() throws IOException {
        String status = line();
        if (status == null) {
            throw new IOException("connection closed without an answer");
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
        if (code == 100) {
            return new Response(code, headers, "");
        }
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
                body.write(in.readNBytes(n));
                line();
            }
            line();
        }
        return new Response(code, headers, body.toString(StandardCharsets.UTF_8));
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
