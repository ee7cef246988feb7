package io.reelvault.api;

import static io.reelvault.support.Users.freshUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.storage.s3.S3ObjectStore;
import io.reelvault.support.Poll;
import io.reelvault.support.S3Profile;
import io.reelvault.support.S3ProxyResource;
import io.reelvault.support.Samples;
import io.reelvault.support.SettingsVariantsProfile;
import io.reelvault.support.SlowUpload;
import io.reelvault.support.TestTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every slow-body test again on S3 (s3proxy), and the one S3 needs most: slow uploads do not starve the buffer budget. */
@QuarkusTest
@TestProfile(SlowBodiesApiS3Test.Profile.class)
class SlowBodiesApiS3Test extends SlowBodiesApiTest {

    public static class Profile extends S3Profile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("reelvault.uploads.idle-timeout", SettingsVariantsProfile.IDLE_TIMEOUT);
        }
    }

    S3ObjectStore s3() {
        return store.capability(S3ObjectStore.class).orElseThrow();
    }

    @Override
    void assertNoPartialWrites() {
        Poll.until(ANSWER, "no multipart upload left in progress", () -> S3ProxyResource.uploadsInProgress() == 0);
    }

    @Override
    void assertBuffersReleased() {
        Poll.until(ANSWER, "the whole buffer budget free again", () -> s3().bufferBudgetFree() == s3().bufferBudget());
    }

    /**
     * Twenty uploads of unknown length (chunked raw bodies and multipart forms) trickle a byte every 200 ms; a normal
     * 1 MB form upload still goes through while they are all in flight.
     */
    @Test
    void slowUploadsDoNotStarveOtherUploads() throws Exception {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String user = freshUser("slow" + i);
            users.add(user);
            SlowUpload u = i % 2 == 0
                    ? SlowUpload.raw(TestTokens.user(user), "slow.png", "image/png")
                    : SlowUpload.multipart(TestTokens.user(user), "slow.png", "image/png");
            assertNull(u.earlyResponse());
            u.send(Samples.png(100));
            trickle(u);
        }
        Thread.sleep(1000); // every slow upload reached the store (no assertion rests on this)
        String normal = freshUser("normal");
        try (SlowUpload form = SlowUpload.multipart(TestTokens.user(normal), "normal.png", "image/png")) {
            form.send(Samples.png(1_000_000)).send(SlowUpload.multipartEnd()).finish();
            assertEquals(
                    201, form.response(ANSWER).status(), "a normal upload completes while twenty slow ones are open");
        }
        for (SlowUpload u : trickling) {
            assertFalse(u.answered(), "the slow uploads are still in flight");
        }
        stopTrickling(); // closes them: the clients vanish
        for (String user : users) {
            assertFalse(anyObjectUnder("uploads/" + user + "/"), "nothing of an abandoned upload is stored");
        }
        assertNoPartialWrites();
        assertBuffersReleased();
    }
}
