package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.model.Area;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.TransitionStorageClass;

/**
 * The bucket configuration follows the retention table, and the committed files under
 * {@code deploy/} are what the code produces. After a change to the table or to
 * {@link BucketConfiguration}, regenerate the two S3 files with
 * {@code ./mvnw -o test -Dtest=BucketConfigurationTest -Dregenerate=true} and commit them.
 */
@Tag("conformance")
class BucketConfigurationTest {

    private static final String REGENERATE =
            "regenerate it with: ./mvnw -o test -Dtest=BucketConfigurationTest -Dregenerate=true (then review and commit it)";
    private static final String BUCKET = "arn:aws:s3:::ai-video-pipeline-production";
    private static final List<String> AREA_PREFIXES = List.of("uploads/*", "generations/*", "compositions/*", "temp/*");
    /** What the task role works on: the areas and the resumable (tus) uploads in progress. */
    private static final List<String> SERVICE_PREFIXES =
            List.of("uploads/*", "generations/*", "compositions/*", "temp/*", ".tus/*");

    private static final ObjectMapper JSON = new ObjectMapper();

    // --- the committed deploy/ files

    @Test
    void committedLifecyclePolicyIsWhatTheRetentionTableGives() throws IOException {
        checkOrRegenerate(deploy("s3-lifecycle-policy.json"), CliJson.lifecycle());
    }

    @Test
    void committedCorsConfigIsWhatTheCodeGivesForTheDefaultOrigin() throws IOException {
        checkOrRegenerate(deploy("s3-cors-config.json"), CliJson.cors(BucketConfiguration.DEFAULT_ALLOWED_ORIGINS));
    }

    // --- lifecycle

    @Test
    void everyAreaWithARetentionExpiresAfterExactlyThatManyDays() {
        Map<String, LifecycleRule> byId = rulesById();
        for (Area area : Area.values()) {
            List<LifecycleRule> expiring = BucketConfiguration.lifecycle().rules().stream()
                    .filter(r -> r.expiration() != null)
                    .filter(r -> (area.segment() + "/").equals(r.filter().prefix()))
                    .collect(Collectors.toList());
            if (area.retention().isPresent()) {
                long days = area.retention().get().toDays();
                assertEquals(1, expiring.size(), area + ": one expiration rule");
                LifecycleRule rule = expiring.get(0);
                assertEquals(days, rule.expiration().days().longValue(), area + ": expiration days");
                assertEquals("expire-" + area.segment() + "-" + days + "d", rule.id());
                assertEquals(rule, byId.get(rule.id()));
            } else {
                assertEquals(List.of(), expiring, area + " is kept until deleted: nothing expires it");
            }
        }
        assertEquals(30, byId.get("expire-generations-30d").expiration().days());
        assertEquals(90, byId.get("expire-compositions-90d").expiration().days());
        assertEquals(7, byId.get("expire-temp-7d").expiration().days());
    }

    @Test
    void uploadsNeverExpire() {
        for (LifecycleRule rule : BucketConfiguration.lifecycle().rules()) {
            String prefix = rule.filter().prefix();
            if (rule.expiration() != null) {
                assertFalse(
                        "uploads/".startsWith(prefix), rule.id() + " would expire uploads/ (prefix '" + prefix + "')");
            }
        }
    }

    @Test
    void onlyObjectsOutlivingThirtyDaysMoveToIntelligentTiering() {
        Map<String, LifecycleRule> byId = rulesById();
        List<String> tiered = new ArrayList<>();
        for (LifecycleRule rule : BucketConfiguration.lifecycle().rules()) {
            if (!rule.transitions().isEmpty()) {
                assertEquals(1, rule.transitions().size(), rule.id());
                assertEquals(30, rule.transitions().get(0).days(), rule.id());
                assertEquals(
                        TransitionStorageClass.INTELLIGENT_TIERING,
                        rule.transitions().get(0).storageClass(),
                        rule.id());
                assertNull(rule.expiration(), rule.id() + ": transitions and expirations are separate rules");
                tiered.add(rule.filter().prefix());
            }
        }
        assertEquals(List.of("uploads/", "compositions/"), tiered);
        assertTrue(byId.containsKey("tier-uploads-30d"));
        assertTrue(byId.containsKey("tier-compositions-30d"));
        for (Area area : Area.values()) {
            boolean outlives = area.retention().map(r -> r.toDays() > 30).orElse(true);
            assertEquals(outlives, tiered.contains(area.segment() + "/"), area.toString());
        }
    }

