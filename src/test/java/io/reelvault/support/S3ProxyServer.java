package io.reelvault.support;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A real S3-compatible server for tests: s3proxy on its filesystem store, inside the test JVM, on
 * a free loopback port, checking SigV4 signatures. Can be stopped and started again on the same
 * port and data (fault tests). {@link #inMemory()} uses the {@code transient} store instead, the only
 * one that implements bucket encryption and versioning.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "reelvault-test-access";
    public static final String SECRET_KEY = "reelvault-test-secret-0123456789";
    public static final String REGION = "us-east-1";

    private final Path dataDir;
    private S3Proxy proxy;
    private BlobStore store;
    private int port;
    private CrossOriginResourceSharing cors;

    public S3ProxyServer(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** On the {@code transient} store: in memory, gone when stopped; implements bucket encryption and versioning. */
    public static S3ProxyServer inMemory() {
        return new S3ProxyServer(null);
    }

    /**
     * Answers browsers with this CORS rule (from the next {@link #start()} on); without one, s3proxy answers no
     * preflight and adds no CORS header. See {@link S3Cors} for the rule we ship.
     */
    public S3ProxyServer cors(CrossOriginResourceSharing rule) {
        this.cors = rule;
        return this;
    }

    public S3ProxyServer start() throws Exception {
        Properties props = new Properties();
        if (dataDir != null) {
            Files.createDirectories(dataDir);
            props.setProperty(
                    "jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
        }
        props.setProperty("jclouds.identity", ACCESS_KEY);
        props.setProperty("jclouds.credential", SECRET_KEY);
        store = BlobStores.create(dataDir == null ? "transient" : "filesystem", props);
        S3Proxy.Builder builder = S3Proxy.builder();
        if (cors != null) {
            builder.corsRules(cors);
        }
        proxy = builder.blobStore(store)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .ignoreUnknownHeaders(true)
                .stopTimeout(0) // fault tests stop it under load: cut open connections instead of waiting for them
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(5);
        }
        port = proxy.getPort();
        return this;
    }

    /**
     * Deletes a bucket and everything in it from the store itself, what no S3 listing shows included: the store can
     * keep empty directories of removed keys that make an S3 {@code DeleteBucket} refuse the bucket as not empty.
     */
    public void deleteBucketForcibly(String bucket) {
        store.deleteContainer(bucket);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public void stop() throws Exception {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (TimeoutException cut) {
                // graceful stop gave up on open connections: they are closed, which is the point
            } finally {
                proxy = null;
            }
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    public S3AsyncClient client() {
        return client(ACCESS_KEY, SECRET_KEY);
    }

    /** A client signing with the given keys (wrong ones: the server's refusals). */
    public S3AsyncClient client(String accessKey, String secretKey) {
        return client(endpoint(), accessKey, secretKey);
    }

    /** A client of this server reached through another endpoint (a fault proxy in front of it). */
    public S3AsyncClient client(URI via) {
        return client(via, ACCESS_KEY, SECRET_KEY);
    }

    private static S3AsyncClient client(URI endpoint, String accessKey, String secretKey) {
        return S3AsyncClient.builder()
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder())
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    public S3Presigner presigner() {
        return presigner(ACCESS_KEY, SECRET_KEY);
    }

    /** A presigner signing with the given keys. */
    public S3Presigner presigner(String accessKey, String secretKey) {
        return S3Presigner.builder()
                .endpointOverride(endpoint())
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    /** The service's settings for using this server's {@code bucket} as its S3 backend. */
    public Map<String, String> serviceConfig(String bucket) {
        return Map.ofEntries(
                Map.entry("reelvault.storage.use-local", "false"),
                Map.entry("reelvault.storage.s3.bucket", bucket),
                Map.entry("reelvault.storage.s3.region", REGION),
                Map.entry("reelvault.storage.s3.server-side-encryption", "none"), // the filesystem store has none
                Map.entry("quarkus.s3.endpoint-override", endpoint().toString()),
                Map.entry("quarkus.s3.path-style-access", "true"),
                Map.entry("quarkus.s3.aws.region", REGION),
                Map.entry("quarkus.s3.aws.credentials.type", "static"),
                Map.entry("quarkus.s3.aws.credentials.static-provider.access-key-id", ACCESS_KEY),
                Map.entry("quarkus.s3.aws.credentials.static-provider.secret-access-key", SECRET_KEY));
    }

    /** The multipart uploads in progress in {@code bucket}: what an aborted or failed upload must not leave. */
    public List<MultipartUpload> uploadsInProgress(String bucket) {
        try (S3AsyncClient s3 = client()) {
            return s3.listMultipartUploads(b -> b.bucket(bucket)).join().uploads();
        }
    }

    public void createBucket(String bucket) {
        try (S3AsyncClient s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket)).join();
        }
    }
}
