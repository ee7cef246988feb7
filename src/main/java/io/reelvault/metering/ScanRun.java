package io.reelvault.metering;

/**
 * What one run of the {@link UsageScanner} did.
 *
 * @param skipped       true when it did nothing: another scan (this process or, through the cluster lock,
 *                      another replica) was running, or this process runs an operator command
 * @param pages         list pages it requested (of up to 1000 keys each)
 * @param passCompleted true when it finished a full pass over every area and published its totals; false
 *                      when it ran out of pages and the next run continues where it stopped
 */
public record ScanRun(boolean skipped, long pages, boolean passCompleted) {
    static ScanRun skippedRun() {
        return new ScanRun(true, 0, false);
    }
}