    @Test
    void incompleteMultipartUploadsAreAbortedAfterOneDayBucketWide() {
        LifecycleRule abort = rulesById().get("abort-incomplete-multipart-1d");
        assertEquals("", abort.filter().prefix());
        assertEquals(1, abort.abortIncompleteMultipartUpload().daysAfterInitiation());
        assertNull(abort.expiration());
        assertTrue(abort.transitions().isEmpty());
        long abortRules = BucketConfiguration.lifecycle().rules().stream()
                .filter(r -> r.abortIncompleteMultipartUpload() != null)
                .count();
        assertEquals(1, abortRules);
    }

    @Test
    void everyRuleIsEnabledWithAUniqueReadableId() {
        Set<String> ids = new HashSet<>();
        for (LifecycleRule rule : BucketConfiguration.lifecycle().rules()) {
            assertEquals(ExpirationStatus.ENABLED, rule.status(), rule.id());
            assertTrue(rule.id().matches("[a-z]+(-[a-z0-9]+)+"), rule.id());
            assertTrue(ids.add(rule.id()), "duplicate id " + rule.id());
            assertNull(rule.prefix(), rule.id() + ": the deprecated top-level Prefix is not used");
        }
        assertEquals(6, ids.size(), ids.toString());
    }

    @Test
    void lifecycleJsonHasTheCliShape() throws IOException {
        JsonNode rules = JSON.readTree(CliJson.lifecycle()).get("Rules");
        assertEquals(BucketConfiguration.lifecycle().rules().size(), rules.size());
        JsonNode first = rules.get(0);
        assertEquals("expire-generations-30d", first.get("ID").asText());
        assertEquals("Enabled", first.get("Status").asText());
        assertEquals("generations/", first.get("Filter").get("Prefix").asText());
        assertEquals(30, first.get("Expiration").get("Days").asInt());
        JsonNode tier = find(rules, "tier-uploads-30d");
        assertEquals(30, tier.get("Transitions").get(0).get("Days").asInt());
        assertEquals(
                "INTELLIGENT_TIERING",
                tier.get("Transitions").get(0).get("StorageClass").asText());
        JsonNode abort = find(rules, "abort-incomplete-multipart-1d");
        assertEquals("", abort.get("Filter").get("Prefix").asText());
        assertEquals(
                1,
                abort.get("AbortIncompleteMultipartUpload")
                        .get("DaysAfterInitiation")
                        .asInt());
        for (JsonNode rule : rules) {
            Set<String> keys = new HashSet<>();
            rule.fieldNames().forEachRemaining(keys::add);
            assertTrue(
                    Set.of("ID", "Status", "Filter", "Expiration", "Transitions", "AbortIncompleteMultipartUpload")
                            .containsAll(keys),
                    keys.toString());
        }
    }

    @Test
    void jsonIsStablePrettyAndEndsWithANewline() {
        String json = CliJson.lifecycle();
        assertEquals(json, CliJson.lifecycle());
        assertTrue(json.startsWith("{\n  \"Rules\": [\n    {\n"), json);
        assertTrue(json.endsWith("}\n") && !json.endsWith("\n\n"), json);
        assertFalse(json.contains("\r"));
    }

    // --- CORS, encryption, public access

    @Test
    void corsAllowsPresignedBrowserTransfersFromTheGivenOrigins() throws IOException {
        List<String> origins = List.of("https://app.example.com", " http://localhost:5173 ");
        List<CORSRule> rules = BucketConfiguration.cors(origins).corsRules();
        assertEquals(1, rules.size());
        CORSRule rule = rules.get(0);
        assertEquals(List.of("https://app.example.com", "http://localhost:5173"), rule.allowedOrigins());
        assertEquals(List.of("GET", "PUT", "POST"), rule.allowedMethods());
        assertEquals(
                List.of(
                        "Content-Type",
                        "Content-Length",
                        "Authorization",
                        "X-Amz-Date",
                        "X-Amz-Security-Token",
                        "x-amz-server-side-encryption",
                        "If-None-Match",
                        "Range"),
                rule.allowedHeaders());
        assertEquals(List.of("ETag", "Content-Range", "Accept-Ranges", "Content-Length"), rule.exposeHeaders());
        assertEquals(3600, rule.maxAgeSeconds());

        JsonNode json = JSON.readTree(CliJson.cors(origins)).get("CORSRules").get(0);
        assertEquals(
                "https://app.example.com", json.get("AllowedOrigins").get(0).asText());
        assertEquals("ETag", json.get("ExposeHeaders").get(0).asText());
        assertEquals(3600, json.get("MaxAgeSeconds").asInt());
    }

