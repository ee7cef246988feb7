package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The web console's TypeScript types ({@code console/openapi.d.ts}, made by {@code openapi-typescript} from
 * {@code /q/openapi}) are those of the API document the service serves now: the file's first line records the
 * SHA-256 of the document it was made from (normalised: members sorted, no whitespace, no {@code servers}: their URLs
 * name the ports the service listens on, free ones in tests, and make no type), and this test computes that of
 * the running application's document. So a change to the API's document without new types fails here, without npm.
 * {@code src/main/console/regenerate.sh} makes both again: it runs this class with {@code -Dconsole.regenerate=true},
 * which writes the normalised document to {@code target/console/openapi.json} instead of comparing, then
 * {@code openapi-typescript} on it.
 */
@Tag("conformance")
@QuarkusTest
class ConsoleApiTypesTest {
    static final Path TYPES = Path.of("src/main/resources/META-INF/resources/console/openapi.d.ts");
    static final Path OUT = Path.of("target/console");
    static final Pattern RECORDED = Pattern.compile("openapi-sha256: ([0-9a-f]{64})");

    static final ObjectMapper SORTED = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    @Test
    void theCheckedInTypesAreMadeFromTheServedDocument() throws Exception {
        String served = given().accept("application/json")
                .get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        byte[] normalised = normalise(served);
        String hash = sha256(normalised);
        if (Boolean.getBoolean("console.regenerate")) {
            Files.createDirectories(OUT);
            Files.write(OUT.resolve("openapi.json"), normalised);
            Files.writeString(OUT.resolve("openapi.sha256"), hash + "\n");
            return;
        }
        assertTrue(Files.exists(TYPES), TYPES + " is missing: run src/main/console/regenerate.sh");
        Matcher recorded =
                RECORDED.matcher(Files.readString(TYPES).lines().findFirst().orElse(""));
        assertTrue(recorded.find(), TYPES + " does not say which document it was made from (first line)");
        assertEquals(
                hash,
                recorded.group(1),
                "the API document changed since " + TYPES + " was generated: run src/main/console/regenerate.sh");
    }

    @Test
    void theNormalFormIgnoresMemberOrderAndWhitespace() throws Exception {
        assertEquals(
                sha256(normalise("{\"b\":{\"y\":[2,1],\"x\":1},\"a\":\"s\"}")),
                sha256(normalise("{ \"a\" : \"s\",\n \"b\": {\"x\": 1, \"y\": [2, 1]}}")));
        assertTrue(!sha256(normalise("{\"y\":[2,1]}")).equals(sha256(normalise("{\"y\":[1,2]}"))), "arrays keep order");
        assertEquals(
                sha256(normalise("{\"paths\":{\"/a\":{\"get\":{}}}}")),
                sha256(normalise("{\"servers\":[{\"url\":\"http://localhost:1\"}],"
                        + "\"paths\":{\"/a\":{\"servers\":[{\"url\":\"http://localhost:2\"}],\"get\":{}}}}")),
                "servers (ports) make no type");
    }

    static byte[] normalise(String json) throws Exception {
        Object tree = withoutServers(SORTED.readValue(json, Object.class));
        return SORTED.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8);
    }

    /** The tree without any {@code servers} member, at any depth (the document's, a path's, an operation's). */
    static Object withoutServers(Object node) {
        if (node instanceof Map<?, ?> map) {
            map.remove("servers");
            map.values().forEach(ConsoleApiTypesTest::withoutServers);
        } else if (node instanceof List<?> list) {
            list.forEach(ConsoleApiTypesTest::withoutServers);
        }
        return node;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
