package dev.c1m.tuning;

/** How one limit stands against the target, worst last so that {@code max} gives the overall verdict. */
public enum Verdict {
    /** The limit allows the target as it is. */
    PASS,
    /** The target is reachable, but only with a workaround (more processes, more addresses) or at a risk. */
    WARN,
    /** The target cannot be reached until the limit is changed. */
    FAIL
}
