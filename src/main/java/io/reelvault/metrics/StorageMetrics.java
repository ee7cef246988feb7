package io.reelvault.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.reelvault.model.Area;
import io.reelvault.model.ObjectKey;

/**
 * Meter names (Micrometer dotted form; Prometheus names in brackets), and the one counter several layers count
 * ({@link #integrityFailure}). Labels are low-cardinality only: never a key, user or id.
 */
public final class StorageMetrics {
    /** [reelvault_storage_requests_total{operation,outcome}] calls to the store. */
    public static final String REQUESTS = "reelvault.storage.requests";
    /** [reelvault_storage_request_duration_seconds{operation}] time until a call's result (first byte for reads). */
    public static final String REQUEST_DURATION = "reelvault.storage.request.duration";
    /** [reelvault_storage_transfer_bytes_total{direction=in|out}] body bytes into and out of the store. */
    public static final String TRANSFER = "reelvault.storage.transfer";
    /** [reelvault_signed_urls_total{purpose}] signed URLs handed out. */
    public static final String SIGNED_URLS = "reelvault.signed.urls";
    /**
     * [reelvault_lifecycle_expired_objects_total{area=temp|generations|compositions}] expired objects the
     * local lifecycle sweeper deleted (local backend only; on S3 the bucket's lifecycle rules delete).
     */
    public static final String LIFECYCLE_EXPIRED = "reelvault.lifecycle.expired.objects";
    /**
     * [reelvault_lifecycle_last_success_timestamp_seconds] when this replica last completed a sweep, in seconds
     * since the epoch; 0 until it has. Only the replica holding the lock sweeps, so alert on the maximum over
     * replicas, e.g. {@code time() - max(reelvault_lifecycle_last_success_timestamp_seconds) > 3 * 3600}.
     */
    public static final String LIFECYCLE_LAST_SUCCESS = "reelvault.lifecycle.last.success.timestamp";
    /**
     * [reelvault_uploads_swept_objects_total{reason=abandoned|orphan|stale_pending}] objects under {@code uploads/}
     * the upload sweeper deleted: of direct uploads never completed in time, objects without metadata, and
     * {@code pending.json} files left beside a completed upload's metadata.
     */
    public static final String UPLOADS_SWEPT = "reelvault.uploads.swept.objects";
    /**
     * [reelvault_tus_uploads_expired_total] unfinished resumable (tus) uploads the tus sweep removed after their
     * {@code Upload-Expires} (bytes and state).
     */
    public static final String TUS_UPLOADS_EXPIRED = "reelvault.tus.uploads.expired";
    /**
     * [reelvault_storage_incomplete_writes_removed_total] unfinished writes of dead processes the incomplete-write
     * sweep removed: local temp files, S3 multipart uploads.
     */
    public static final String INCOMPLETE_WRITES_REMOVED = "reelvault.storage.incomplete.writes.removed";
    /**
     * [reelvault_lifecycle_sweeps_refused_total{reason=clock_skew}] local lifecycle sweeps that deleted nothing because
     * the clock was more than {@code REELVAULT_LIFECYCLE_MAX_CLOCK_SKEW} ahead of the newest object's write time.
     */
    public static final String LIFECYCLE_SWEEPS_REFUSED = "reelvault.lifecycle.sweeps.refused";
    /**
     * [reelvault_storage_objects{area}] objects stored per area (uploads, generations, compositions, temp), this
     * replica's view: the last usage scan plus the changes since (see {@code UsageMeter}).
     */
    public static final String USAGE_OBJECTS = "reelvault.storage.objects";
    /** [reelvault_storage_bytes{area}] bytes stored per area, kept like {@link #USAGE_OBJECTS}. */
    public static final String USAGE_BYTES = "reelvault.storage.bytes";
    /**
     * [reelvault_usage_scan_last_success_timestamp_seconds] when this replica last completed a full usage pass, in
     * seconds since the epoch; 0 until it has. Alert on the maximum over replicas, as for the lifecycle sweeper.
     */
    public static final String USAGE_SCAN_LAST_SUCCESS = "reelvault.usage.scan.last.success.timestamp";
    /**
     * [reelvault_usage_scan_pages_total] list pages (of up to 1000 keys, one ListObjectsV2 request each on S3)
     * requested by usage scans: the scans' request cost.
     */
    public static final String USAGE_SCAN_PAGES = "reelvault.usage.scan.pages";

