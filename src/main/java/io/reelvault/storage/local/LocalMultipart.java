package io.reelvault.storage.local;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.DirectMultipart;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.PutResult;
import io.reelvault.storage.SignedPartReceiver;
import io.reelvault.storage.SignedUrls.SignedUrl;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local backend's direct multipart uploads. An upload is the folder {@code {root}/.multipart/{upload_id}/}
 * ({@code upload_id}: 32 lower-case hex characters of a secure random), outside every key (no key segment starts with a
 * dot), so neither listed nor served. A part is the file {@code {number, 5 digits}-{etag}} in it, written as an object
 * is ({@link LocalWrites#stream}: temp file under {@code .tmp}, fsync, atomic rename); its ETag is the first 16 bytes
 * of its SHA-256 in hex, quoted. Completion concatenates the named parts, read a chunk at a time, into the object by the
 * same write path (create-only), then removes the folder. An upload that received nothing for the incomplete-write
 * grace is removed by {@link #removeAbandoned}.
 */
final class LocalMultipart implements DirectMultipart, SignedPartReceiver {
    static final String DIR = ".multipart";
    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern PART_FILE = Pattern.compile("([0-9]{5})-([0-9a-f]{32})");
    private static final Pattern ETAG = Pattern.compile("\"?([0-9a-f]{32})\"?");
    private static final int READ_CHUNK = 256 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final SecurePaths paths;
    private final LocalFiles files;
    private final LocalIo io;
    private final LocalWrites writes;
    private final LocalUrlSigner signer;

    LocalMultipart(
            Path root, SecurePaths paths, LocalFiles files, LocalIo io, LocalWrites writes, LocalUrlSigner signer) {
        this.dir = root.resolve(DIR);
        this.paths = paths;
        this.files = files;
        this.io = io;
        this.writes = writes;
        this.signer = signer;
    }

    @Override
    public Uni<String> create(ObjectKey key, String contentType) {
        paths.resolve(key); // a key the store could hold
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String id = HexFormat.of().formatHex(random);
        return io.blocking(() -> {
            Files.createDirectories(dir);
            Files.createDirectory(dir.resolve(id));
            LocalFiles.fsyncDirectory(dir);
            return id;
        });
    }

    @Override
    public SignedUrl signPart(ObjectKey key, String uploadId, int number, long length, Duration expiresIn) {
        checkPart(number);
        if (length < 1) {
            throw new IllegalArgumentException("a part has at least 1 byte");
        }
        return signer.signPart(key, folderName(uploadId), number, length, expiresIn);
    }

    @Override
    public Uni<Part> receivePart(String uploadId, int number, Multi<ByteBuffer> body, long length) {
        Path upload;
        try {
            upload = folder(uploadId);
            checkPart(number);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        return io.blocking(() -> {
                    if (!Files.isDirectory(upload)) {
                        throw noUpload();
                    }
                    return upload;
                })
                .chain(() -> writes.stream(body, OptionalLong.of(length), write -> {
                    String etag = write.sha256().substring(0, 32);
                    String name = String.format("%05d-%s", number, etag);
                    if (!Files.isDirectory(upload)) { // aborted or completed while the body arrived
                        write.abort();
                        throw noUpload();
                    }
                    write.commit(upload.resolve(name), files);
                    try (DirectoryStream<Path> earlier =
                            Files.newDirectoryStream(upload, String.format("%05d-*", number))) {
                        for (Path p : earlier) {
                            if (!p.getFileName().toString().equals(name)) {
                                Files.deleteIfExists(p); // an earlier upload of this part
                            }
                        }
                    }
                    return new Part(number, length, quoted(etag));
                }));
    }

    @Override
    public Uni<List<Part>> parts(ObjectKey key, String uploadId, int after, int max) {
        Path upload;
        try {
            upload = folder(uploadId);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        return io.blocking(() -> {
            List<Part> parts =
                    new ArrayList<>(read(upload).tailMap(after, false).values());
            return parts.size() > max ? List.copyOf(parts.subList(0, max)) : parts;
        });
    }

    /** The upload's parts by number, the newest file of a number when a race left two. */
    private TreeMap<Integer, Part> read(Path upload) throws IOException {
        TreeMap<Integer, Part> parts = new TreeMap<>();
        TreeMap<Integer, Instant> times = new TreeMap<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(upload)) {
            for (Path p : stream) {
                Matcher m = PART_FILE.matcher(p.getFileName().toString());
                Optional<BasicFileAttributes> attrs = ObjectFiles.attributes(p);
                if (!m.matches() || attrs.isEmpty() || !attrs.get().isRegularFile()) {
                    continue;
                }
                int number = Integer.parseInt(m.group(1));
                Instant at = attrs.get().lastModifiedTime().toInstant();
                if (!times.containsKey(number) || at.isAfter(times.get(number))) {
                    times.put(number, at);
                    parts.put(number, new Part(number, attrs.get().size(), quoted(m.group(2))));
                }
            }
        } catch (NoSuchFileException e) {
            throw noUpload();
        }
        return parts;
    }

    @Override
    public Uni<ObjectInfo> complete(ObjectKey key, String uploadId, List<Part> parts) {
        Path upload;
        try {
            upload = folder(uploadId);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        return io.blocking(() -> {
                    if (!Files.isDirectory(upload)) {
                        throw noUpload();
                    }
                    List<Path> files = new ArrayList<>(parts.size());
                    long total = 0;
                    for (Part part : parts) {
                        Matcher etag = ETAG.matcher(part.etag() == null ? "" : part.etag());
                        Path file = etag.matches()
                                ? upload.resolve(String.format("%05d-%s", part.number(), etag.group(1)))
                                : null;
                        Optional<BasicFileAttributes> attrs =
                                file == null ? Optional.empty() : ObjectFiles.attributes(file);
                        if (attrs.isEmpty()) {
                            throw new ReelvaultException(
                                    ErrorCode.INVALID_PART,
                                    "part " + part.number() + " with that ETag was not uploaded (or was replaced)");
                        }
                        files.add(file);
                        total += attrs.get().size();
                    }
                    return new Assembly(files, total);
                })
                .chain(a -> writes.write(key, concatenation(a.files()), OptionalLong.of(a.total()), Optional.empty()))
                .map(PutResult::info)
                .call(() -> abort(key, uploadId));
    }

    private record Assembly(List<Path> files, long total) {}

    /** The files' bytes one after the other, a chunk read at a time as the writer asks for it: constant memory. */
    private static Multi<ByteBuffer> concatenation(List<Path> parts) {
        return Multi.createFrom()
                .iterable(parts)
                .onItem()
                .transformToMultiAndConcatenate(file -> Multi.createFrom()
                        .resource(
                                () -> LocalIo.io(() -> FileChannel.open(file, StandardOpenOption.READ)),
                                channel -> Multi.createFrom().iterable(() -> chunks(channel)))
                        .withFinalizer(channel -> {
                            try {
                                channel.close();
                            } catch (IOException ignored) {
                                // read-only
                            }
                        }));
    }

    private static Iterator<ByteBuffer> chunks(FileChannel channel) {
        return new Iterator<>() {
            private ByteBuffer next;
            private boolean ended;

            @Override
            public boolean hasNext() {
                if (next == null && !ended) {
                    ByteBuffer buffer = ByteBuffer.allocate(READ_CHUNK);
                    try {
                        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                            // fill
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    if (buffer.position() == 0) {
                        ended = true;
                    } else {
                        next = buffer.flip();
                        ended = buffer.limit() < READ_CHUNK;
                    }
                }
                return next != null;
            }

            @Override
            public ByteBuffer next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ByteBuffer b = next;
                next = null;
                return b;
            }
        };
    }

    @Override
    public Uni<Void> abort(ObjectKey key, String uploadId) {
        Path upload;
        try {
            upload = folder(uploadId);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        return io.blocking(() -> {
            removeFolder(upload);
            return null;
        });
    }

    /**
     * Removes the uploads that received nothing since {@code inactiveSince} (the folder and each part older); blocking.
     *
     * @return how many were removed
     */
    int removeAbandoned(Instant inactiveSince) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> uploads = Files.newDirectoryStream(dir)) {
            for (Path upload : uploads) {
                if (UPLOAD_ID.matcher(upload.getFileName().toString()).matches() && inactive(upload, inactiveSince)) {
                    removeFolder(upload);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return removed;
    }

    private static boolean inactive(Path upload, Instant since) throws IOException {
        BasicFileAttributes folder;
        try {
            folder = Files.readAttributes(upload, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (!folder.isDirectory() || !folder.lastModifiedTime().toInstant().isBefore(since)) {
            return false;
        }
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(upload)) {
            for (Path p : parts) {
                Optional<BasicFileAttributes> a = ObjectFiles.attributes(p);
                if (a.isPresent() && !a.get().lastModifiedTime().toInstant().isBefore(since)) {
                    return false;
                }
            }
        } catch (NoSuchFileException e) {
            return false;
        }
        return true;
    }

    private static void removeFolder(Path upload) throws IOException {
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(upload)) {
            for (Path p : parts) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            return;
        }
        Files.deleteIfExists(upload);
    }

    /** The upload's folder; {@code not_found} for an id this backend cannot have made (no path can escape). */
    private Path folder(String uploadId) {
        return dir.resolve(folderName(uploadId));
    }

    private static String folderName(String uploadId) {
        if (uploadId == null || !UPLOAD_ID.matcher(uploadId).matches()) {
            throw noUpload();
        }
        return uploadId;
    }

    private static void checkPart(int number) {
        if (number < 1 || number > MAX_PARTS) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "part numbers are 1 to " + MAX_PARTS);
        }
    }

    private static String quoted(String etag) {
        return "\"" + etag + "\"";
    }

    private static ReelvaultException noUpload() {
        return ReelvaultException.notFound("multipart upload");
    }
}
