package dev.c1m.pool;

/**
 * A pooled object that became unreachable while borrowed: nobody can release it any more.
 *
 * @param poolName   the pool it came from
 * @param borrowSite a throwable created when the object was borrowed; its stack trace is the
 *                   borrow site, its message names the borrowing thread
 */
public record LeakReport(String poolName, Throwable borrowSite) {

    /** The borrow site as one line per frame, for logs and assertions. */
    public String borrowStack() {
        StringBuilder text = new StringBuilder(borrowSite.getMessage());
        for (StackTraceElement frame : borrowSite.getStackTrace()) {
            text.append("\n\tat ").append(frame);
        }
        return text.toString();
    }
}
