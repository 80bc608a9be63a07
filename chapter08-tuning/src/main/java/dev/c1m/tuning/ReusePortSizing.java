package dev.c1m.tuning;

/**
 * How many processes sharing one listening port with {@code SO_REUSEPORT} it takes to hold N
 * connections when each may hold at most a given number. The kernel picks a listener by a hash of
 * the connection's addresses, blind to how many each process holds; the counts it gives spread
 * like a uniformly random choice's ({@code bench.ReusePortSpread}, and chapter 8's README, "Why
 * several processes, and how many"), so each process's count is binomial: a mean of {@code N/K}
 * and a standard deviation of {@code sqrt(N/K x (1 - 1/K))}. This sizes K so that the fullest
 * process stays {@value #SPREAD_DEVIATIONS} standard deviations under its limit.
 *
 * <p>The chance that one process goes beyond 4.5 standard deviations is 3.4 in a million, so about
 * one run in 5,000 of 60 processes has one refuse a few connections, which their clients can
 * retry onto another listener. Stateless.
 */
public final class ReusePortSizing {

    /** How far above the mean the fullest process may land, in standard deviations of its count. */
    static final double SPREAD_DEVIATIONS = 4.5;

    private ReusePortSizing() {
    }

    /** One process where {@code perProcess} allows it, else the fewest whose fullest stays within it. */
    public static int processesFor(long connections, long perProcess) {
        int processes = (int) Math.max(1, (connections + perProcess - 1) / perProcess); // an even spread's count
        while (fullestExpected(connections, processes) > perProcess) {
            processes++;
        }
        return processes;
    }

    /** The standard deviation of one process's count when each connection picks one of them at random. */
    public static double standardDeviation(long connections, int processes) {
        double mean = connections / (double) processes;
        return Math.sqrt(mean * (1 - 1.0 / processes));
    }

    private static double fullestExpected(long connections, int processes) {
        return connections / (double) processes + SPREAD_DEVIATIONS * standardDeviation(connections, processes);
    }
}
