package io.reelvault.it;

import io.reelvault.support.RedisServer;
import io.reelvault.support.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Three replicas on one bucket (s3proxy's filesystem store) and one Redis: conditional writes with {@code If-Match},
 * plus the Redis lease per document (s3proxy checks the condition and writes in two steps).
 */
class ReplicasIT extends ReplicasContract {
    static final String BUCKET = "reelvault-replicas-it";

    S3ProxyServer s3;
    RedisServer redis;
    S3AsyncClient client;

    @Override
    Map<String, String> startStorage(Path dir) throws Exception {
        s3 = new S3ProxyServer(Files.createTempDirectory(dir, "s3proxy-")).start();
        s3.createBucket(BUCKET);
        client = s3.client();
        redis = RedisServer.launch();
        Map<String, String> config = new HashMap<>(s3.serviceConfig(BUCKET));
        config.put("reelvault.redis.url", redis.url());
        return config;
    }

    @Override
    void stopStorage() throws Exception {
        if (client != null) {
            client.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (s3 != null) {
            s3.stop();
        }
    }

    @Override
    byte[] object(String key) {
        return client.getObject(b -> b.bucket(BUCKET).key(key), AsyncResponseTransformer.toBytes()).join().asByteArray();
    }

    @Override
    boolean exists(String key) {
        try {
            client.headObject(b -> b.bucket(BUCKET).key(key)).join();
            return true;
        } catch (CompletionException e) {
            if (e.getCause() instanceof NoSuchKeyException || e.getCause() instanceof S3Exception s && s.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
