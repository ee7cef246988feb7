package io.reelvault.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Every setting of reelvault. Environment names: the seed's ({@code USE_LOCAL_STORAGE},
 * {@code LOCAL_STORAGE_PATH}, {@code S3_BUCKET}, {@code AWS_REGION}) are mapped in
 * {@code application.properties}; the others follow the usual rule ({@code reelvault.uploads.max-size}
 * is {@code REELVAULT_UPLOADS_MAX_SIZE}). The README's table lists them all.
 */
@ConfigMapping(prefix = "reelvault")
public interface ReelvaultConfig {

    Storage storage();

    Uploads uploads();

    Pipeline pipeline();

    Media media();

    Lifecycle lifecycle();

    Usage usage();

    Redis redis();

    RateLimits rateLimits();

    Cache cache();

    Query query();

    Tus tus();

    Console console();

    /**
     * The base URL clients reach this service at, used to build signed URLs of the local backend
     * (e.g. {@code https://vault.example.com}). Env {@code REELVAULT_PUBLIC_BASE_URL}; default
     * {@code http://localhost:8080}.
     */
    @WithName("public-base-url")
    URI publicBaseUrl();

    interface Storage {
        /** {@code USE_LOCAL_STORAGE}: true stores on the local filesystem, false on S3. Default true. */
        @WithDefault("true")
        boolean useLocal();

        Local local();

        S3 s3();

        /**
         * {@code REELVAULT_STORAGE_INCOMPLETE_WRITE_GRACE}: how long an unfinished write (a local temp file, an S3
         * multipart upload) must have received nothing before the incomplete-write sweep removes it as abandoned: a
         * process that died mid-upload leaves one. Replicas may share the storage, and a live write of another one
         * must never look abandoned: on the local backend its lock proves it alive, on S3 only its activity does, so
         * keep this above the longest pause between two parts of a slow upload. Default {@code 1h}.
         */
        @WithDefault("1h")
        Duration incompleteWriteGrace();

        /**
         * {@code REELVAULT_STORAGE_INCOMPLETE_WRITE_SWEEP_INTERVAL}: how often the incomplete-write sweep runs (the
         * first run 5 seconds after start-up, one replica per cluster at a time). Default {@code 15m}.
         */
        @WithDefault("15m")
        Duration incompleteWriteSweepInterval();

        /** {@code REELVAULT_STORAGE_INCOMPLETE_WRITE_SWEEP_ENABLED}: whether this process runs that sweep. Default true. */
        @WithDefault("true")
        boolean incompleteWriteSweepEnabled();
    }

    interface Local {
        /** {@code LOCAL_STORAGE_PATH}: the storage root folder, created if missing. Default {@code ./storage}. */
        @WithDefault("./storage")
        Path path();

        /**
         * {@code REELVAULT_SIGNING_KEY}: the HMAC-SHA256 key for signed URLs, at least 32 bytes (UTF-8), the same
         * on every replica. When absent the service refuses to start, unless {@link #signingKeyEphemeral()}. Never
         * logged or echoed.
         */
        Optional<String> signingKey();

        /**
         * {@code REELVAULT_SIGNING_KEY_ID}: the id of {@link #signingKey()}, carried in each URL ({@code X-Key-Id})
         * so that verification picks the key that signed it. Default {@code 1}; change it with the key.
         */
        @WithDefault("1")
        String signingKeyId();

        /**
         * {@code REELVAULT_SIGNING_KEYS_PREVIOUS}: earlier keys, still accepted to verify URLs (never to sign), as
         * {@code id:key} pairs separated by commas. Keep one for as long as URLs it signed may live (6 hours at
         * most), then remove it. Never logged or echoed.
         */
        Optional<String> signingKeysPrevious();

        /**
         * {@code REELVAULT_SIGNING_KEY_EPHEMERAL}: without {@link #signingKey()}, sign with a random key made at
         * start (URLs die with the process, and other replicas refuse them) instead of refusing to start. Default
         * false; true in dev mode.
         */
        @WithDefault("false")
        boolean signingKeyEphemeral();

