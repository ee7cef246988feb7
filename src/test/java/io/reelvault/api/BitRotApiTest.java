package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.IntegrityException;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.MetricsText;
import io.reelvault.support.RawAnswer;
import io.reelvault.support.Samples;
import io.reelvault.support.TestStorageRoot;
import io.reelvault.support.TestTokens;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bit rot on the local backend: a byte flipped on disk under a stored upload. A full download through its signed URL
 * gets the headers and the bytes before the last chunk, then a cut connection, never the whole body; the failure is
 * counted in {@code reelvault_integrity_failures_total{area="uploads"}}. The same object read whole before the damage
 * streams completely, and a ranged read (which cannot be verified) is still served. Full reads check the CRC32C the
 * upload recorded.
 */
@QuarkusTest
class BitRotApiTest {
    static final Path ROOT = TestStorageRoot.path();
    static final int SIZE = 600_000; // five chunks of the store's 128 KiB: the last one is held back

    @Inject
    ObjectStore store;

    @Test
    @Timeout(60)
    void aFlippedByteCutsTheFullReadBeforeItsLastByteAndIsCounted() throws Exception {
        String token = TestTokens.user("rot-" + Long.toString(System.nanoTime(), 36));
        byte[] png = Samples.png(SIZE);
        var uploaded = given().auth()
                .oauth2(token)
                .contentType("image/png")
                .queryParam("filename", "rot.png")
                .body(png)
                .post("/api/v1/uploads")
                .then()
                .statusCode(201)
                .extract();
        String id = uploaded.path("upload_id");
        String key = uploaded.path("key");
        URI url = URI.create(given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/url")
                .then()
                .statusCode(200)
                .extract()
                .path("url"));

        Raw intact = get(url, null);
        assertEquals(200, intact.status());
        assertArrayEquals(png, intact.body(), "an intact object streams whole and passes its check");

        flip(ROOT.resolve(key), SIZE / 2);
        double before = integrityFailures("uploads");
        long zeroCopyBefore = StorageRoutes.ZERO_COPY_SENDS.sum();
        Raw damaged = get(url, null);
        assertEquals(zeroCopyBefore + 1, StorageRoutes.ZERO_COPY_SENDS.sum(), "served by sendfile");
        assertEquals(200, damaged.status(), "the headers leave before the damage is known");
        assertEquals(Long.toString(SIZE), damaged.header("content-length"));
        assertTrue(damaged.body().length < SIZE, "never the whole body: " + damaged.body().length + " of " + SIZE);
        assertTrue(damaged.cut(), "the connection is cut, so that the client knows the body is short");
        byte[] onDisk = png.clone();
        onDisk[SIZE / 2] ^= 0x01;
        assertArrayEquals(
                Arrays.copyOf(onDisk, damaged.body().length), damaged.body(), "what was sent is what is on disk");
        assertEquals(before + 1, integrityFailures("uploads"));

        Raw range = get(url, "bytes=0-99");
        assertEquals(206, range.status(), "a ranged read cannot be verified, and is served");
        assertArrayEquals(Arrays.copyOf(png, 100), range.body());

        // internal full reads fail the same way (here: the store the services use)
        Throwable failure = store.get(ObjectKey.parse(key), Optional.empty())
                .onItem()
                .transformToUni(c -> c.body().collect().last())
                .map(b -> (Throwable) null)
                .onFailure()
                .recoverWithItem(e -> e)
                .await()
                .atMost(Duration.ofSeconds(10));
        assertTrue(
                failure instanceof IntegrityException e && e.expected().startsWith("crc32c:"),
                "checked by the CRC32C recorded at upload: " + failure);
        assertEquals(before + 2, integrityFailures("uploads"));
    }

    @Test
    @Timeout(60)
    void aDamagedObjectOfOneChunkIsAnsweredAsAProblemNotAsItsBytes() throws Exception {
        String token = TestTokens.user("rot-" + Long.toString(System.nanoTime(), 36));
        byte[] png = Samples.png(1000);
        var uploaded = given().auth()
                .oauth2(token)
                .contentType("image/png")
                .queryParam("filename", "small.png")
                .body(png)
                .post("/api/v1/uploads")
                .then()
                .statusCode(201)
                .extract();
        URI url = URI.create(given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + uploaded.path("upload_id") + "/url")
                .then()
                .statusCode(200)
                .extract()
                .path("url"));
        flip(ROOT.resolve((String) uploaded.path("key")), 500);
        double before = integrityFailures("uploads");
        Raw answer = get(url, null);
        assertEquals(500, answer.status(), "its only chunk is withheld: nothing was sent, so a problem can be");
        assertTrue(answer.header("content-type").startsWith("application/problem+json"), answer.headers());
        assertTrue(new String(answer.body(), StandardCharsets.UTF_8).contains("\"code\":\"internal_error\""));
        assertEquals(before + 1, integrityFailures("uploads"));
    }

    static void flip(Path file, long at) throws IOException {
        try (RandomAccessFile f =
                new RandomAccessFile(file.toFile(), "rw")) { // in place: same inode, same digest attribute
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
    }

    static double integrityFailures(String area) {
        return MetricsText.scrape().samples().stream()
                .filter(s -> s.name().equals("reelvault_integrity_failures_total")
                        && area.equals(s.labels().get("area")))
                .mapToDouble(s -> Double.parseDouble(s.value()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no reelvault_integrity_failures_total{area=" + area + "}"));
    }

    /** An HTTP/1.1 answer as read off the socket: whether it ended early (reset, or closed short of Content-Length). */
    record Raw(int status, String headers, byte[] body, boolean cut) {
        String header(String name) {
            return headers.lines()
                    .filter(l -> l.toLowerCase(Locale.ROOT).startsWith(name + ":"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(null);
        }
    }

    /** A GET on a plain socket, read to the end of the connection, so that a cut body is seen as exactly what came. */
    static Raw get(URI url, String range) throws IOException {
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(20_000);
            String request = "GET " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\nHost: " + url.getHost()
                    + ":" + url.getPort() + "\r\n" + (range == null ? "" : "Range: " + range + "\r\n")
                    + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            boolean reset = false;
            try (InputStream in = socket.getInputStream()) {
                in.transferTo(all);
            } catch (SocketException e) {
                reset = true; // "Connection reset": what had arrived is in all
            }
            byte[] bytes = all.toByteArray();
            int split = RawAnswer.headEnd(bytes);
            assertTrue(split > 0, "no response head: " + new String(bytes, StandardCharsets.ISO_8859_1));
            String head = new String(bytes, 0, split, StandardCharsets.ISO_8859_1);
            byte[] body = Arrays.copyOfRange(bytes, split + 4, bytes.length);
            Raw raw = new Raw(Integer.parseInt(head.substring(9, 12)), head, body, reset);
            String length = raw.header("content-length");
            return new Raw(raw.status(), head, body, reset || length != null && Long.parseLong(length) != body.length);
        }
    }
}
