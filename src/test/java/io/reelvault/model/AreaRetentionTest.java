package io.reelvault.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The retention table and S3's rounding rule: creation + N days, up to the next 00:00 UTC. */
class AreaRetentionTest {

    @Test
    void expiryRoundsUpToTheNextMidnightUtc() {
        Instant created = Instant.parse("2026-11-29T18:37:00.123Z");
        assertEquals(Optional.of(Instant.parse("2026-12-07T00:00:00Z")), Area.TEMP.expiresAt(created));
        assertEquals(Optional.of(Instant.parse("2026-12-30T00:00:00Z")), Area.GENERATIONS.expiresAt(created));
        assertEquals(Optional.of(Instant.parse("2027-02-28T00:00:00Z")), Area.COMPOSITIONS.expiresAt(created));
        assertEquals(Optional.empty(), Area.UPLOADS.expiresAt(created));
    }

    @Test
    void anObjectCreatedAtMidnightExpiresExactlyNDaysLater() {
        assertEquals(
                Optional.of(Instant.parse("2026-12-06T00:00:00Z")),
                Area.TEMP.expiresAt(Instant.parse("2026-11-29T00:00:00Z")));
    }

    @Test
    void servedUpToTheLastInstantBeforeExpiryAndNeverAfter() {
        Instant created = Instant.parse("2026-11-29T23:59:59.999Z");
        Instant expiry = Instant.parse("2026-12-07T00:00:00Z");
        assertFalse(Area.TEMP.isExpired(created, expiry.minusNanos(1)));
        assertTrue(Area.TEMP.isExpired(created, expiry));
        assertFalse(Area.UPLOADS.isExpired(created, Instant.parse("2126-01-01T00:00:00Z")));
    }
}
