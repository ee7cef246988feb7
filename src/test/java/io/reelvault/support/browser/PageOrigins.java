package io.reelvault.support.browser;

/**
 * The two origins test pages run in, started once per test JVM (before the application, whose
 * {@code ALLOWED_ORIGINS} names the first): {@link #allowed()} is the origin the service and the bucket allow,
 * {@link #other()} one they do not. Their daemon threads end with the JVM. Once per class loader: Quarkus loads the
 * test classes anew for each test profile, so each profile's application and tests share their own pair.
 */
public final class PageOrigins {
    private PageOrigins() {}

    private static final class Holder {
        static final PageServer ALLOWED = PageServer.start();
        static final PageServer OTHER = PageServer.start();
    }

    /** The origin in {@code ALLOWED_ORIGINS} (and the bucket's CORS rule on S3). */
    public static PageServer allowed() {
        return Holder.ALLOWED;
    }

    /** An origin neither the service nor the bucket allows. */
    public static PageServer other() {
        return Holder.OTHER;
    }
}