        /**
         * {@code REELVAULT_STORAGE_LOCAL_MIN_FREE}: readiness reports DOWN ({@code storage full}) while fewer bytes than
         * this are free on the root's filesystem, so that the load balancer sends uploads elsewhere before they fail
         * with 507 {@code insufficient_storage}. Default 64M; {@code 0}: only once a write fails for want of space.
         */
        @WithDefault("64M")
        MemorySize minFree();

        /**
         * {@code REELVAULT_STORAGE_LOCAL_INLINE_SMALL_READS}: objects of at most 64 KiB (every {@code metadata.json},
         * small thumbnails) are read, and ranged reads opened, on the thread that asks, an event loop included, as
         * nginx reads files: no trip to the worker pool and back for a page-cached document or a range's first byte. Default true; set false when the root is a network
         * filesystem whose reads can stall, so that a stalled read holds a worker thread, never an event loop.
         */
        @WithDefault("true")
        boolean inlineSmallReads();

        /**
         * {@code REELVAULT_STORAGE_LOCAL_DIRECT_WRITES}: write uploads' bytes with {@code O_DIRECT} where the filesystem
         * takes it, past the page cache: about 0.3 CPU-seconds less per GiB, and a large upload does not push other
         * files out of the page cache, but each write then waits for the disk, and a disk with a volatile cache (a
         * virtual disk) still writes it all back in the fsync before the rename: 0.6 of {@code dd conv=fdatasync}
         * where it measured so. Default false: ordinary writes, synced behind the write every 32 MiB
         * ({@code fdatasync} on another thread, so that the disk writes back while the rest arrives): 1.0 of
         * {@code dd} there. tus appends take {@code O_DIRECT} where the filesystem does either way: each ends in its
         * own fsync, and measured faster so.
         */
        @WithDefault("false")
        boolean directWrites();
    }

    interface S3 {
        /** {@code S3_BUCKET}: the bucket; required when {@code USE_LOCAL_STORAGE=false}. */
        Optional<String> bucket();

        /** {@code AWS_REGION}: the bucket's region; required when {@code USE_LOCAL_STORAGE=false}. */
        Optional<String> region();

        /** {@code REELVAULT_STORAGE_S3_MULTIPART_THRESHOLD}: known lengths from this size on go multipart. Default 100M. */
        @WithDefault("100M")
        MemorySize multipartThreshold();

        /** {@code REELVAULT_STORAGE_S3_PART_SIZE}: the multipart part size (at least 5M), grown to fit 10,000 parts. Default 10M. */
        @WithDefault("10M")
        MemorySize partSize();

        /** {@code REELVAULT_STORAGE_S3_PART_CONCURRENCY}: parts of one upload in flight at once. Default 10. */
        @WithDefault("10")
        int partConcurrency();

        /**
         * {@code REELVAULT_STORAGE_S3_BUFFER_BUDGET}: heap for part buffers shared by all uploads in
         * flight; an upload waits (back-pressure) when it is spent. Default 128M.
         */
        @WithDefault("128M")
        MemorySize bufferBudget();

        /**
         * {@code REELVAULT_STORAGE_S3_SERVER_SIDE_ENCRYPTION}: what every write requests: {@code AES256}
         * (SSE-S3, the default), {@code aws:kms}, or {@code none} for S3-compatible servers without it.
         */
        @WithDefault("AES256")
        String serverSideEncryption();

        /**
         * {@code REELVAULT_STORAGE_S3_CALL_TIMEOUT}: the deadline of one attempt of an S3 call that streams no caller
         * body (HEAD, a GET until its response starts, LIST, DELETE, creating and aborting a multipart upload, a
         * buffered PutObject); an UploadPart gets it plus one second per MiB of the part, a CompleteMultipartUpload plus one
         * second per MiB of the object. A call past it is cut and retried by the
         * SDK, then answered {@code storage_unavailable}: a frozen S3 cannot hold a request for ever. Default 10s.
         */
        @WithDefault("10s")
        Duration callTimeout();

