package io.reelvault.storage.s3;

import io.smallrye.mutiny.Multi;
import java.nio.ByteBuffer;
import java.util.Optional;
import mutiny.zero.flow.adapters.AdaptersToReactiveStreams;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/** A streaming request body whose length is announced up front (S3 needs Content-Length). */
final class KnownLengthBody implements AsyncRequestBody {
    private final Publisher<ByteBuffer> publisher;
    private final long length;
    private final String contentType;

    KnownLengthBody(Multi<ByteBuffer> body, long length, String contentType) {
        this.publisher = AdaptersToReactiveStreams.publisher(body);
        this.length = length;
        this.contentType = contentType;
    }

    @Override
    public Optional<Long> contentLength() {
        return Optional.of(length);
    }

    @Override
    public String contentType() {
        return contentType;
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> s) {
        publisher.subscribe(s);
    }
}