    /**
     * [reelvault_rate_limit_decisions_total{class=upload|url,result=allowed|limited|error}] rate-limited calls:
     * allowed, refused (429), or allowed because the shared buckets (Redis) did not answer in time (fail open).
     */
    public static final String RATE_LIMIT_DECISIONS = "reelvault.rate.limit.decisions";
    /**
     * [reelvault_similar_cache_lookups_total{result=exact|similar|miss|error}] similar-generation cache lookups of
     * generation requests, counted once the answer is known: a hit whose generation is gone, not completed or
     * expired is evicted and counts as a miss; {@code error}: the cache failed, missed its deadline or its breaker
     * was open (the request went on as a miss).
     */
    public static final String SIMILAR_CACHE_LOOKUPS = "reelvault.similar.cache.lookups";
    /** [reelvault_similar_cache_lookup_duration_seconds] time until a cache lookup's answer (or failure). */
    public static final String SIMILAR_CACHE_LOOKUP_DURATION = "reelvault.similar.cache.lookup.duration";
    /** [reelvault_similar_cache_breaker_open] 1 while the cache's circuit breaker keeps Redis out of the path. */
    public static final String SIMILAR_CACHE_BREAKER_OPEN = "reelvault.similar.cache.breaker.open";
    /** [reelvault_generations_avoided_total{reason=reused|in_flight}] generation requests answered without a new generation. */
    public static final String GENERATIONS_AVOIDED = "reelvault.generations.avoided";

    /**
     * [reelvault_local_storage_free_bytes] bytes this process may still write on the filesystem of the local
     * storage root ({@code FileStore.getUsableSpace}, what {@code df} shows as available); local backend only.
     */
    public static final String LOCAL_FREE = "reelvault.local.storage.free";
    /** [reelvault_local_storage_capacity_bytes] size of the filesystem of the local storage root; local backend only. */
    public static final String LOCAL_CAPACITY = "reelvault.local.storage.capacity";
    /**
     * [reelvault_integrity_failures_total{area}] full reads of the local backend cut before their last byte because the
     * object's bytes no longer match the checksum recorded when it was written (a download, an internal read, or a
     * scheduled scrub); the key is in the log, never in a label.
     */
    public static final String INTEGRITY_FAILURES = "reelvault.integrity.failures";
    /**
     * [reelvault_ready] the last readiness verdict this replica gave ({@code /q/health/ready}): 1 ready, 0 not
     * ready; NaN until the endpoint was first asked (the orchestrator's probe asks it every few seconds).
     */
    public static final String READY = "reelvault.ready";

    /** Quarkus' HTTP server timer ([http_server_requests_seconds{method,uri,status,outcome}]). */
    public static final String HTTP_SERVER_REQUESTS = "http.server.requests";

    /**
     * Counts one object found damaged (by a read or a scrub) in {@link #INTEGRITY_FAILURES}, under its area
     * ({@code other} outside the four areas).
     */
    public static void integrityFailure(MeterRegistry registry, ObjectKey key) {
        String segment = key.value().substring(0, Math.max(0, key.value().indexOf('/')));
        integrityFailures(registry, Area.ofSegment(segment).map(Area::segment).orElse("other"))
                .increment();
    }

    /** Registers {@link #INTEGRITY_FAILURES} of every area at 0, so that an alert sees the first increase. */
    public static void registerIntegrityFailures(MeterRegistry registry) {
        for (Area area : Area.values()) {
            integrityFailures(registry, area.segment());
        }
    }

    private static Counter integrityFailures(MeterRegistry registry, String area) {
        return Counter.builder(INTEGRITY_FAILURES)
                .tag("area", area)
                .description("Objects found damaged: full reads cut before their last byte, and scheduled scrubs")
                .register(registry);
    }

    private StorageMetrics() {}
}