        /**
         * {@code REELVAULT_STORAGE_S3_VERSIONING}: whether {@code bucket setup} enables versioning on the
         * bucket and {@code bucket verify} requires it. Default false. The lifecycle rules have no rule for
         * noncurrent versions: on a versioned bucket an expiration or a deletion only adds a delete marker,
         * and the bytes stay (and are billed) as a noncurrent version. Versioning cannot be turned off
         * again, only suspended. The service itself does not read this setting.
         */
        @WithDefault("false")
        boolean versioning();
    }

    /**
     * Retention enforcement on the local backend (on S3 the bucket's lifecycle rules delete expired objects).
     * Expired objects are never served on either backend, swept or not.
     */
    interface Lifecycle {
        /**
         * {@code REELVAULT_LIFECYCLE_ENABLED}: whether the local backend runs the lifecycle sweeper on its
         * schedule. Default true. When false, expired objects stay on disk (still never served).
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * {@code REELVAULT_LIFECYCLE_SWEEP_INTERVAL}: how often the local sweeper deletes expired objects, e.g.
         * {@code 1h} (default), {@code 15m}; the first run is 30 seconds after start-up. Replicas sharing one
         * storage root take turns through a file lock, so one of them sweeps each time.
         */
        @WithDefault("1h")
        Duration sweepInterval();

        /** {@code REELVAULT_LIFECYCLE_BATCH_SIZE}: expired objects deleted per store call. Default 1000. */
        @WithDefault("1000")
        int batchSize();

        /**
         * {@code REELVAULT_LIFECYCLE_MAX_CLOCK_SKEW}: a sweep deletes nothing when the clock is more than this ahead of
         * the newest object's write time (the clock jumped, and objects that are not due would look expired). Default
         * 1d; {@code 0} turns the check off.
         */
        @WithDefault("1d")
        Duration maxClockSkew();
    }

    /** The scheduled scrub of the local backend ({@code storage.local.ScheduledScrub}). */
    Scrub scrub();

    interface Scrub {
        /**
         * {@code REELVAULT_SCRUB_INTERVAL}: how often every local object is read and checked against its recorded
         * sha256, e.g. {@code 24h}; the first run is 60 seconds after start-up. Default {@code off} (the {@code scrub}
         * command does the same on demand). Replicas sharing one root take turns through a file lock.
         */
        @WithDefault("off")
        String interval();
    }

    /**
     * Storage usage ({@code GET /api/v1/admin/usage}, {@code reelvault_storage_objects} and
     * {@code reelvault_storage_bytes}): kept current as the service writes and deletes, and corrected by a
     * periodic scan that lists every area (one scan at a time per cluster).
     */
    interface Usage {
        /**
         * {@code REELVAULT_USAGE_ENABLED}: whether this process runs the usage scan on its schedule. Default true.
         * When false the values are only the changes since start-up.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * {@code REELVAULT_USAGE_SCAN_INTERVAL}: how often a scan runs, e.g. {@code 15m} (default); the first run
         * is 10 seconds after start-up. A run that finds the lock taken does nothing.
         */
        @WithDefault("15m")
        Duration scanInterval();

        /**
         * {@code REELVAULT_USAGE_MAX_PAGES_PER_RUN}: list pages of up to 1000 keys (one ListObjectsV2 request each
         * on S3) one run may read, at least 1. Default 1000, i.e. at most a million objects per run; a larger
         * store takes several runs per pass, and the values are corrected only when a pass completes.
         */
        @WithDefault("1000")
        int maxPagesPerRun();
    }

    /**
     * Redis: state shared by replicas (the cluster lock of once-per-cluster work on S3, the rate limits' buckets). Absent URL: no
     * Redis client is created and everything stays in-process.
     */
    interface Redis {
        /**
         * {@code REELVAULT_REDIS_URL}: e.g. {@code redis://host:6379/0}, {@code rediss://host:6380/0} for TLS,
         * {@code redis://:password@host:6379/0} with a password. Absent (the default): no Redis. It becomes
         * {@code quarkus.redis.hosts} (see {@code application.properties}); never logged, since it may hold a
         * password.
         */
        Optional<String> url();

