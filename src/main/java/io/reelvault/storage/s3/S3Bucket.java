package io.reelvault.storage.s3;

import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The bucket the backend works on and what every call to it carries: the client, the bucket's name, the encryption
 * every write requests, the clock that dates a write, and the per-attempt deadline of a call.
 *
 * @param sse the encryption every write requests; null only for test servers that implement none
 * @param callTimeout the deadline of one attempt of a call that streams no caller body
 *     ({@code REELVAULT_STORAGE_S3_CALL_TIMEOUT})
 */
record S3Bucket(S3AsyncClient s3, String name, ServerSideEncryption sse, Clock clock, Duration callTimeout) {
    private static final long MIB = 1024 * 1024;

    /** The per-attempt deadline of a call that streams no caller body: {@code REELVAULT_STORAGE_S3_CALL_TIMEOUT}. */
    AwsRequestOverrideConfiguration deadline() {
        return AwsRequestOverrideConfiguration.builder()
                .apiCallAttemptTimeout(callTimeout)
                .build();
    }

    /** The deadline of one attempt to send {@code bytes} buffered here: the call's, plus one second per MiB. */
    AwsRequestOverrideConfiguration deadline(long bytes) {
        return AwsRequestOverrideConfiguration.builder()
                .apiCallAttemptTimeout(callTimeout.plusSeconds((bytes + MIB - 1) / MIB))
                .build();
    }
}
