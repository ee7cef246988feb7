package io.reelvault.service.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast instant reader answers (and fails) as Jackson's own does, for every text. */
class IsoInstantDeserializerTest {
    final ObjectMapper standard = new ObjectMapper().registerModule(new JavaTimeModule());
    final ObjectMapper fast = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(new SimpleModule().addDeserializer(Instant.class, new IsoInstantDeserializer()));

    String read(ObjectMapper mapper, String json) {
        try {
            return String.valueOf(mapper.readValue(json, Instant.class));
        } catch (Exception e) {
            return "failed: " + e.getClass().getSimpleName();
        }
    }

    @Test
    void answersAsJacksonDoes() {
        List<String> texts = new ArrayList<>(List.of(
                "2026-12-04T17:24:32Z",
                "2026-12-04T17:24:32.1Z",
                "2026-12-04T17:24:32.123456789Z",
                "2026-12-04T17:24:32.1234567891Z",
                "2026-12-04T17:24:32.Z",
                "2024-02-29T00:00:00Z",
                "2023-02-29T00:00:00Z",
                "2026-13-01T00:00:00Z",
                "2026-12-04T24:00:00Z",
                "2026-12-04T23:60:00Z",
                "2026-12-04T23:59:60Z",
                "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999999999Z",
                "2026-12-04T17:24:32+00:00",
                "2026-12-04T17:24:32+01:00",
                "2026-12-04 17:24:32Z",
                "2026-12-04T17:24Z",
                "+12026-12-04T17:24:32Z",
                "2026-1a-04T17:24:32Z",
                "",
                " 2026-12-04T17:24:32Z",
                "1700000000",
                "abc"));
        Random random = new Random(14);
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(
                    random.nextLong(-62_167_219_200L, 253_402_300_799L), random.nextInt(1_000_000_000));
            if (random.nextBoolean()) {
                t = Instant.ofEpochSecond(t.getEpochSecond(), random.nextInt(1000) * 1_000_000L);
            }
            texts.add(t.toString());
        }
        for (String text : texts) {
            String json = "\"" + text + "\"";
            assertEquals(read(standard, json), read(fast, json), json);
        }
        for (String json : List.of("1700000000", "1700000000.5", "null", "[]", "{}")) {
            assertEquals(read(standard, json), read(fast, json), json);
        }
    }

    @Test
    void uploadMetadataReadsItsInstants() throws Exception {
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());
        UploadMetadata meta = new UploadMetadata(
                "upload_20261204_abcdefghijklmnop",
                "alice",
                "uploads/alice/upload_20261204_abcdefghijklmnop/original.png",
                "a.png",
                "image/png",
                10,
                "00",
                Instant.parse("2026-12-04T17:24:32.123456Z"),
                Instant.parse("2026-12-04T18:24:32Z"),
                "\"e\"");
        assertEquals(meta, mapper.readValue(mapper.writeValueAsBytes(meta), UploadMetadata.class));
    }
}