        /**
         * {@code REELVAULT_REDIS_TIMEOUT}: the deadline of every Redis call, connecting included. Default 150ms.
         * A call past it counts as Redis being unavailable: a cluster lock is then not taken (the run is skipped), and a rate-limited call is allowed.
         */
        @WithDefault("150ms")
        Duration timeout();

        /**
         * {@code REELVAULT_REDIS_LOCK_TTL}: the lease of a cluster lock, at least 1s. Default 1m. The holder renews
         * it every third of it while it works, so a run may take longer; it bounds how long a crashed holder
         * keeps others out.
         */
        @WithDefault("1m")
        Duration lockTtl();
    }

    /**
     * Per-user token buckets on the calls that take uploads ({@code upload}) or hand out signed URLs ({@code url}):
     * each caller has a bucket per class holding up to {@code capacity} calls (the burst) that refills at
     * {@code per-minute} calls a minute; a call finding it empty is answered 429 {@code rate_limited} with
     * {@code Retry-After}. Callers in the {@code pipeline} group have buckets of their own with the
     * {@code pipeline-*} values. Shared by every replica through Redis when {@code REELVAULT_REDIS_URL} is set
     * (allowed, not limited, while Redis is unavailable); each replica's own otherwise.
     */
    interface RateLimits {
        /** {@code REELVAULT_RATE_LIMITS_ENABLED}: false turns every rate limit off. Default true. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Uploads: {@code POST /api/v1/uploads} (raw and multipart) and every artifact {@code PUT} (generation
         * clips, thumbnails and audio; composition final and thumbnail; temp files).
         */
        Upload upload();

        /**
         * Signed URLs: {@code POST /api/v1/uploads/presign}, {@code GET .../url}, {@code GET .../download}, and
         * {@code GET /api/v1/generations/{id}} and {@code POST .../complete}, which sign preview URLs.
         */
        Url url();

        /**
         * Listings: {@code GET /api/v1/uploads}, {@code GET /api/v1/generations} and {@code GET /api/v1/compositions}
         * (a page of up to 1000 items, each possibly a document read).
         */
        Listing list();
    }

    /** The four numbers of one class of calls; {@link Upload}, {@link Url} and {@link Listing} give the defaults. */
    interface RateClassLimits {
        /** Burst of a user's bucket, at least 1. */
        int userCapacity();

        /** Refill of a user's bucket, calls per minute (may be fractional), positive. */
        double userPerMinute();

        /** Burst of a pipeline caller's bucket, at least 1. */
        int pipelineCapacity();

        /** Refill of a pipeline caller's bucket, calls per minute, positive. */
        double pipelinePerMinute();
    }

    interface Upload extends RateClassLimits {
        /** {@code REELVAULT_RATE_LIMITS_UPLOAD_USER_CAPACITY}: default 10. */
        @Override
        @WithDefault("10")
        int userCapacity();

        /** {@code REELVAULT_RATE_LIMITS_UPLOAD_USER_PER_MINUTE}: default 30. */
        @Override
        @WithDefault("30")
        double userPerMinute();

        /** {@code REELVAULT_RATE_LIMITS_UPLOAD_PIPELINE_CAPACITY}: default 100. */
        @Override
        @WithDefault("100")
        int pipelineCapacity();

        /** {@code REELVAULT_RATE_LIMITS_UPLOAD_PIPELINE_PER_MINUTE}: default 300. */
        @Override
        @WithDefault("300")
        double pipelinePerMinute();
    }

    interface Url extends RateClassLimits {
        /** {@code REELVAULT_RATE_LIMITS_URL_USER_CAPACITY}: default 60. */
        @Override
        @WithDefault("60")
        int userCapacity();

        /** {@code REELVAULT_RATE_LIMITS_URL_USER_PER_MINUTE}: default 120. */
        @Override
        @WithDefault("120")
        double userPerMinute();

