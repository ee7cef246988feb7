package io.reelvault.storage;

import io.reelvault.model.ObjectKey;
import java.util.Map;

/**
 * Capability of backends that serve their own signed URLs (the local backend): checks a request to
 * {@code /storage/{key}} against the signature it carries.
 */
public interface SignedUrlVerifier {

    /**
     * @param method the request's method; HEAD is checked as GET
     * @param query  the request's query parameters (each at most once)
     * @return the headers bound by the signature, lower-case names: for GET the response headers
     *         (e.g. {@code content-disposition}), for PUT the request headers the upload must carry
     *         ({@code content-type}, {@code content-length}); for the PUT of a direct multipart upload's part
     *         ({@link DirectMultipart#signPart}) {@code content-length} and, under {@value #UPLOAD_ID} and
     *         {@value #PART_NUMBER}, the upload and part the URL is bound to (as signed: check them)
     * @throws io.reelvault.error.ReelvaultException {@code signature_invalid} when the signature is
     *         missing, malformed or does not match (compared in constant time), when a parameter is unknown or a
     *         required one missing, or the key it names is not held, {@code signature_expired}
     *         when it matches but its expiry has passed
     */
    /** The entry of {@link #verify}'s answer naming a part URL's upload id. */
    String UPLOAD_ID = "upload-id";

    /** The entry of {@link #verify}'s answer naming a part URL's part number. */
    String PART_NUMBER = "part-number";

    Map<String, String> verify(String method, ObjectKey key, Map<String, String> query);
}
