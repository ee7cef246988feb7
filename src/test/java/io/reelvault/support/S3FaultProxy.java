package io.reelvault.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A fault-injecting HTTP/1.1 proxy on loopback, between the service's S3 endpoint setting and a real S3 server
 * (s3proxy). It reads each request's head and its body (Content-Length or chunked), so it can act per request:
 * answer an S3 error of its own ({@code 503 SlowDown}, {@code 404 NoSuchBucket}, ...) to the next N requests that
 * match, reset (RST) the connection in the middle of a matching request's body after forwarding half of it, hold every
 * request for a fixed latency before forwarding it, or pass it through. Every request seen is recorded with what was
 * done to it, so a test can count the SDK's retries.
 *
 * <p>Each client connection gets its own upstream connection; responses are relayed byte for byte as they come (an
 * {@code Expect: 100-continue} handshake works unchanged).
 */
public final class S3FaultProxy implements AutoCloseable {

    /** One request head as the proxy read it. Header names are lower case. */
    public record Request(String method, String target, Map<String, String> headers) {
        public String query() {
            int q = target.indexOf('?');
            return q < 0 ? "" : target.substring(q + 1);
        }

        public boolean hasQueryParameter(String name, String value) {
            for (String p : query().split("&")) {
                if (p.equals(value == null ? name : name + "=" + value)) {
                    return true;
                }
                if (value == null && p.startsWith(name + "=")) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return method + " " + target;
        }
    }

    /** What the proxy did with one request. */
    public record Seen(Request request, String action) {}

    /** Every request. */
    public static final Predicate<Request> ANY = r -> true;

    /** S3's UploadPart of the given part number. */
    public static Predicate<Request> uploadPart(int partNumber) {
        return r -> r.method().equals("PUT")
                && r.hasQueryParameter("partNumber", String.valueOf(partNumber))
                && r.hasQueryParameter("uploadId", null);
    }

    private record Fault(
            Predicate<Request> matches,
            AtomicInteger remaining,
            String action,
            int status,
            String code,
            Duration hold) {
        Fault(Predicate<Request> matches, AtomicInteger remaining, String action, int status, String code) {
            this(matches, remaining, action, status, code, Duration.ZERO);
        }
    }

    /** Where requests go; null until {@link #upstream(URI)} names it (a server whose port is known later). */
    private volatile URI upstream;

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "s3-fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile Duration latency = Duration.ZERO;

    public S3FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    /**
     * A proxy whose upstream is named later, with {@link #upstream(URI)}: in front of a server that starts after the
     * proxy's address went into its configuration (the service itself, on a random test port).
     */
    public static S3FaultProxy forLater() throws IOException {
        return new S3FaultProxy(null);
    }

