package io.reelvault.support;

/** The users API tests act as. */
public final class Users {
    private Users() {}

    /** A user id no earlier run of the suite has used (the storage root outlives a run). */
    public static String freshUser(String name) {
        return name + "-" + Long.toString(System.nanoTime(), 36);
    }
}