        /** {@code REELVAULT_RATE_LIMITS_URL_PIPELINE_CAPACITY}: default 600. */
        @Override
        @WithDefault("600")
        int pipelineCapacity();

        /** {@code REELVAULT_RATE_LIMITS_URL_PIPELINE_PER_MINUTE}: default 1200. */
        @Override
        @WithDefault("1200")
        double pipelinePerMinute();
    }

    interface Listing extends RateClassLimits {
        /** {@code REELVAULT_RATE_LIMITS_LIST_USER_CAPACITY}: default 20. */
        @Override
        @WithDefault("20")
        int userCapacity();

        /** {@code REELVAULT_RATE_LIMITS_LIST_USER_PER_MINUTE}: default 60. */
        @Override
        @WithDefault("60")
        double userPerMinute();

        /** {@code REELVAULT_RATE_LIMITS_LIST_PIPELINE_CAPACITY}: default 200. */
        @Override
        @WithDefault("200")
        int pipelineCapacity();

        /** {@code REELVAULT_RATE_LIMITS_LIST_PIPELINE_PER_MINUTE}: default 600. */
        @Override
        @WithDefault("600")
        double pipelinePerMinute();
    }

    /**
     * The similar-generation cache: finished generations reused for the same parameters and a similar prompt. On
     * Redis when {@code REELVAULT_REDIS_URL} is set (shared by replicas), otherwise in this process.
     */
    /** {@code REELVAULT_CACHE_SCOPE}: who shares the similar-generation cache. */
    enum CacheScope {
        /** Every user's finished generations answer every user's requests. */
        GLOBAL,
        /** A user's generations answer that user's requests only. */
        USER
    }

    interface Cache {
        /**
         * {@code REELVAULT_CACHE_THRESHOLD}: the least cosine similarity of two prompts (same parameters) at which a
         * finished generation is reused, in (0, 1]. Default 0.95 (see {@code SimilarityThreshold}).
         */
        @WithDefault("0.95")
        double threshold();

        /**
         * {@code REELVAULT_CACHE_BREAKER_FAILURES}: failed Redis calls of the cache in a row (errors or past the
         * deadline) after which the cache stops calling Redis for a cool-down, at least 1. Default 5.
         */
        @WithDefault("5")
        int breakerFailures();

        /**
         * {@code REELVAULT_CACHE_BREAKER_COOL_DOWN}: how long the open breaker fails cache calls at once (the caller
         * goes on without the cache); then one trial call decides whether it closes. Default 5s.
         */
        @WithDefault("5s")
        Duration breakerCoolDown();

        /**
         * {@code REELVAULT_CACHE_MAX_CANDIDATES}: stored vectors one lookup compares at most (those sharing most
         * LSH buckets with the prompt), at least 1. Default 64.
         */
        @WithDefault("64")
        int maxCandidates();

        /**
         * {@code REELVAULT_CACHE_MAX_ENTRIES}: entries the in-process cache keeps at most (about 5 KB each); beyond
         * it those expiring soonest are evicted. Not used with Redis (size Redis itself). Default 100000.
         */
        @WithDefault("100000")
        int maxEntries();

        /**
         * {@code REELVAULT_CACHE_SCOPE}: whose generations may answer a request. {@code user} (default): only those of
         * the same user (the generation's owner, {@code user_id}); {@code global}: any user's, for deployments whose
         * users may see each other's results (one tenant).
         */
        @WithDefault("user")
        CacheScope scope();
    }

    /**
     * Bounds of one page of {@code GET /api/v1/generations} or {@code GET /api/v1/compositions}, which filter the stored
     * metadata documents (see {@code service.MetadataQuery}): past either, the page ends short with a {@code next_after}
     * to continue from.
     */
    /** The web console ({@code GET /}): static pages that call the public API with the token pasted into them. */
    interface Console {
        /**
         * {@code REELVAULT_CONSOLE_ENABLED}: whether {@code /}, {@code /console/*} and {@code /vendor/*} serve the
         * console; off, they answer 404. Default false (dev mode: true).
         */
        @WithDefault("false")
        boolean enabled();
    }