    /** Sends the connections opened from now on to {@code upstream} (its host and port). */
    public S3FaultProxy upstream(URI upstream) {
        this.upstream = upstream;
        return this;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Answers the next {@code times} matching requests (negative: all of them) with S3's error {@code code}. */
    public S3FaultProxy answer(Predicate<Request> matches, int times, int status, String code) {
        faults.add(new Fault(matches, new AtomicInteger(times), "answer", status, code));
        return this;
    }

    /** Resets the connection in the middle of the body of the next {@code times} matching requests (negative: all). */
    public S3FaultProxy resetMidBody(Predicate<Request> matches, int times) {
        faults.add(new Fault(matches, new AtomicInteger(times), "reset", 0, null));
        return this;
    }

    /** Holds the next {@code times} matching requests (negative: all) this long before forwarding them: a frozen S3. */
    public S3FaultProxy hold(Predicate<Request> matches, int times, Duration hold) {
        faults.add(new Fault(matches, new AtomicInteger(times), "hold", 0, null, hold));
        return this;
    }

    /** Holds every request this long before forwarding it (zero: none). */
    public S3FaultProxy latency(Duration perRequest) {
        this.latency = perRequest;
        return this;
    }

    /** Back to passing everything through at once; the record of requests is kept. */
    public S3FaultProxy clear() {
        faults.clear();
        latency = Duration.ZERO;
        return this;
    }

    /** Every request seen so far, in order, with what was done to it ({@code pass}, {@code answer 503 SlowDown}, {@code reset}). */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** How many requests seen so far match and had the given action. */
    public long count(Predicate<Request> matches, String actionPrefix) {
        return seen.stream()
                .filter(s -> matches.test(s.request()) && s.action().startsWith(actionPrefix))
                .count();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        threads.shutdownNow();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private Fault faultFor(Request request) {
        for (Fault f : faults) {
            if (f.matches().test(request)) {
                while (true) {
                    int left = f.remaining().get();
                    if (left == 0) {
                        break;
                    }
                    if (left < 0 || f.remaining().compareAndSet(left, left - 1)) {
                        return f;
                    }
                }
            }
        }
        return null;
    }

    private void serve(Socket client) {
        Socket up = null;
        try {
            URI target = upstream;
            if (target == null) {
                return; // no upstream named yet: the client sees its connection closed
            }
            up = new Socket();
            up.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5000);
            sockets.add(up);
            Socket upSocket = up;
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream toClient = client.getOutputStream();
            OutputStream toUpstream = upSocket.getOutputStream();
            threads.execute(() -> relayResponses(upSocket, client));
            while (true) {
                Request request = readHead(in);
                if (request == null) {
                    return; // the client closed the connection
                }
                Duration hold = latency;
                if (!hold.isZero()) {
                    Thread.sleep(hold.toMillis());
                }
                Fault fault = faultFor(request);
                boolean held = fault != null && fault.action().equals("hold");
                if (held) {
                    seen.add(new Seen(request, "hold " + fault.hold().toMillis() + " ms"));
                    Thread.sleep(fault.hold().toMillis());
                    fault = null;
                }
                if (fault != null && fault.action().equals("answer")) {
                    seen.add(new Seen(request, "answer " + fault.status() + " " + fault.code()));
                    boolean expectsContinue =
                            "100-continue".equalsIgnoreCase(request.headers().get("expect"));
                    if (!expectsContinue) {
                        forwardBody(in, request, OutputStream.nullOutputStream(), Long.MAX_VALUE);
                    }
                    synchronized (client) {
                        toClient.write(errorResponse(fault.status(), fault.code(), expectsContinue));
                        toClient.flush();
                    }
                    if (expectsContinue) {
                        // the body was never sent (or is on its way): close after the answer, as S3 does
                        client.shutdownOutput();
                        in.transferTo(OutputStream.nullOutputStream());
                        return;
                    }
                    continue;
                }
                toUpstream.write(headBytes(request));
                toUpstream.flush();
                if (fault != null && fault.action().equals("reset")) {
                    long length = contentLength(request);
                    forwardBody(in, request, toUpstream, Math.max(1, length / 2));
                    seen.add(new Seen(request, "reset"));
                    client.setSoLinger(true, 0); // RST, not FIN
                    client.close();
                    return;
                }
                if (!held) {
                    seen.add(new Seen(request, hold.isZero() ? "pass" : "pass after " + hold.toMillis() + " ms"));
                }
                forwardBody(in, request, toUpstream, Long.MAX_VALUE);
                toUpstream.flush();
            }
        } catch (IOException | InterruptedException e) {
            // a connection went away: close both sides
        } finally {
            closeQuietly(client);
            if (up != null) {
                closeQuietly(up);
            }
        }
    }

    /** Copies the upstream's bytes to the client as they come; when the upstream closes, so does the client's side. */
    private void relayResponses(Socket up, Socket client) {
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = up.getInputStream();
            OutputStream out = client.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (client) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            client.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private static long contentLength(Request request) {
        String length = request.headers().get("content-length");
        return length == null ? 0 : Long.parseLong(length.trim());
    }

    /**
     * Copies the request's body (Content-Length or chunked framing, as it is) to {@code out}, at most {@code limit}
     * bytes of it.
     */
    private static void forwardBody(InputStream in, Request request, OutputStream out, long limit) throws IOException {
        if ("chunked"
                .equalsIgnoreCase(
                        request.headers().getOrDefault("transfer-encoding", "").trim())) {
            long sent = 0;
            while (sent < limit) {
                String sizeLine = readLine(in);
                out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                long size = Long.parseLong(sizeLine.split(";")[0].trim(), 16);
                if (size == 0) {
                    String trailer;
                    do {
                        trailer = readLine(in);
                        out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    } while (!trailer.isEmpty());
                    return;
                }
                sent += copy(in, out, Math.min(size, limit - sent));
                if (sent >= limit) {
                    return;
                }
                readLine(in);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            return;
        }
        copy(in, out, Math.min(limit, contentLength(request)));
    }

    private static long copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (r < 0) {
                throw new IOException("the body ended early");
            }
            out.write(buffer, 0, r);
            left -= r;
        }
        out.flush();
        return n;
    }

    private static Request readHead(InputStream in) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3) {
            throw new IOException("not an HTTP request line: " + requestLine);
        }
        Map<String, String> headers = new TreeMap<>();
        List<String> order = new ArrayList<>();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.put(name, line.substring(colon + 1).trim());
            order.add(line);
        }
        return new Request(parts[0], parts[1], new RawHeaders(headers, requestLine, order));
    }

    /** A header map that also remembers the head exactly as it came, to forward it unchanged. */
    private static final class RawHeaders extends TreeMap<String, String> {
        final String requestLine;
        final List<String> lines;

        RawHeaders(Map<String, String> headers, String requestLine, List<String> lines) {
            super(headers);
            this.requestLine = requestLine;
            this.lines = lines;
        }
    }

    private static byte[] headBytes(Request request) {
        RawHeaders raw = (RawHeaders) request.headers();
        StringBuilder head = new StringBuilder(raw.requestLine).append("\r\n");
        for (String line : raw.lines) {
            head.append(line).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One line without its CRLF; null at the end of the stream before any byte. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            if (line.size() > 64 * 1024) {
                throw new IOException("a header line over 64 KiB");
            }
        }
        if (line.size() == 0) {
            return null;
        }
        throw new IOException("the connection closed in the middle of a line");
    }

    /** S3's error document, as S3 sends it. */
    private static byte[] errorResponse(int status, String code, boolean close) {
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + (code.equals("SlowDown") ? "Please reduce your request rate." : "Injected by the test's fault proxy.")
                + "</Message><RequestId>FAULTPROXY</RequestId><HostId>fault-proxy</HostId></Error>";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: application/xml\r\n"
                + "Content-Length: " + bytes.length + "\r\n"
                + "x-amz-request-id: FAULTPROXY\r\n"
                + (close ? "Connection: close\r\n" : "")
                + "\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + bytes.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(bytes, 0, all, h.length, bytes.length);
        return all;
    }

    private static String reason(int status) {
        return switch (status) {
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            case 503 -> "Slow Down";
            default -> "Error";
        };
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
