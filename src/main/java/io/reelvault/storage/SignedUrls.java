package io.reelvault.storage;

import io.reelvault.model.ObjectKey;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Capability: hand out URLs that carry their own authority for one method on one key, until an
 * expiry. Local backend: HMAC-signed URLs to the service's own {@code /storage/...}; S3: SigV4
 * presigned URLs.
 */
public interface SignedUrls {

    /**
     * @param method    {@code GET} or {@code PUT} (a local GET URL also allows HEAD; an S3 presigned one does not, SigV4
     *                  signs the method)
     * @param expiresIn how long the URL is valid; a backend may shorten it (see {@link SignedUrl#expiresIn()})
     * @param headers   bound by the signature. GET: headers the response will carry ({@code Content-Disposition},
     *                  {@code Content-Type}). PUT: {@code Content-Type} and {@code Content-Length} the upload must
     *                  have (both: the local backend refuses to sign a PUT without them, its body has no other
     *                  cap). Empty for none. The local backend binds no other header.
     */
    SignedUrl sign(String method, ObjectKey key, Duration expiresIn, Map<String, String> headers);

    /**
     * @param location        the URL to hand out, as text: the form a response carries (a backend builds it from parts
     *                        it has checked, so it is not parsed again on the way out)
     * @param expiresIn       how long it is valid, which may be less than was asked for
     * @param requiredHeaders headers the client must send with it (a PUT's Content-Type, S3's encryption
     *                        header); Content-Length is left to the client's HTTP library
     */
    record SignedUrl(String location, Duration expiresIn, Map<String, String> requiredHeaders) {
        public SignedUrl(URI url, Duration expiresIn, Map<String, String> requiredHeaders) {
            this(url.toString(), expiresIn, requiredHeaders);
        }

        /** The URL parsed (for callers that take it apart; responses use {@link #location()}). */
        public URI url() {
            return URI.create(location);
        }
    }
}
