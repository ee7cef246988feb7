package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.SignedUrlForms;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The signed-URL form of the local backend: unambiguous, closed to unknown parameters, and rotatable. */
class LocalUrlSignerTest {
    static final String OLD = "old-signing-key-0123456789abcdef0123";
    static final String NEW = "new-signing-key-0123456789abcdef0123";
    static final ObjectKey KEY = ObjectKey.parse("uploads/alice/upload_20261203_abcdefghijklmnop/original.png");
    static final URI BASE = URI.create("https://vault.example.com");

    final AdjustableClock clock = new AdjustableClock();

    LocalUrlSignerTest() {
        clock.setTo(Instant.parse("2026-12-03T10:00:00Z"));
    }

    LocalUrlSigner signer(String currentId, String current, Map<String, String> previous) {
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        secrets.put(currentId, current.getBytes(StandardCharsets.UTF_8));
        previous.forEach((id, s) -> secrets.put(id, s.getBytes(StandardCharsets.UTF_8)));
        return new LocalUrlSigner(new SigningKeys(currentId, secrets), BASE, clock);
    }

    /** The query of a URL as the route decodes it. */
    static Map<String, String> query(URI url) {
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : url.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            query.put(
                    URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }

    static void assertInvalid(Runnable verify) {
        ReelvaultException e = assertThrows(ReelvaultException.class, verify::run);
        assertEquals(ErrorCode.SIGNATURE_INVALID, e.code());
    }

    URI put(LocalUrlSigner signer) {
        return signer.sign(
                        "PUT",
                        KEY,
                        Duration.ofMinutes(15),
                        Map.of("Content-Type", "image/png", "Content-Length", "463"))
                .url();
    }

    @Test
    void theUrlCarriesTheDocumentedCanonicalForm() {
        URI url = put(signer("k1", NEW, Map.of()));
        Map<String, String> q = query(url);
        assertEquals(
                Map.of(
                        "X-Algorithm",
                        "REELVAULT2-HMAC-SHA256",
                        "X-Expires",
                        "1796292900",
                        "X-Key-Id",
                        "k1",
                        "header-content-type",
                        "image/png",
                        "header-content-length",
                        "463",
                        "X-Signature",
                        q.get("X-Signature")),
                q);
        Map<String, String> signed = new LinkedHashMap<>(q);
        signed.remove("X-Signature");
        assertEquals(SignedUrlForms.canonicalQuery(signed) + "&X-Signature=" + q.get("X-Signature"), url.getRawQuery());
        assertEquals(SignedUrlForms.signature(NEW, "PUT", KEY.value(), signed), q.get("X-Signature"));
        assertEquals(
                "REELVAULT2-HMAC-SHA256\nPUT\n" + KEY.value()
                        + "\nX-Algorithm=REELVAULT2-HMAC-SHA256&X-Expires=1796292900"
                        + "&X-Key-Id=k1&header-content-length=463&header-content-type=image%2Fpng",
                SignedUrlForms.stringToSign("PUT", KEY.value(), signed));
    }

    @Test
    void aPutUrlVerifiesAndBindsTypeAndLength() {
        LocalUrlSigner signer = signer("k1", NEW, Map.of());
        assertEquals(
                Map.of("content-type", "image/png", "content-length", "463"),
                signer.verify("PUT", KEY, query(put(signer))));
        assertInvalid(() -> signer.verify("GET", KEY, query(put(signer)))); // a PUT URL is no GET URL
    }

    /** Issue 11's attack: under the old line form ({@code name=value\n}) this fold kept the signature. */
    @Test
    void foldedParametersDoNotVerify() {
        LocalUrlSigner signer = signer("k1", NEW, Map.of());
        Map<String, String> q = query(put(signer));
        Map<String, String> folded = new LinkedHashMap<>(q);
        folded.remove("header-content-length");
        folded.remove("header-content-type");
        folded.put("header-content-length=463\nheader-content-type", "image/png");
        assertInvalid(() -> signer.verify("PUT", KEY, folded));

        URI get = signer.sign(
                        "GET",
                        KEY,
                        Duration.ofHours(1),
                        Map.of("Content-Disposition", "attachment; filename=\"a.mp4\"", "Content-Type", "video/mp4"))
                .url();
        Map<String, String> download = query(get);
        assertEquals(
                Map.of("content-disposition", "attachment; filename=\"a.mp4\"", "content-type", "video/mp4"),
                signer.verify("GET", KEY, download));
        Map<String, String> foldedDownload = new LinkedHashMap<>(download);
        foldedDownload.remove("response-content-disposition");
        foldedDownload.remove("response-content-type");
        foldedDownload.put(
                "response-content-disposition=attachment; filename=\"a.mp4\"\nresponse-content-type", "video/mp4");
        assertInvalid(() -> signer.verify("GET", KEY, foldedDownload));
        Map<String, String> moved = new LinkedHashMap<>(download);
        moved.remove("response-content-disposition");
        moved.put("response-content-disposition=attachment; filename", "\"a.mp4\"");
        assertInvalid(() -> signer.verify("GET", KEY, moved));
        Map<String, String> stripped = new LinkedHashMap<>(download);
        stripped.remove("response-content-disposition");
        assertInvalid(() -> signer.verify("GET", KEY, stripped));
    }

    @Test
    void unknownOrMissingParametersDoNotVerifyEvenUnderAValidSignature() {
        LocalUrlSigner signer = signer("1", NEW, Map.of());
        Map<String, String> base = new LinkedHashMap<>(
                SignedUrlForms.baseParams("1", clock.instant().getEpochSecond() + 60));
        assertEquals(Map.of(), signer.verify("GET", KEY, withSignature(NEW, "GET", base))); // the test's form is right
        for (String extra : new String[] {
            "response-x-frame-options", "response-location", "header-content-type", "foo", "x-expires", "X-Signature-2"
        }) {
            Map<String, String> extended = new LinkedHashMap<>(base);
            extended.put(extra, "1");
            assertInvalid(() -> signer.verify("GET", KEY, withSignature(NEW, "GET", extended)));
        }
        for (String required : base.keySet()) {
            Map<String, String> missing = new LinkedHashMap<>(base);
            missing.remove(required);
            assertInvalid(() -> signer.verify("GET", KEY, withSignature(NEW, "GET", missing)));
        }
        Map<String, String> put = new LinkedHashMap<>(base);
        put.put("header-content-type", "image/png");
        assertInvalid(() -> signer.verify("PUT", KEY, withSignature(NEW, "PUT", put))); // no bound length: no cap
        put.put("header-content-length", "-1");
        assertInvalid(() -> signer.verify("PUT", KEY, withSignature(NEW, "PUT", put)));
        put.put("header-content-length", "463");
        assertEquals(
                Map.of("content-type", "image/png", "content-length", "463"),
                signer.verify("PUT", KEY, withSignature(NEW, "PUT", put)));
    }

    static Map<String, String> withSignature(String secret, String method, Map<String, String> params) {
        Map<String, String> q = new LinkedHashMap<>(params);
        q.put("X-Signature", SignedUrlForms.signature(secret, method, KEY.value(), params));
        return q;
    }

    @Test
    void theSignerBindsOnlyKnownHeaders() {
        LocalUrlSigner signer = signer("1", NEW, Map.of());
        assertThrows(
                IllegalArgumentException.class,
                () -> signer.sign("GET", KEY, Duration.ofMinutes(1), Map.of("X-Frame-Options", "DENY")));
        assertThrows(
                IllegalArgumentException.class,
                () -> signer.sign("PUT", KEY, Duration.ofMinutes(1), Map.of("Content-Type", "image/png")));
        assertThrows(
                IllegalArgumentException.class,
                () -> signer.sign(
                        "PUT",
                        KEY,
                        Duration.ofMinutes(1),
                        Map.of("Content-Type", "image/png", "content-type", "image/png")));
        assertThrows(IllegalArgumentException.class, () -> signer.sign("DELETE", KEY, Duration.ofMinutes(1), Map.of()));
    }

    @Test
    void aUrlSignedWithAnOldKeyVerifiesUntilThatKeyIsRemoved() {
        LocalUrlSigner before = signer("k1", OLD, Map.of());
        Map<String, String> old = query(put(before));
        LocalUrlSigner rotated = signer("k2", NEW, Map.of("k1", OLD));
        assertEquals("463", rotated.verify("PUT", KEY, old).get("content-length"));
        Map<String, String> fresh = query(put(rotated));
        assertEquals("k2", fresh.get("X-Key-Id"));
        assertEquals("463", rotated.verify("PUT", KEY, fresh).get("content-length"));
        assertInvalid(() -> before.verify("PUT", KEY, fresh)); // a replica not yet rotated does not know k2

        LocalUrlSigner oldRemoved = signer("k2", NEW, Map.of());
        assertInvalid(() -> oldRemoved.verify("PUT", KEY, old));
        Map<String, String> relabelled = new LinkedHashMap<>(old);
        relabelled.put("X-Key-Id", "k2");
        assertInvalid(() -> rotated.verify("PUT", KEY, relabelled)); // the id is signed too, and picks the key
        Map<String, String> unknown = new LinkedHashMap<>(old);
        unknown.put("X-Key-Id", "k9");
        assertInvalid(() -> rotated.verify("PUT", KEY, unknown));
    }

    @Test
    void anExpiredUrlIsExpiredOnlyWhenItsSignatureMatches() {
        LocalUrlSigner signer = signer("1", NEW, Map.of());
        Map<String, String> q =
                query(signer.sign("GET", KEY, Duration.ofMinutes(1), Map.of()).url());
        clock.setTo(clock.instant().plus(Duration.ofMinutes(2)));
        ReelvaultException e = assertThrows(ReelvaultException.class, () -> signer.verify("GET", KEY, q));
        assertEquals(ErrorCode.SIGNATURE_EXPIRED, e.code());
        q.put("X-Expires", Long.toString(clock.instant().getEpochSecond() + 3600));
        assertInvalid(() -> signer.verify("GET", KEY, q));
    }

    @Test
    void headIsVerifiedAsGet() {
        LocalUrlSigner signer = signer("1", NEW, Map.of());
        Map<String, String> q =
                query(signer.sign("GET", KEY, Duration.ofMinutes(1), Map.of()).url());
        assertEquals(Map.of(), signer.verify("HEAD", KEY, q));
        assertInvalid(() -> signer.verify("PUT", KEY, q));
    }

    /**
     * Each thread reuses its own keyed HMAC: signatures stay the same whichever thread makes them, in any order,
     * with either key, after any number of failed verifications.
     */
    @Test
    void signaturesAreTheSameOnEveryThreadAndAfterFailures() throws Exception {
        LocalUrlSigner rotated = signer("k2", NEW, Map.of("k1", OLD));
        Map<String, String> old = query(put(signer("k1", OLD, Map.of())));
        URI expected = put(signer("k2", NEW, Map.of()));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        assertEquals(expected, put(rotated));
                        assertEquals("463", rotated.verify("PUT", KEY, old).get("content-length"));
                        Map<String, String> forged = new LinkedHashMap<>(old);
                        forged.put("X-Expires", "1");
                        assertInvalid(() -> rotated.verify("PUT", KEY, forged));
                    }
                }));
            }
            for (var f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static final String UPLOAD = "0123456789abcdef0123456789abcdef";

    @Test
    void aPartUrlBindsItsUploadPartAndLength() {
        LocalUrlSigner signer = signer("k1", NEW, Map.of());
        URI url = signer.signPart(KEY, UPLOAD, 7, 5_242_880, Duration.ofMinutes(15))
                .url();
        Map<String, String> q = query(url);
        assertEquals(UPLOAD, q.get("X-Upload-Id"));
        assertEquals("7", q.get("X-Part-Number"));
        assertEquals("5242880", q.get("header-content-length"));
        Map<String, String> bound = signer.verify("PUT", KEY, q);
        assertEquals("5242880", bound.get("content-length"));
        assertEquals(UPLOAD, bound.get(io.reelvault.storage.SignedUrlVerifier.UPLOAD_ID));
        assertEquals("7", bound.get(io.reelvault.storage.SignedUrlVerifier.PART_NUMBER));
        assertEquals(null, bound.get("content-type"));

        for (var change : List.of(
                Map.of("X-Part-Number", "8"),
                Map.of("X-Upload-Id", UPLOAD.replace('0', '1')),
                Map.of("header-content-length", "5242881"),
                Map.of("header-content-type", "image/png"))) {
            Map<String, String> tampered = new LinkedHashMap<>(q);
            tampered.putAll(change);
            assertInvalid(() -> signer.verify("PUT", KEY, tampered));
        }
        Map<String, String> noNumber = new LinkedHashMap<>(q);
        noNumber.remove("X-Part-Number");
        assertInvalid(() -> signer.verify("PUT", KEY, noNumber));
        assertInvalid(() -> signer.verify("GET", KEY, q)); // a part URL is for PUT only
        assertInvalid(() -> signer.verify(
                "PUT", ObjectKey.parse("uploads/alice/upload_20261203_abcdefghijklmnop/original.jpg"), q));
        clock.setTo(Instant.parse("2026-12-03T10:16:00Z"));
        ReelvaultException expired = assertThrows(ReelvaultException.class, () -> signer.verify("PUT", KEY, q));
        assertEquals(ErrorCode.SIGNATURE_EXPIRED, expired.code());
    }

    @Test
    void aWholeFilePutUrlCannotGainPartParameters() {
        LocalUrlSigner signer = signer("k1", NEW, Map.of());
        Map<String, String> q = query(put(signer));
        Map<String, String> asPart = new LinkedHashMap<>(q);
        asPart.put("X-Part-Number", "1");
        asPart.put("X-Upload-Id", UPLOAD);
        assertInvalid(() -> signer.verify("PUT", KEY, asPart));
    }
}
