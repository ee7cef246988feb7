package io.reelvault.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ClusterLock} promises: taken without waiting by one holder at a time, refused to every other
 * (another caller of this process, another process or replica using the same name) and to a second take by the holder
 * itself (not reentrant), free again once the holder closes it, and a close that is no longer the holder's (closed
 * twice, or after another took the lock) harmless. An implementation's test extends this class, says how a holder and
 * a second holder of one name get their lock, and adds only the checks of its own kind (lease expiry and renewal,
 * lock files).
 */
public abstract class ClusterLockContract {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final List<ClusterLock.Held> held = new ArrayList<>();

    /** The lock called {@code name} as its first holder sees it; a fresh name gives a free lock. */
    protected abstract ClusterLock lock(String name);

    /**
     * The lock called {@code name} as a second holder sees it: as another replica or process sharing the lock
     * (another instance on the same file or Redis key), or, for a lock that only excludes callers of this process,
     * as another caller of this process gets it ({@link ClusterLocks} hands out one instance per name).
     */
    protected abstract ClusterLock contender(String name);

    /** A name no other test used: lower-case letters, digits and dashes, as {@link ClusterLocks} allows. */
    protected static String freshName() {
        return "contract-" + NAMES.incrementAndGet() + "-" + Long.toString(System.nanoTime(), 36);
    }

    /**
     * Takes the lock, failing when it is refused. Tests close what they take; a hold a failed test left open is
     * closed after it (closing twice is harmless).
     */
    protected ClusterLock.Held take(ClusterLock lock) {
        Optional<ClusterLock.Held> taken = lock.tryLock();
        assertTrue(taken.isPresent(), "the lock is free");
        held.add(taken.get());
        return taken.get();
    }

    @AfterEach
    void releaseWhatIsStillHeld() {
        held.forEach(ClusterLock.Held::close);
    }

    @Test
    void aFreeLockIsTakenAtOnce() {
        take(lock(freshName())).close();
    }

    @Test
    void aHeldLockIsRefusedToEveryOtherHolderAndToItsOwn() {
        String name = freshName();
        ClusterLock mine = lock(name);
        ClusterLock other = contender(name);
        ClusterLock.Held held = take(mine);
        assertTrue(other.tryLock().isEmpty(), "refused to a second holder while held");
        assertTrue(mine.tryLock().isEmpty(), "not reentrant: refused to its holder too");
        assertTrue(other.tryLock().isEmpty(), "still refused: a refusal takes nothing away from the holder");
        held.close();
    }

    @Test
    void aReleasedLockIsFreeForTheOthersAndThenForTheFirstHolderAgain() {
        String name = freshName();
        ClusterLock mine = lock(name);
        ClusterLock other = contender(name);
        take(mine).close();
        ClusterLock.Held theirs = take(other);
        assertTrue(mine.tryLock().isEmpty(), "the first holder is refused while the other holds it");
        theirs.close();
        take(mine).close();
        take(mine).close(); // taken and released as often as wanted
    }

    @Test
    void aCloseThatIsNoLongerTheHoldersIsHarmless() {
        String name = freshName();
        ClusterLock mine = lock(name);
        ClusterLock other = contender(name);
        ClusterLock.Held stale = take(mine);
        stale.close();
        ClusterLock.Held theirs = take(other);
        stale.close(); // the former holder closes again, late: it must not free the new holder's lock
        assertTrue(mine.tryLock().isEmpty(), "still held by the other");
        assertTrue(other.tryLock().isEmpty(), "and refused to a second take of the other");
        theirs.close();
        take(mine).close();
    }

    @Test
    void locksOfDifferentNamesAreIndependent() {
        String first = freshName();
        String second = freshName();
        ClusterLock.Held one = take(lock(first));
        ClusterLock.Held other = take(lock(second));
        assertTrue(contender(first).tryLock().isEmpty());
        other.close();
        assertTrue(contender(first).tryLock().isEmpty(), "releasing one name leaves the other held");
        one.close();
    }

    /** Holders racing for a free lock: exactly one gets it. */
    @Test
    void ofHoldersRacingForAFreeLockExactlyOneGetsIt() throws Exception {
        String name = freshName();
        List<ClusterLock> racers = new ArrayList<>(List.of(lock(name)));
        for (int i = 1; i < 4; i++) {
            racers.add(contender(name));
        }
        ExecutorService pool = Executors.newFixedThreadPool(racers.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<ClusterLock.Held>>> attempts = new ArrayList<>();
            for (ClusterLock racer : racers) {
                attempts.add(pool.submit(() -> {
                    start.await();
                    return racer.tryLock();
                }));
            }
            start.countDown();
            List<ClusterLock.Held> winners = new ArrayList<>();
            for (Future<Optional<ClusterLock.Held>> attempt : attempts) {
                attempt.get(30, TimeUnit.SECONDS).ifPresent(winners::add);
            }
            held.addAll(winners);
            assertEquals(1, winners.size(), "one holder at a time");
            winners.get(0).close();
        } finally {
            pool.shutdownNow();
        }
    }
}
