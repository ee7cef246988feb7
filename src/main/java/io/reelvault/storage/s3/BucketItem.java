package io.reelvault.storage.s3;

import static io.reelvault.storage.s3.BucketDrift.cors;
import static io.reelvault.storage.s3.BucketDrift.diff;
import static io.reelvault.storage.s3.BucketDrift.diffLifecycle;
import static io.reelvault.storage.s3.BucketDrift.diffRules;
import static io.reelvault.storage.s3.BucketDrift.flags;
import static io.reelvault.storage.s3.BucketDrift.sse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CORSConfiguration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;

/**
 * One item of the bucket commands ({@link BucketAdmin}): its name, what {@code bucket setup} reports it applied, the
 * request that applies it, and the request that reads it back and compares it ({@link BucketDrift}; null: as
 * expected).
 */
record BucketItem(
        String name, String applied, Supplier<CompletableFuture<?>> apply, Supplier<CompletableFuture<String>> check) {

    /**
     * The items, in this order: {@code public-access-block}, {@code encryption}, {@code lifecycle}, {@code cors} and,
     * only when wanted, {@code versioning}; the values are {@link BucketConfiguration}'s.
     */
    static List<BucketItem> all(S3AsyncClient s3, String bucket, BucketAdmin.Wanted wanted) {
        BucketLifecycleConfiguration lifecycle = BucketConfiguration.lifecycle();
        CORSConfiguration cors = BucketConfiguration.cors(wanted.corsOrigins());
        List<BucketItem> items = new ArrayList<>();
        items.add(new BucketItem(
                "public-access-block",
                "BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets all true",
                () -> s3.putPublicAccessBlock(
                        b -> b.bucket(bucket).publicAccessBlockConfiguration(BucketConfiguration.publicAccessBlock())),
                () -> s3.getPublicAccessBlock(b -> b.bucket(bucket))
                        .thenApply(r -> diff(
                                flags(BucketConfiguration.publicAccessBlock()),
                                flags(r.publicAccessBlockConfiguration())))));
        items.add(new BucketItem(
                "encryption",
                "SSE-S3 (AES256) by default",
                () -> s3.putBucketEncryption(
                        b -> b.bucket(bucket).serverSideEncryptionConfiguration(BucketConfiguration.encryption())),
                () -> s3.getBucketEncryption(b -> b.bucket(bucket))
                        .thenApply(r -> diffRules(
                                sse(BucketConfiguration.encryption()), sse(r.serverSideEncryptionConfiguration())))));
        items.add(new BucketItem(
                "lifecycle",
                lifecycle.rules().size() + " rules ("
                        + lifecycle.rules().stream().map(LifecycleRule::id).collect(Collectors.joining(", ")) + ")",
                () -> s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(lifecycle)),
                () -> s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket))
                        .thenApply(r -> diffLifecycle(lifecycle.rules(), r.rules()))));
        items.add(new BucketItem(
                "cors",
                "GET, PUT, POST from "
                        + String.join(", ", cors.corsRules().get(0).allowedOrigins()),
                () -> s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(cors)),
                () -> s3.getBucketCors(b -> b.bucket(bucket))
                        .thenApply(r -> diffRules(cors(cors.corsRules()), cors(r.corsRules())))));
        if (wanted.versioning()) {
            items.add(new BucketItem(
                    "versioning",
                    "Enabled (no lifecycle rule expires noncurrent versions:"
                            + " deleted and expired objects stay stored as such)",
                    () -> s3.putBucketVersioning(b ->
                            b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED))),
                    () -> s3.getBucketVersioning(b -> b.bucket(bucket))
                            .thenApply(r -> diff(
                                    Map.of("Status", BucketVersioningStatus.ENABLED.toString()),
                                    r.statusAsString() == null ? Map.of() : Map.of("Status", r.statusAsString())))));
        }
        return items;
    }
}
