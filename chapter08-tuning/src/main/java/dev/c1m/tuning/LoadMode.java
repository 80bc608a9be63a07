package dev.c1m.tuning;

/** What the load generator does with its connections. */
public enum LoadMode {
    /** Open N connections at a paced rate and keep them open (optionally heartbeating each). */
    HOLD,
    /** Request and reply on C connections, closed loop or at a target rate, for a duration. */
    ECHO,
    /** Echo load whose connection count grows step by step, with a result per step. */
    RAMP
}
