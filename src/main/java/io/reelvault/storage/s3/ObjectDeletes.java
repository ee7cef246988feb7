package io.reelvault.storage.s3;

import io.reelvault.model.ObjectKey;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/** Deletes: one key (DeleteObject; a missing key is no failure), or many in batches of 1,000 (DeleteObjects). */
final class ObjectDeletes {
    private static final int DELETE_BATCH = 1000;

    private final S3Bucket bucket;

    ObjectDeletes(S3Bucket bucket) {
        this.bucket = bucket;
    }

    Uni<Void> delete(ObjectKey key) {
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .deleteObject(
                                b -> b.bucket(bucket.name()).key(key.value()).overrideConfiguration(bucket.deadline())))
                .replaceWithVoid()
                .onFailure(S3Errors::isNotFound)
                .recoverWithNull()
                .onFailure()
                .transform(S3Errors::translate);
    }

    /** One quiet DeleteObjects per batch, one after the other; any key S3 did not delete fails the whole. */
    Uni<Void> deleteMany(Collection<ObjectKey> keys) {
        List<ObjectKey> all = List.copyOf(keys);
        List<List<ObjectKey>> batches = new ArrayList<>();
        for (int i = 0; i < all.size(); i += DELETE_BATCH) {
            batches.add(all.subList(i, Math.min(all.size(), i + DELETE_BATCH)));
        }
        return Multi.createFrom()
                .iterable(batches)
                .onItem()
                .transformToUniAndConcatenate(batch -> Uni.createFrom()
                        .completionStage(() -> bucket.s3()
                                .deleteObjects(b -> b.bucket(bucket.name())
                                        .overrideConfiguration(bucket.deadline())
                                        .delete(Delete.builder()
                                                .quiet(true)
                                                .objects(batch.stream()
                                                        .map(k -> ObjectIdentifier.builder()
                                                                .key(k.value())
                                                                .build())
                                                        .toList())
                                                .build())))
                        .map(r -> {
                            if (r.hasErrors() && !r.errors().isEmpty()) {
                                throw S3Errors.notDeleted(r.errors().size());
                            }
                            return r;
                        }))
                .collect()
                .last()
                .replaceWithVoid()
                .onFailure()
                .transform(S3Errors::translate);
    }
}