    @Test
    void corsRefusesNoOriginOrABlankOne() {
        assertThrows(IllegalArgumentException.class, () -> BucketConfiguration.cors(List.of()));
        assertThrows(IllegalArgumentException.class, () -> BucketConfiguration.cors(List.of("http://a.example", " ")));
    }

    @Test
    void objectsAreEncryptedWithSseS3ByDefault() {
        var rules = BucketConfiguration.encryption().rules();
        assertEquals(1, rules.size());
        assertEquals(
                ServerSideEncryption.AES256,
                rules.get(0).applyServerSideEncryptionByDefault().sseAlgorithm());
        assertNull(rules.get(0).applyServerSideEncryptionByDefault().kmsMasterKeyID());
    }

    @Test
    void allPublicAccessIsBlocked() {
        PublicAccessBlockConfiguration block = BucketConfiguration.publicAccessBlock();
        assertTrue(block.blockPublicAcls());
        assertTrue(block.ignorePublicAcls());
        assertTrue(block.blockPublicPolicy());
        assertTrue(block.restrictPublicBuckets());
    }

    // --- IAM

    @Test
    void taskRoleCanRunEveryFeatureOfTheService() throws IOException {
        JsonNode policy = policy("ecs-task-role-policy.json");
        for (String prefix : SERVICE_PREFIXES) {
            String objects = BUCKET + "/" + prefix;
            for (String action : List.of(
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts")) {
                assertTrue(allows(policy, action, objects), action + " on " + objects);
            }
        }
        assertTrue(allows(policy, "s3:DeleteObject", BUCKET + "/uploads/*"), "users delete their uploads");

        JsonNode list = statementsAllowing(policy, "s3:ListBucket").get(0);
        assertEquals(List.of(BUCKET), texts(list.get("Resource")));
        assertEquals(
                SERVICE_PREFIXES, texts(list.get("Condition").get("StringLike").get("s3:prefix")));
    }

    @Test
    void taskRoleHasNoMoreThanItNeeds() throws IOException {
        JsonNode policy = policy("ecs-task-role-policy.json");
        Set<String> granted = new HashSet<>();
        for (JsonNode statement : policy.get("Statement")) {
            granted.addAll(texts(statement.get("Action")));
            for (String resource : texts(statement.get("Resource"))) {
                assertTrue(
                        resource.equals(BUCKET)
                                || SERVICE_PREFIXES.stream().anyMatch(p -> resource.equals(BUCKET + "/" + p)),
                        resource);
            }
        }
        assertEquals(
                Set.of(
                        "s3:GetObject",
                        "s3:PutObject",
                        "s3:DeleteObject",
                        "s3:AbortMultipartUpload",
                        "s3:ListMultipartUploadParts",
                        "s3:ListBucketMultipartUploads",
                        "s3:ListBucket"),
                granted);
        assertFalse(granted.contains("s3:PutObjectAcl"));
        for (JsonNode statement : policy.get("Statement")) {
            if (texts(statement.get("Action")).contains("s3:ListBucket")) {
                assertTrue(statement.has("Condition"), "listing is limited to the four areas");
            }
        }
    }

    @Test
    void userUploadRoleMayOnlyPutUploads() throws IOException {
        JsonNode policy = policy("user-upload-role-policy.json");
        assertEquals(1, policy.get("Statement").size());
        JsonNode statement = policy.get("Statement").get(0);
        assertEquals(List.of("s3:PutObject"), texts(statement.get("Action")));
        assertEquals(List.of(BUCKET + "/uploads/*"), texts(statement.get("Resource")));
    }

    @Test
    void bucketAdminCanApplyAndVerifyTheBucketConfigurationOnly() throws IOException {
        JsonNode policy = policy("bucket-admin-policy.json");
        Set<String> granted = new HashSet<>();
        for (JsonNode statement : policy.get("Statement")) {
            granted.addAll(texts(statement.get("Action")));
            assertEquals(
                    List.of(BUCKET),
                    texts(statement.get("Resource")),
                    statement.get("Sid").asText());
        }
        for (String thing : List.of(
                "LifecycleConfiguration",
                "BucketCORS",
                "EncryptionConfiguration",
                "BucketPublicAccessBlock",
                "BucketVersioning")) {
            assertTrue(granted.contains("s3:Put" + thing), "s3:Put" + thing);
            assertTrue(granted.contains("s3:Get" + thing), "s3:Get" + thing);
        }
        assertTrue(granted.contains("s3:ListBucket"), "HeadBucket is authorised by s3:ListBucket");
        granted.removeIf(a -> a.matches("s3:(Put|Get)(LifecycleConfiguration|BucketCORS|EncryptionConfiguration"
                + "|BucketPublicAccessBlock|BucketVersioning)"));
        assertEquals(Set.of("s3:ListBucket", "s3:CreateBucket"), granted);
    }

    @Test
    void everyPolicyIsWellFormedAndNeverGrantsEverything() throws IOException {
        for (String name :
                List.of("ecs-task-role-policy.json", "user-upload-role-policy.json", "bucket-admin-policy.json")) {
            JsonNode policy = policy(name);
            assertEquals("2012-10-17", policy.get("Version").asText(), name);
            Set<String> sids = new HashSet<>();
            for (JsonNode statement : policy.get("Statement")) {
                String sid = statement.path("Sid").asText("");
                assertTrue(sid.matches("[A-Za-z0-9]+"), name + ": IAM Sids are alphanumeric: '" + sid + "'");
                assertTrue(sids.add(sid), name + ": duplicate Sid " + sid);
                assertEquals("Allow", statement.get("Effect").asText(), name + " " + sid);
                assertFalse(statement.has("NotAction") || statement.has("NotResource"), name + " " + sid);
                for (String action : texts(statement.get("Action"))) {
                    assertTrue(action.matches("s3:[A-Za-z]+"), name + " " + sid + ": no wildcard action: " + action);
                    assertNotEquals("s3:PutObjectAcl", action, name + " " + sid);
                }
                for (String resource : texts(statement.get("Resource"))) {
                    assertTrue(
                            resource.startsWith("arn:aws:s3:::ai-video-pipeline-production"),
                            name + " " + sid + ": resource " + resource);
                    assertNotEquals("*", resource);
                }
            }
        }
    }

    // --- helpers

    private static Map<String, LifecycleRule> rulesById() {
        return BucketConfiguration.lifecycle().rules().stream()
                .collect(Collectors.toMap(LifecycleRule::id, Function.identity()));
    }

    private static JsonNode find(JsonNode rules, String id) {
        for (JsonNode rule : rules) {
            if (id.equals(rule.get("ID").asText())) {
                return rule;
            }
        }
        throw new AssertionError("no rule " + id + " in " + rules);
    }

    private static Path deploy(String name) {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "deploy", name);
    }