    interface Query {
        /**
         * {@code REELVAULT_QUERY_MAX_OBJECTS}: objects one page may list, at least 1 (about this / 1000 S3 LIST calls).
         * Default 100000.
         */
        @WithDefault("100000")
        int maxObjects();

        /** {@code REELVAULT_QUERY_MAX_READS}: metadata documents one page may read (one GET each), at least 1. Default 1000. */
        @WithDefault("1000")
        int maxReads();
    }

    interface Uploads {
        /**
         * {@code REELVAULT_UPLOADS_MAX_SIZE}: the largest user upload, e.g. {@code 50M} (default).
         * Enforced as bytes arrive, and before reading when Content-Length already exceeds it.
         */
        @WithDefault("50M")
        MemorySize maxSize();

        /**
         * {@code REELVAULT_UPLOADS_MULTIPART_PART_SIZE}: the part size of a direct multipart upload
         * ({@code POST /api/v1/uploads/multipart}): every part but the last has exactly this many bytes, more when a file
         * would otherwise need over 10,000 parts. At least {@code 5M} (S3's smallest part); default {@code 8M}.
         */
        @WithDefault("8M")
        MemorySize multipartPartSize();

        /**
         * {@code REELVAULT_UPLOADS_SWEEP_ENABLED}: whether this process runs the upload sweeper on its schedule
         * (abandoned direct uploads, objects without metadata). Default true.
         */
        @WithDefault("true")
        boolean sweepEnabled();

        /**
         * {@code REELVAULT_UPLOADS_SWEEP_INTERVAL}: how often the upload sweeper lists {@code uploads/}, e.g.
         * {@code 1h} (default); the first run is 60 seconds after start-up; one replica per cluster at a time.
         */
        @WithDefault("1h")
        Duration sweepInterval();

        /**
         * {@code REELVAULT_UPLOADS_ORPHAN_GRACE}: how long an upload's objects may lack their metadata before the
         * sweeper deletes them: a direct upload gets its URL's 15 minutes plus this to be completed; an object with
         * neither {@code metadata.json} nor {@code pending.json} (a crash between the two writes, a PUT of a deleted
         * upload) is deleted this long after it was written. At least {@code 15m} (an upload URL's lifetime, which the
         * tombstone of a deleted direct upload must outlive); default {@code 1h}.
         */
        @WithDefault("1h")
        Duration orphanGrace();

        /**
         * {@code REELVAULT_UPLOAD_IDLE_TIMEOUT}: how long a request body that streams into storage (uploads, pipeline
         * artifacts, temp files, signed PUTs) may send nothing while the service waits for it; past it the request is
         * cut: 408 {@code request_timeout}, nothing stored, connection closed. Time the service itself holds the body
         * back (back-pressure) does not count. Default 60s.
         */
        @WithDefault("60s")
        Duration idleTimeout();

        /**
         * {@code REELVAULT_UPLOADS_MAX_CONCURRENT_PER_CALLER}: request bodies streaming into storage at once per caller
         * (the token's {@code sub}), on each replica; one more is answered 429 {@code too_many_uploads} with
         * {@code Retry-After} before its body is read. At least 1. Default 8.
         */
        @WithDefault("8")
        int maxConcurrentPerCaller();

        /**
         * {@code REELVAULT_UPLOADS_MAX_CONCURRENT_PER_PIPELINE_CALLER}: the same cap for a pipeline caller (group
         * {@code pipeline}): workers often share one service identity and stream many clips at once. At least 1.
         * Default 64.
         */
        @WithDefault("64")
        int maxConcurrentPerPipelineCaller();
    }

    interface Pipeline {
        /**
         * {@code REELVAULT_PIPELINE_MAX_SIZE}: the largest artifact the pipeline may stream in (a clip,
         * a final render, a temp file), e.g. {@code 10G} (default). Enforced like the upload limit.
         */
        @WithDefault("10G")
        MemorySize maxSize();

