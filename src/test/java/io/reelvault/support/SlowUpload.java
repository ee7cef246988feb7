package io.reelvault.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP/1.1 request on a {@link RawConnection} whose body the test sends when it wants: a client that trickles,
 * stalls or vanishes, as an attacker's would. With {@code Expect: 100-continue} the server's go-ahead is awaited
 * first, which tells the test the request passed every check made before the body is read.
 */
public final class SlowUpload implements AutoCloseable {
    private static final String BOUNDARY = "slowuploadboundary0123456789";

    private final RawConnection connection;
    private final boolean chunked;
    private RawAnswer response;

    private SlowUpload(RawConnection connection, boolean chunked) {
        this.connection = connection;
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
        SlowUpload upload = new SlowUpload(RawConnection.connect(wait), contentLength == null);
        Map<String, String> headers = new LinkedHashMap<>();
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        headers.put("Content-Type", contentType);
        if (contentLength == null) {
            headers.put("Transfer-Encoding", "chunked");
        } else {
            headers.put("Content-Length", contentLength.toString());
        }
        if (waitForContinue) {
            headers.put("Expect", "100-continue");
        }
        upload.connection.send(RawConnection.head(method, pathAndQuery, headers));
        if (waitForContinue) {
            RawAnswer first = upload.readResponse();
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
    public RawAnswer earlyResponse() {
        return response;
    }

    /** Sends bytes of the body (one chunk when chunked). */
    public synchronized SlowUpload send(byte[] data) throws IOException {
        if (chunked) {
            connection.send(Samples.concat(
                    (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII),
                    data,
                    "\r\n".getBytes(StandardCharsets.US_ASCII)));
        } else {
            connection.send(data);
        }
        return this;
    }

    /** Ends a chunked body. */
    public synchronized SlowUpload finish() throws IOException {
        if (chunked) {
            connection.send(RawConnection.LAST_CHUNK);
        }
        return this;
    }

    /** The answer, waiting up to {@code timeout} for it. */
    public RawAnswer response(Duration timeout) throws IOException {
        if (response == null) {
            connection.readTimeout(timeout);
            response = readResponse();
        }
        return response;
    }

    /** Whether an answer has arrived, without waiting. */
    public boolean answered() throws IOException {
        return response != null || connection.answerWaiting();
    }

    /** Whether the server closed the connection (waiting up to {@code timeout} for it). */
    public boolean closedByServer(Duration timeout) throws IOException {
        return connection.readTimeout(timeout).closedByServer();
    }

    private RawAnswer readResponse() throws IOException {
        RawAnswer answer = connection.response();
        if (answer == null) {
            throw new IOException("connection closed without an answer");
        }
        return answer;
    }

    @Override
    public void close() {
        connection.close();
    }
}
