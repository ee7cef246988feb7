package io.reelvault.api;

import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Tus.created;
import static io.reelvault.support.Tus.head;
import static io.reelvault.support.Tus.metadata;
import static io.reelvault.support.Tus.patch;
import static io.reelvault.support.Tus.slice;
import static io.reelvault.support.Tus.tus;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.cluster.ClusterLock;
import io.reelvault.cluster.SharedClusterLocks;
import io.reelvault.model.TusUploadId;
import io.reelvault.service.tus.TusService;
import io.reelvault.support.S3RedisProfile;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import jakarta.inject.Inject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * S3 with Redis: a PATCH takes the upload's Redis lease besides this process's lock, so a lease that another replica
 * holds (taken here through the same Redis, as that replica would) locks the upload (423) until it is given back.
 */
@QuarkusTest
@TestProfile(S3RedisProfile.class)
class TusRedisS3Test {
    @Inject
    SharedClusterLocks shared;

    @Test
    void anotherReplicasLeaseLocksTheUpload() {
        String token = TestTokens.user("tus-replicas");
        byte[] png = Samples.png(3_000);
        String url = created(token, (long) png.length, metadata("filename", "a.png", "filetype", "image/png"));
        TusUploadId id = TusUploadId.parse(url.substring(url.lastIndexOf('/') + 1));
        ClusterLock otherReplica = shared.named(TusService.leaseName(id)).orElseThrow();
        try (ClusterLock.Held held = otherReplica.tryLock().orElseThrow()) {
            problem(patch(token, url, 0, slice(png, 0, 1_000)), 423, "upload_locked");
            problem(tus(token).delete(url).then(), 423, "upload_locked");
            head(token, url).statusCode(200).header("Upload-Offset", "0"); // HEAD takes no lease
        }
        patch(token, url, 0, slice(png, 0, 1_000)).statusCode(204).header("Upload-Offset", "1000");
        // given back after the PATCH: the other replica may take it now
        Optional<ClusterLock.Held> after = Optional.empty();
        for (int i = 0;
                i < 50 && after.isEmpty();
                i++) { // the release is a Redis call on a worker, just after the answer
            after = otherReplica.tryLock();
        }
        assertTrue(after.isPresent(), "the lease is given back after the PATCH");
        after.get().close();
        patch(token, url, 1_000, slice(png, 1_000, png.length)).statusCode(204).header("Upload-Offset", "3000");
    }
}
