package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BufferBudgetTest {

    @Test
    void nothingIsTakenBeforeTheFirstChunkAndAllIsGivenBack() throws Exception {
        BufferBudget budget = new BufferBudget(100);
        BufferBudget.Part part = budget.part(40);
        assertEquals(100, budget.free());
        part.grow(10, 10, () -> false);
        assertEquals(90, budget.free());
        part.ship();
        assertEquals(90, budget.free(), "a part being sent still holds its bytes");
        part.sent();
        assertEquals(100, budget.free());
        BufferBudget.Part failed = budget.part(40);
        failed.grow(30, 10, () -> false);
        failed.release();
        failed.release();
        assertEquals(100, budget.free(), "a failed part gives back what it held, once");
        assertEquals(100, budget.part(1000).size(), "no part is larger than the whole budget");
    }

    @Test
    void aWaitingPartGivesUpWhenItsUploadIsCancelled() throws Exception {
        BufferBudget budget = new BufferBudget(10);
        budget.part(10).grow(10, 10, () -> false);
        AtomicBoolean cancelled = new AtomicBoolean();
        CountDownLatch waits = new CountDownLatch(1); // the part asked whether it is cancelled: it is waiting
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                budget.part(10).grow(1, 10, () -> {
                    waits.countDown();
                    return cancelled.get();
                });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(waits.await(30, TimeUnit.SECONDS), "the part waits for the budget");
        cancelled.set(true);
        var e = assertThrows(ExecutionException.class, () -> waiting.get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof CancellationException, e.toString());
    }

    /**
     * Uploads whose buffers grow chunk by chunk, many more than the budget holds whole parts for, all finish: no set of
     * half-filled buffers ever holds the whole budget while each waits for more (what a first-come grant would allow).
     */
    @Test
    void growingBuffersNeverDeadlock() throws Exception {
        BufferBudget budget = new BufferBudget(25);
        int uploads = 12;
        ExecutorService threads = Executors.newFixedThreadPool(uploads);
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int u = 0; u < uploads; u++) {
                Random random = new Random(u);
                all.add(CompletableFuture.runAsync(
                        () -> {
                            try {
                                for (int p = 0; p < 20; p++) {
                                    BufferBudget.Part part = budget.part(10);
                                    for (int chunk = 0; chunk < 10; chunk++) {
                                        part.grow(1, 5, () -> false);
                                        if (random.nextInt(4) == 0) {
                                            Thread.sleep(1); // clients send at different speeds
                                        }
                                    }
                                    part.ship();
                                    senders.execute(part::sent);
                                }
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        threads));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
            senders.shutdown();
            senders.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertEquals(25, budget.free());
    }
}
