package io.reelvault.storage.s3;

import io.quarkus.arc.ClientProxy;
import io.quarkus.runtime.ShutdownEvent;
import io.reelvault.common.DaemonThreads;
import io.reelvault.config.ReelvaultConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.interceptor.Interceptor;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.crt.CRT;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Builds the S3 backend from the Quarkus-configured {@link S3AsyncClient} and {@link S3Presigner}
 * ({@code quarkus.s3.*}: region, endpoint override, path style, credentials). The clients are looked
 * up only when this backend is chosen, so the local backend never builds them.
 *
 * <p>The CRT HTTP client's native runtime shuts itself down from a JVM shutdown hook of its own, which runs at
 * SIGTERM alongside Quarkus' graceful shutdown: from that instant no S3 request made progress, so the uploads in
 * flight that the shutdown timeout was meant to let finish hung until it ran out, and the multipart uploads cut
 * then could not be aborted. The backend holds a shutdown reference on the runtime (the CRT's own API for this)
 * from its opening until the end of the shutdown sequence, after the writes in progress were aborted.
 */
@ApplicationScoped
public class S3Backend {
    /** After {@code ObjectStoreProducer}'s abort of the writes in progress, which still calls S3. */
    static final int RELEASE_PRIORITY = Interceptor.Priority.LIBRARY_AFTER + 1000;

    private final Instance<S3AsyncClient> client;
    private final Instance<S3Presigner> presigner;
    private final AtomicBoolean holdsCrt = new AtomicBoolean();

    public S3Backend(Instance<S3AsyncClient> client, Instance<S3Presigner> presigner) {
        this.client = client;
        this.presigner = presigner;
    }

    public S3ObjectStore open(ReelvaultConfig.S3 config, Clock clock) {
        long partSize = config.partSize().asLongValue();
        if (partSize < 5L * 1024 * 1024) {
            throw new IllegalStateException(
                    "REELVAULT_STORAGE_S3_PART_SIZE must be at least 5M (S3's minimum part size)");
        }
        if (config.bufferBudget().asLongValue() < partSize) {
            throw new IllegalStateException(
                    "REELVAULT_STORAGE_S3_BUFFER_BUDGET must be at least REELVAULT_STORAGE_S3_PART_SIZE"
                            + " (a part is buffered whole before it is sent)");
        }
        var multipart = new S3ObjectStore.Multipart(
                config.multipartThreshold().asLongValue(),
                partSize,
                Math.max(1, config.partConcurrency()),
                config.bufferBudget().asLongValue());
        ExecutorService uploaders = Executors.newCachedThreadPool(DaemonThreads.numbered("reelvault-s3-multipart-"));
        ServerSideEncryption sse = "none".equalsIgnoreCase(config.serverSideEncryption())
                ? null
                : ServerSideEncryption.fromValue(config.serverSideEncryption());
        if (sse == ServerSideEncryption.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalStateException(
                    "REELVAULT_STORAGE_S3_SERVER_SIDE_ENCRYPTION must be AES256, aws:kms or none");
        }
        // The presigner is created here, at start-up, and not by the first signing: in prod mode the SDK
        // completes responses on Quarkus worker threads, and a worker started from one of the CRT client's
        // native threads has no context class loader, so the presigner's synthetic bean could not load its
        // builder class there (ClassNotFoundException: S3Presigner$Builder, 500 on the first signed URL).
        S3Presigner signer = ClientProxy.unwrap(presigner.get());
        if (holdsCrt.compareAndSet(false, true)) {
            CRT.acquireShutdownRef();
        }
        return new S3ObjectStore(
                client.get(),
                signer,
                config.bucket().orElseThrow(),
                multipart,
                uploaders,
                sse,
                clock,
                config.callTimeout());
    }

    /** Lets the CRT runtime shut down, now that nothing of this backend calls S3 any more. */
    void releaseCrtAtStop(@Observes @Priority(RELEASE_PRIORITY) ShutdownEvent event) {
        if (holdsCrt.compareAndSet(true, false)) {
            CRT.releaseShutdownRef();
        }
    }

    /**
     * The bucket commands on the configured bucket, with the same client as the backend (so the same
     * {@code quarkus.s3.*} endpoint, path style and credentials).
     *
     * @param corsOrigins the origins the bucket's CORS rule allows: the service's {@code ALLOWED_ORIGINS}
     * @throws IllegalArgumentException if the origins cannot make a CORS rule (the message names the variable)
     * @throws java.util.NoSuchElementException if no bucket is configured
     */
    public BucketAdmin bucketAdmin(ReelvaultConfig.S3 config, List<String> corsOrigins) {
        var wanted = new BucketAdmin.Wanted(corsOrigins, config.versioning());
        return new BucketAdmin(client.get(), config.bucket().orElseThrow(), wanted);
    }
}