    private static JsonNode policy(String name) throws IOException {
        return JSON.readTree(Files.readString(deploy("iam/" + name)));
    }

    /** Compares the committed file with the generated text as JSON trees; rewrites it with {@code -Dregenerate=true}. */
    private static void checkOrRegenerate(Path file, String generated) throws IOException {
        if (Boolean.getBoolean("regenerate")) {
            Files.writeString(file, generated, StandardCharsets.UTF_8);
        }
        assertTrue(Files.isRegularFile(file), file + " is missing; " + REGENERATE);
        JsonNode committed = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(
                JSON.readTree(generated),
                committed,
                file + " is not what " + BucketConfiguration.class.getSimpleName() + " produces; " + REGENERATE);
    }

    /** Whether an Allow statement grants {@code action} on exactly {@code resource}. */
    private static boolean allows(JsonNode policy, String action, String resource) {
        return statementsAllowing(policy, action).stream()
                .anyMatch(s -> texts(s.get("Resource")).contains(resource));
    }

    private static List<JsonNode> statementsAllowing(JsonNode policy, String action) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode statement : policy.get("Statement")) {
            if ("Allow".equals(statement.get("Effect").asText())
                    && texts(statement.get("Action")).contains(action)) {
                found.add(statement);
            }
        }
        return found;
    }

    /** A policy element that may be one string or an array of strings, as a list. */
    private static List<String> texts(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node == null) {
            return values;
        }
        if (node.isArray()) {
            node.forEach(n -> values.add(n.asText()));
        } else {
            values.add(node.asText());
        }
        return values;
    }
}
