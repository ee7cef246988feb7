package io.reelvault.storage.s3;

import io.reelvault.model.ObjectKey;
import io.reelvault.storage.SignedUrls.SignedUrl;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * SigV4 presigned URLs, signed locally (no request to S3): a GET with the response's {@code Content-Disposition} and
 * {@code Content-Type}, or a create-only PUT bound to its type, length and encryption. A URL never outlives the
 * credentials that signed it.
 */
final class PresignedUrls {
    /** The conditional header a presigned PUT carries, so that it can only create its object, never replace it. */
    static final String CREATE_ONLY_HEADER = "If-None-Match";

    private final S3Bucket bucket;
    private final S3Presigner presigner;

    PresignedUrls(S3Bucket bucket, S3Presigner presigner) {
        this.bucket = bucket;
        this.presigner = presigner;
    }

    SignedUrl sign(String method, ObjectKey key, Duration expiresIn, Map<String, String> headers) {
        Duration valid = capToCredentials(expiresIn);
        URI url;
        Map<String, String> required = new HashMap<>();
        if ("PUT".equals(method)) {
            if (headers.containsKey("Content-Type")) {
                required.put("Content-Type", headers.get("Content-Type"));
            }
            if (bucket.sse() != null) {
                required.put("x-amz-server-side-encryption", bucket.sse().toString());
            }
            // create-only: a second PUT of the same URL (or any PUT once the object exists) fails with 412
            required.put(CREATE_ONLY_HEADER, "*");
            url = URI.create(presigner
                    .presignPutObject(p -> p.signatureDuration(valid)
                            .putObjectRequest(b -> b.bucket(bucket.name())
                                    .key(key.value())
                                    .contentType(headers.get("Content-Type"))
                                    .contentLength(Optional.ofNullable(headers.get("Content-Length"))
                                            .map(Long::valueOf)
                                            .orElse(null))
                                    .serverSideEncryption(bucket.sse())
                                    .ifNoneMatch("*")))
                    .url()
                    .toString());
        } else {
            url = URI.create(presigner
                    .presignGetObject(p -> p.signatureDuration(valid)
                            .getObjectRequest(b -> b.bucket(bucket.name())
                                    .key(key.value())
                                    .responseContentDisposition(headers.get("Content-Disposition"))
                                    .responseContentType(headers.get("Content-Type"))))
                    .url()
                    .toString());
        }
        return new SignedUrl(url, valid, Map.copyOf(required));
    }

    /** A presigned URL dies with the credentials that signed it: never promise longer. */
    Duration capToCredentials(Duration wanted) {
        try {
            AwsCredentials credentials = (AwsCredentials) bucket.s3()
                    .serviceClientConfiguration()
                    .credentialsProvider()
                    .resolveIdentity()
                    .join();
            Optional<Instant> expiry = credentials.expirationTime();
            if (expiry.isPresent()) {
                Duration left =
                        Duration.between(bucket.clock().instant(), expiry.get()).minusSeconds(60);
                if (left.compareTo(wanted) < 0) {
                    return left.isNegative() ? Duration.ZERO : left;
                }
            }
        } catch (RuntimeException e) {
            // the signer resolves credentials itself and will fail with a clear error
        }
        return wanted;
    }
}
