package io.reelvault.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads an HTTP/1.1 answer line by line off a raw socket, for the test clients that speak HTTP themselves. */
final class HttpLines {
    private HttpLines() {}

    /** The next line without its CR LF (every CR is dropped); null at the end of the stream. */
    static String read(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return c < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }
}
