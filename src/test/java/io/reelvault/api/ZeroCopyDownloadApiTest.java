package io.reelvault.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.SignedUrls;
import io.reelvault.support.Management;
import io.reelvault.support.OpenFiles;
import io.reelvault.support.Poll;
import io.reelvault.support.RawAnswer;
import io.reelvault.support.TestStorageRoot;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Signed downloads on the local backend go out by {@code sendfile} (a file region of the store's open channel,
 * counted by {@link StorageRoutes#ZERO_COPY_SENDS}), and keep what the copied body guaranteed: an object replaced
 * while it is sent is served whole as it was when the download began (the open channel holds its file), a client
 * gone mid-send counts as reset and its file is closed, and a complete download leaves no file open.
 */
@QuarkusTest
class ZeroCopyDownloadApiTest {
    static final Path ROOT = TestStorageRoot.path();
    static final int SIZE = 24 * 1024 * 1024; // far more than the socket buffers hold: the send is under way

    @Inject
    ObjectStore store;

    @Test
    @Timeout(120)
    void anObjectReplacedWhileItIsSentIsServedWholeAsItWas() throws Exception {
        byte[] old = random(SIZE, 1);
        byte[] replacement = random(SIZE, 2);
        ObjectKey key = seed(old);
        URI url = signedGet(key);
        long zeroCopyBefore = StorageRoutes.ZERO_COPY_SENDS.sum();
        try (Socket socket = slowGet(url)) {
            InputStream in = socket.getInputStream();
            byte[] first = in.readNBytes(1024 * 1024); // head and the first bytes: the send has begun
            put(key, replacement); // a new file renamed over the key
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(first);
            in.transferTo(all);
            byte[] bytes = all.toByteArray();
            int split = RawAnswer.headEnd(bytes);
            String head = new String(bytes, 0, split, StandardCharsets.ISO_8859_1);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            byte[] body = Arrays.copyOfRange(bytes, split + 4, bytes.length);
            assertEquals(SIZE, body.length, "complete");
            assertArrayEquals(old, body, "the object as it was when its download began, never mixed");
        }
        assertEquals(zeroCopyBefore + 1, StorageRoutes.ZERO_COPY_SENDS.sum(), "sent by sendfile");
        Poll.until(Duration.ofSeconds(10), "no file of the key open", () -> openFilesOf(key) == 0);
    }

    @Test
    @Timeout(120)
    void rangesAreSentExactlyByTheirBytesAndCountAsComplete() throws Exception {
        byte[] data = random(SIZE, 5);
        ObjectKey key = seed(data);
        URI url = signedGet(key);
        long zeroCopyBefore = StorageRoutes.ZERO_COPY_SENDS.sum();
        double partialBefore = Management.storageRequests("206");
        int from = 1000;
        int to = SIZE / 2;
        byte[] middle = rangedBody(url, "bytes=" + from + "-" + to, "bytes " + from + "-" + to + "/" + SIZE);
        assertArrayEquals(Arrays.copyOfRange(data, from, to + 1), middle, "the range's bytes, its last one held back");
        assertEquals(zeroCopyBefore + 1, StorageRoutes.ZERO_COPY_SENDS.sum(), "sent by sendfile");
        // one byte: it is the held-back byte, answered with the head in one write, no file region
        byte[] one = rangedBody(url, "bytes=" + to + "-" + to, "bytes " + to + "-" + to + "/" + SIZE);
        assertArrayEquals(new byte[] {data[to]}, one);
        assertEquals(zeroCopyBefore + 1, StorageRoutes.ZERO_COPY_SENDS.sum(), "no region for a held byte alone");
        Poll.until(
                Duration.ofSeconds(20),
                "both counted as complete 206 answers",
                () -> Management.storageRequests("206") == partialBefore + 2);
        Poll.until(Duration.ofSeconds(10), "no file of the key open", () -> openFilesOf(key) == 0);
    }

    /** The body of a 206 answer to a GET of {@code url} with {@code range}, its Content-Range checked. */
    static byte[] rangedBody(URI url, String range, String contentRange) throws IOException {
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream()
                    .write(("GET " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\nHost: localhost\r\n"
                                    + "Range: " + range + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            byte[] bytes = readToEnd(socket);
            int split = RawAnswer.headEnd(bytes);
            String head = new String(bytes, 0, split, StandardCharsets.ISO_8859_1);
            assertTrue(head.startsWith("HTTP/1.1 206"), head);
            assertTrue(head.toLowerCase(Locale.ROOT).contains("content-range: " + contentRange), head);
            return Arrays.copyOfRange(bytes, split + 4, bytes.length);
        }
    }

    @Test
    @Timeout(120)
    void aClientGoneMidSendCountsAsResetAndItsFileIsClosed() throws Exception {
        ObjectKey key = seed(random(SIZE, 3));
        URI url = signedGet(key);
        double resetBefore = Management.storageRequests("RESET");
        long zeroCopyBefore = StorageRoutes.ZERO_COPY_SENDS.sum();
        try (Socket socket = slowGet(url)) {
            socket.getInputStream().readNBytes(512 * 1024);
            assertTrue(openFilesOf(key) > 0, "the file is open while it is sent");
            socket.setSoLinger(true, 0); // close with a reset, most of the body unread
        }
        assertEquals(zeroCopyBefore + 1, StorageRoutes.ZERO_COPY_SENDS.sum(), "sent by sendfile");
        Poll.until(
                Duration.ofSeconds(20),
                "the download counted as reset",
                () -> Management.storageRequests("RESET") == resetBefore + 1);
        Poll.until(Duration.ofSeconds(20), "its file closed", () -> openFilesOf(key) == 0);
    }

    @Test
    @Timeout(60)
    void anEmptyObjectIsAnsweredEmpty() throws Exception {
        ObjectKey key = seed(new byte[0]);
        URI url = signedGet(key);
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(20_000);
            request(socket, url);
            byte[] bytes = readToEnd(socket);
            String answer = new String(bytes, StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.toLowerCase().contains("content-length: 0"), answer);
            assertTrue(answer.endsWith("\r\n\r\n"), "no body: " + answer);
        }
        Poll.until(Duration.ofSeconds(10), "no file of the key open", () -> openFilesOf(key) == 0);
    }

    /**
     * The check beside the send: by the CRC32C recorded at write time, by the SHA-256 for an object without one (written
     * before it was kept), and a wrong CRC32C (the attribute itself damaged) never lets the object out as complete.
     */
    @Test
    @Timeout(120)
    void aFullSendIsCutOnAFlippedByteByCrc32cOrSha256AndOnAWrongCrc32c() throws Exception {
        int size = 4 * 1024 * 1024;
        byte[] data = random(size, 4);
        for (String variant : new String[] {"crc32c", "no crc32c", "wrong crc32c"}) {
            ObjectKey key = seed(data);
            Path file = ROOT.resolve(key.value());
            UserDefinedFileAttributeView attributes =
                    Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
            assertTrue(attributes.list().contains(CRC32C), "recorded at write time");
            URI url = signedGet(key);
            assertArrayEquals(data, BitRotApiTest.get(url, null).body(), variant + ": intact, served whole");
            switch (variant) {
                case "crc32c" -> BitRotApiTest.flip(file, size - 100_000);
                case "no crc32c" -> {
                    attributes.delete(CRC32C);
                    BitRotApiTest.flip(file, size - 100_000);
                }
                default -> attributes.write(CRC32C, StandardCharsets.US_ASCII.encode("00000000"));
            }
            long zeroCopyBefore = StorageRoutes.ZERO_COPY_SENDS.sum();
            double failuresBefore = BitRotApiTest.integrityFailures("temp");
            BitRotApiTest.Raw answer = BitRotApiTest.get(url, null);
            assertEquals(zeroCopyBefore + 1, StorageRoutes.ZERO_COPY_SENDS.sum(), variant + ": sent by sendfile");
            assertEquals(200, answer.status(), variant);
            assertTrue(answer.cut(), variant + ": the connection is cut");
            assertTrue(answer.body().length < size, variant + ": never the whole body");
            assertEquals(failuresBefore + 1, BitRotApiTest.integrityFailures("temp"), variant + ": counted");
        }
    }

    static final String CRC32C = "reelvault.crc32c";

    ObjectKey seed(byte[] data) {
        ObjectKey key = ObjectKey.parse("temp/zero-copy-" + Long.toString(System.nanoTime(), 36) + "/clip.mp4");
        put(key, data);
        return key;
    }

    void put(ObjectKey key, byte[] data) {
        store.put(key, Multi.createFrom().item(ByteBuffer.wrap(data)), OptionalLong.of(data.length), "video/mp4")
                .await()
                .atMost(Duration.ofSeconds(30));
    }

    URI signedGet(ObjectKey key) {
        return store.capability(SignedUrls.class)
                .orElseThrow()
                .sign("GET", key, Duration.ofMinutes(5), Map.of())
                .url();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * A connection with a small receive buffer that has sent the GET of {@code url}: the send stays under way while
     * the test reads slowly (or not at all).
     */
    static Socket slowGet(URI url) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()));
            socket.setSoTimeout(30_000);
            request(socket, url);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    static void request(Socket socket, URI url) throws IOException {
        socket.getOutputStream()
                .write(("GET " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\nHost: localhost\r\n"
                                + "Connection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] readToEnd(Socket socket) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (InputStream in = socket.getInputStream()) {
            in.transferTo(all);
        } catch (SocketException e) {
            // what arrived is in all
        }
        return all.toByteArray();
    }

    /** How many of this JVM's file descriptors are open on the object's file (the service runs in this JVM). */
    static long openFilesOf(ObjectKey key) {
        return OpenFiles.of(ROOT.resolve(key.value()));
    }
}