        /**
         * {@code REELVAULT_PIPELINE_COMPRESS}: whether a final render is re-encoded (H.264 CRF 23, AAC
         * 128k) when its PUT does not say {@code ?compress=}. Default false.
         */
        @WithDefault("false")
        boolean compress();

        /** {@code REELVAULT_PIPELINE_THUMBNAIL_WIDTH}: width in pixels of extracted thumbnails. Default 320. */
        @WithDefault("320")
        int thumbnailWidth();

        /**
         * {@code REELVAULT_PIPELINE_PARAMETER_DEFAULTS}: a JSON object of generation parameters the generator
         * assumes when absent, e.g. {@code {"fps":24,"resolution":"1080p"}}; a parameter equal to its default is
         * treated as absent when requests are compared for reuse. Default none.
         */
        Optional<String> parameterDefaults();

        /**
         * {@code REELVAULT_PIPELINE_PENDING_TIMEOUT}: how long a pending generation holds its request for
         * identical requests (single flight) before they may start their own. Default 30M.
         */
        @WithDefault("30M")
        Duration pendingTimeout();
    }

    /** ffmpeg work (thumbnails, probes, compression); see {@code io.reelvault.media.MediaTools}. */
    interface Media {
        /**
         * {@code REELVAULT_MEDIA_ENABLED}: false turns media work off even where ffmpeg is installed. Default
         * true; media work is also off (one warning at start-up) when ffmpeg or ffprobe cannot be found.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * {@code REELVAULT_MEDIA_FFMPEG_PATH}: the ffmpeg executable. Absent: the first executable {@code ffmpeg}
         * on {@code PATH}. A configured path that is not an executable file turns media work off (no fallback).
         */
        Optional<Path> ffmpegPath();

        /** {@code REELVAULT_MEDIA_FFPROBE_PATH}: the ffprobe executable; absent and invalid as for {@link #ffmpegPath()}. */
        Optional<Path> ffprobePath();

        /** {@code REELVAULT_MEDIA_WORKERS}: ffmpeg/ffprobe processes running at once (at least 1). Default 2. */
        @WithDefault("2")
        int workers();

        /**
         * {@code REELVAULT_MEDIA_QUEUE}: tasks waiting for a worker (0 or more); beyond it a task fails at once
         * instead of waiting. Default 64.
         */
        @WithDefault("64")
        int queue();

        /**
         * {@code REELVAULT_MEDIA_TIMEOUT}: how long one compression process may run before it is killed, counted
         * from its start (time waiting in the queue is not counted). Default 10M (10 minutes).
         */
        @WithDefault("10M")
        Duration timeout();

        /**
         * {@code REELVAULT_MEDIA_PROBE_TIMEOUT}: the same deadline for each probe and thumbnail process, which read
         * only the start of their input. Default 60S.
         */
        @WithDefault("60S")
        Duration probeTimeout();

        /**
         * {@code REELVAULT_MEDIA_WORK_DIR}: where compressed files are written (created if missing); the caller of
         * a compression deletes its file. Default {@code ${java.io.tmpdir}/reelvault-media}.
         */
        @WithDefault("${java.io.tmpdir}/reelvault-media")
        Path workDir();
    }

    /** Resumable uploads (tus 1.0, {@code /api/v1/tus/}). */
    interface Tus {
        /**
         * {@code REELVAULT_TUS_EXPIRY}: how long an unfinished resumable upload is kept after its creation, announced
         * in {@code Upload-Expires}; past it a HEAD or PATCH answers 410 {@code upload_expired} and the tus sweep removes
         * its bytes and state (a finished one's state goes then too). Default {@code 24h}.
         */
        @WithDefault("24h")
        Duration expiry();

        /**
         * {@code REELVAULT_TUS_SWEEP_INTERVAL}: how often expired resumable uploads are removed, e.g. {@code 15m}
         * (default); one replica per cluster at a time (cluster lock {@code tus-sweep}).
         */
        @WithDefault("15m")
        Duration sweepInterval();
    }
}
