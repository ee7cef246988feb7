package io.reelvault.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.fuzz.Hostile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based fuzzing of the model's parsers (jqwik): every key, id, name and Range header a client can send
 * either parses into a value that is safe to use and round-trips, or is refused with its one documented error code;
 * nothing else escapes. 10,000 cases each; {@code Statistics} checks that each generator reaches both outcomes.
 */
class ModelFuzzProperties {
    private static final int TRIES = 10_000;
    /** Any root: a parsed key must resolve under it, as itself. */
    private static final Path ROOT = Path.of("/srv/reelvault/root");

    @Provide
    Arbitrary<String> keys() {
        return Hostile.keyLike();
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void aKeyParsesSafelyOrIsRefusedAsInvalidKey(@ForAll("keys") String text) {
        Optional<ObjectKey> parsed = parse(text, ObjectKey::parse, ErrorCode.INVALID_KEY);
        Statistics.collect(parsed.isPresent() ? "accepted" : "refused");
        Statistics.coverage(c -> c.check("accepted").count(n -> n > 100));
        parsed.ifPresent(key -> {
            assertEquals(text, key.value());
            assertEquals(key, ObjectKey.parse(key.toString()));
            assertTrue(ObjectKey.isValid(text));
            assertTrue(text.getBytes(StandardCharsets.UTF_8).length <= ObjectKey.MAX_BYTES);
            assertEquals(
                    text, Normalizer.normalize(text, Normalizer.Form.NFKC), "no character a normalisation changes");
            for (String segment : text.split("/", -1)) {
                assertTrue(segment.matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}"), segment);
            }
            assertTrue(Set.of(Area.values()).contains(key.area()));
            assertTrue(text.endsWith("/" + key.fileName()));
            Path path = ROOT.resolve(text).normalize();
            assertTrue(path.startsWith(ROOT) && !path.equals(ROOT), text);
            assertEquals(text, ROOT.relativize(path).toString());
        });
    }

    @Provide
    Arbitrary<String> validKeys() {
        return Hostile.validKey();
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void everyKeyOfTheGrammarParses(@ForAll("validKeys") String text) {
        assertEquals(text, ObjectKey.parse(text).value());
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void aPrefixParsesSafelyOrIsRefusedAsInvalidKey(@ForAll("keys") String text) {
        Optional<KeyPrefix> parsed = parse(text, KeyPrefix::new, ErrorCode.INVALID_KEY);
        parsed.ifPresent(prefix -> {
            String folder = text.substring(0, text.lastIndexOf('/') + 1);
            Path path = ROOT.resolve(folder).normalize();
            assertTrue(path.startsWith(ROOT), text);
            assertTrue(text.endsWith("/") || ObjectKey.isValid(text) || text.indexOf('/') < 0, text);
        });
    }

    @Provide
    Arbitrary<String> uploadIds() {
        return Hostile.datedIdLike(UploadId.PREFIX);
    }

    @Provide
    Arbitrary<String> generationIds() {
        return Hostile.datedIdLike(GenerationId.PREFIX);
    }

    @Provide
    Arbitrary<String> compositionIds() {
        return Hostile.datedIdLike(CompositionId.PREFIX);
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void anUploadIdParsesIntoAKeySegmentOrIsInvalidId(@ForAll("uploadIds") String text) {
        parse(text, UploadId::parse, ErrorCode.INVALID_ID).ifPresent(id -> assertDatedId("upload", text, id.value()));
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void aGenerationIdParsesIntoAKeySegmentOrIsInvalidId(@ForAll("generationIds") String text) {
        parse(text, GenerationId::parse, ErrorCode.INVALID_ID).ifPresent(id -> assertDatedId("gen", text, id.value()));
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void aCompositionIdParsesIntoAKeySegmentOrIsInvalidId(@ForAll("compositionIds") String text) {
        parse(text, CompositionId::parse, ErrorCode.INVALID_ID)
                .ifPresent(id -> assertDatedId("comp", text, id.value()));
    }

    @Provide
    Arbitrary<String> names() {
        return Hostile.nameLike();
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void jobAndUserIdsParseIntoKeySegmentsOrAreRefused(@ForAll("names") String text) {
        Optional<JobId> job = parse(text, JobId::parse, ErrorCode.INVALID_ID);
        Optional<UserId> subject = parse(text, UserId::parse, ErrorCode.INVALID_SUBJECT);
        Optional<UserId> requested = parse(text, UserId::parseRequested, ErrorCode.INVALID_ID);
        Statistics.collect(job.isPresent() ? "accepted" : "refused");
        Statistics.coverage(c -> c.check("accepted").count(n -> n > 100));
        assertEquals(job.isPresent(), subject.isPresent());
        assertEquals(subject, requested);
        job.ifPresent(id -> {
            assertEquals(text, id.value());
            assertEquals(id, JobId.parse(id.toString()));
            assertTrue(ObjectKey.isValid("temp/" + id.value() + "/x.tmp"), text);
            assertTrue(ObjectKey.isValid("uploads/" + subject.orElseThrow().value() + "/x"), text);
        });
    }

    @Provide
    Arbitrary<String> clipNumbers() {
        return Hostile.clipNumberLike();
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void aClipNumberIsOneTo999OrInvalidId(@ForAll("clipNumbers") String text) {
        parse(text, ClipNumber::parse, ErrorCode.INVALID_ID).ifPresent(n -> {
            assertTrue(n.value() >= 1 && n.value() <= 999, text);
            assertTrue(n.name().matches("clip_[0-9]{3}"), n.name());
            assertEquals(n, ClipNumber.parse(Integer.toString(n.value())));
        });
    }

    @Provide
    Arbitrary<String> tempNames() {
        return Hostile.tempNameLike();
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void aTempNameIsAKeySegmentOrInvalidFilename(@ForAll("tempNames") String text) {
        Optional<TempName> parsed = parse(text, TempName::parse, ErrorCode.INVALID_FILENAME);
        Statistics.collect(parsed.isPresent() ? "accepted" : "refused");
        Statistics.coverage(c -> c.check("accepted").count(n -> n > 100));
        parsed.ifPresent(name -> {
            assertEquals(text, name.value());
            assertEquals(name, TempName.parse(name.toString()));
            assertTrue(ObjectKey.isValid("temp/job/processing/" + name.value()), text);
            assertEquals(text.endsWith(".mp4"), name.requiredType().isPresent());
        });
    }

    @Provide
    Arbitrary<String> fileNames() {
        return Hostile.fileNameLike();
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void anUploadFilenameIsAPlainNameOrRefused(@ForAll("fileNames") String text) {
        UploadFilename name;
        try {
            name = UploadFilename.parse(text);
        } catch (ReelvaultException e) {
            assertTrue(
                    Set.of(ErrorCode.INVALID_FILENAME, ErrorCode.UNSUPPORTED_MEDIA_TYPE)
                            .contains(e.code()),
                    e.code().code());
            Statistics.collect("refused");
            return;
        }
        Statistics.collect("accepted");
        Statistics.coverage(c -> c.check("accepted").count(n -> n > 100));
        String value = name.value();
        assertFalse(value.isEmpty() || value.length() > 255, text);
        assertFalse(value.contains("/") || value.contains("\\"), text);
        assertTrue(value.codePoints().noneMatch(Character::isISOControl), text);
        assertTrue(FileType.UPLOADABLE.contains(name.type()));
        assertEquals(name, UploadFilename.parse(value), "parsing is idempotent");
        String header = ContentDisposition.attachment(value);
        assertTrue(header.chars().allMatch(c -> c >= 0x20 && c < 0x7f), header);
    }

    @Provide
    Arbitrary<String> ranges() {
        return Hostile.rangeHeader();
    }

    @Provide
    Arbitrary<Long> sizes() {
        return Hostile.objectSize();
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void aRangeHeaderResolvesInsideTheObjectOrNotAtAll(@ForAll("ranges") String header, @ForAll("sizes") long size) {
        Optional<ByteRange> parsed = ByteRange.parseHeader(header); // documented: never throws, empty when ignored
        Optional<ResolvedRange> resolved = parsed.flatMap(r -> r.resolve(size));
        Statistics.collect(parsed.isEmpty() ? "ignored" : resolved.isPresent() ? "satisfiable" : "unsatisfiable");
        Statistics.coverage(c -> {
            c.check("satisfiable").count(n -> n > 100);
            c.check("unsatisfiable").count(n -> n > 10);
        });
        parsed.ifPresent(range -> {
            assertEquals(parsed, ByteRange.parseHeader(range.toString()), "round trip");
            boolean satisfiable =
                    range.suffixLength() != null ? range.suffixLength() > 0 && size > 0 : range.first() < size;
            assertEquals(satisfiable, resolved.isPresent(), header + " of " + size);
        });
        resolved.ifPresent(r -> {
            assertTrue(r.start() >= 0 && r.start() <= r.end() && r.end() < size, r + " of " + size);
            assertEquals(size, r.totalSize());
            assertTrue(r.length() >= 1 && r.length() <= size);
            assertEquals("bytes " + r.start() + "-" + r.end() + "/" + size, r.contentRange());
        });
    }

    private static void assertDatedId(String prefix, String text, String value) {
        assertEquals(text, value);
        assertTrue(value.matches(prefix + "_[0-9]{8}_[a-z0-9]{12,32}"), value);
        assertTrue(ObjectKey.isValid("generations/" + value + "/metadata.json"), value);
    }

    /** The parsed value, or empty when refused with {@code code}; any other failure fails the property. */
    private static <T> Optional<T> parse(String text, Function<String, T> parser, ErrorCode code) {
        try {
            return Optional.of(parser.apply(text));
        } catch (ReelvaultException e) {
            assertEquals(code, e.code(), () -> "refused " + text + " with " + e.code());
            return Optional.empty();
        }
    }
}
